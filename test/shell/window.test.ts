// The window's webPreferences are the renderer's sandbox (DESIGN.md §1); pin them exactly.
import type { BrowserWindow, BrowserWindowConstructorOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import { createMainWindow, focusWindow, mainWindowOptions } from '../../src-main/window.ts';
import { createFakeElectron } from './fake-electron.ts';

type WindowConstructor = new (options: BrowserWindowConstructorOptions) => BrowserWindow;

describe('main window', () => {
  it('has exactly the webPreferences of DESIGN.md §1, devtools off unless allowed', () => {
    expect(
      mainWindowOptions('/opt/tessera/dist/preload/preload.cjs', { devtools: true }).webPreferences?.devTools,
    ).toBe(true);
    expect(mainWindowOptions('/opt/tessera/dist/preload/preload.cjs').webPreferences).toEqual({
      preload: '/opt/tessera/dist/preload/preload.cjs',
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      spellcheck: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      devTools: false,
    });
  });

  it('loads the app entry over app:// and shows once ready', async () => {
    const electron = createFakeElectron();
    await electron.app.becomeReady();
    const window = createMainWindow(electron.BrowserWindow as unknown as WindowConstructor, '/p/preload.cjs');
    const fake = electron.BrowserWindow.instances[0];
    expect(fake).toBe(window);
    expect(fake?.loadedUrl).toBe('app://tessera/index.html');
    expect(fake?.options.show).toBe(false);
    expect(fake?.visible).toBe(false);
    fake?.emit('ready-to-show');
    expect(fake?.visible).toBe(true);
  });

  it('is restored and focused when brought to the front', async () => {
    const electron = createFakeElectron();
    await electron.app.becomeReady();
    const window = createMainWindow(electron.BrowserWindow as unknown as WindowConstructor, '/p/preload.cjs');
    const fake = electron.BrowserWindow.instances[0]!;
    fake.minimized = true;
    focusWindow(window);
    expect(fake.minimized).toBe(false);
    expect(fake.focused).toBe(1);
    fake.close();
    focusWindow(window);
    expect(fake.focused).toBe(1);
    focusWindow(null);
  });
});
