// Binds the IPC router to Electron: who counts as the app's own top frame, the one invoke
// channel, and engine events sent on to the window. The router itself has no electron import.
import type { BrowserWindow, IpcMain, IpcMainInvokeEvent, WebFrameMain } from 'electron';
import {
  ipcChannels,
  type EventName,
  type EventPayloads,
  type InvokeOutcome,
} from '../src-preload/contract.ts';
import { appHost, appScheme } from './app-origin.ts';
import type { IpcRouter } from './ipc-router.ts';

type FrameView = Pick<WebFrameMain, 'url' | 'parent' | 'processId' | 'routingId'>;

/** The same frame: compared by its process and routing ids, which identify a frame in Chromium. */
function sameFrame(a: FrameView, b: FrameView): boolean {
  return a === b || (a.processId === b.processId && a.routingId === b.routingId);
}

export type SenderEvent = Pick<IpcMainInvokeEvent, 'senderFrame'>;

/**
 * True only for the main frame of the Tessera window, showing a page of app://tessera.
 * `mainFrame` is the window's `webContents.mainFrame`, or undefined when there is no window.
 */
export function isTrustedSender(event: SenderEvent, mainFrame: FrameView | undefined): boolean {
  const frame = event.senderFrame;
  if (!frame || !mainFrame) return false;
  if (!sameFrame(frame, mainFrame) || frame.parent !== null) return false;
  let url: URL;
  try {
    url = new URL(frame.url);
  } catch {
    return false;
  }
  // URL.origin is "null" for non-special schemes such as app:, so compare the parts.
  return url.protocol === `${appScheme}:` && url.host === appHost;
}

/** The window's top frame, if the window is alive. */
export function mainFrameOf(window: BrowserWindow | null): WebFrameMain | undefined {
  if (!window || window.isDestroyed()) return undefined;
  return window.webContents.mainFrame;
}

export function bindInvokeChannel(
  ipcMain: Pick<IpcMain, 'handle'>,
  router: Pick<IpcRouter<IpcMainInvokeEvent>, 'route'>,
): void {
  ipcMain.handle(ipcChannels.invoke, async (event, command: unknown, args: unknown) => {
    try {
      return await router.route(event, command, args);
    } catch {
      // A thrown Error would cross to the renderer with its message; send a plain outcome.
      const outcome: InvokeOutcome<never> = {
        ok: false,
        error: { code: 'internal', message: 'Something went wrong inside Tessera' },
      };
      return outcome;
    }
  });
}

/** Sends an engine event to the window's renderer, if there is a live window. */
export function createEventForwarder(
  getWindow: () => BrowserWindow | null,
): <E extends EventName>(name: E, payload: EventPayloads[E]) => void {
  return (name, payload) => {
    const window = getWindow();
    if (!window || window.isDestroyed()) return;
    window.webContents.send(ipcChannels.event, name, payload);
  };
}
