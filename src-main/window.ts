// The one Tessera window and its webPreferences (DESIGN.md §1): sandboxed, isolated, no Node,
// web security on, and the preload as the only bridge.
import type { BrowserWindow, BrowserWindowConstructorOptions } from 'electron';
import { appEntryUrl } from './app-origin.ts';

export interface WindowSecurity {
  /** Devtools may open (development builds, or when the administrator's policy allows). */
  devtools: boolean;
}

export function mainWindowOptions(
  preloadPath: string,
  security: WindowSecurity = { devtools: false },
): BrowserWindowConstructorOptions {
  return {
    width: 1100,
    height: 760,
    minWidth: 480,
    minHeight: 400,
    title: 'Tessera',
    show: false,
    backgroundColor: '#1b1d22',
    webPreferences: {
      preload: preloadPath,
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      // Chromium's spellchecker downloads dictionaries from Google: a request Tessera does not make.
      spellcheck: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      devTools: security.devtools,
    },
  };
}

type WindowConstructor = new (options: BrowserWindowConstructorOptions) => BrowserWindow;

/** Creates the window, shows it once painted, and loads the app's entry page. */
export function createMainWindow(
  BrowserWindowClass: WindowConstructor,
  preloadPath: string,
  security: WindowSecurity = { devtools: false },
): BrowserWindow {
  const window = new BrowserWindowClass(mainWindowOptions(preloadPath, security));
  window.once('ready-to-show', () => window.show());
  void window.loadURL(appEntryUrl);
  return window;
}

/** Brings the window to the front, e.g. when a second instance was started. */
export function focusWindow(window: BrowserWindow | null): void {
  if (!window || window.isDestroyed()) return;
  if (window.isMinimized()) window.restore();
  window.show();
  window.focus();
}
