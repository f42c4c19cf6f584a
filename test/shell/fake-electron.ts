// A fake of the parts of the `electron` module Tessera uses, for the shell tier (DESIGN.md §6):
// the Electron binary cannot run on the build machines, so the glue is exercised against this.
// It records what the code under test asks for and lets a test play Electron's part (emit
// `ready`, send IPC, call the protocol handler).
import { EventEmitter } from 'node:events';

/** Electron's event objects: only preventDefault matters to us. */
export class FakeEvent {
  defaultPrevented = false;
  readonly url: string;

  constructor(url = '') {
    this.url = url;
  }

  preventDefault(): void {
    this.defaultPrevented = true;
  }
}

export interface FakeFrame {
  url: string;
  parent: FakeFrame | null;
  processId: number;
  routingId: number;
}

let nextRoutingId = 1;

export function fakeFrame(url: string, parent: FakeFrame | null = null): FakeFrame {
  return { url, parent, processId: 1, routingId: nextRoutingId++ };
}

export class FakeWebContents extends EventEmitter {
  readonly mainFrame: FakeFrame = fakeFrame('about:blank');
  readonly sent: Array<{ channel: string; args: unknown[] }> = [];
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null;
  devToolsOpen = false;

  send(channel: string, ...args: unknown[]): void {
    this.sent.push({ channel, args });
  }

  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = handler;
  }

  /** Plays the person opening devtools (Ctrl+Shift+I); the code under test may close them. */
  openDevTools(): void {
    this.devToolsOpen = true;
    this.emit('devtools-opened');
  }

  closeDevTools(): void {
    this.devToolsOpen = false;
  }

  /** Plays Electron: emits a navigation and says whether it went ahead. */
  navigate(eventName: 'will-navigate' | 'will-redirect' | 'will-frame-navigate', url: string): boolean {
    const event = new FakeEvent(url);
    this.emit(eventName, event, url);
    return !event.defaultPrevented;
  }
}

type PermissionRequestHandler = (
  contents: unknown,
  permission: string,
  callback: (granted: boolean) => void,
  details: { requestingUrl: string; isMainFrame: boolean },
) => void;
export type CertificateVerifyProc = (
  request: { hostname: string; errorCode: number; validatedCertificate: unknown; certificate: unknown },
  callback: (result: number) => void,
) => void;
type BeforeRequestListener = (
  details: { url: string },
  callback: (response: { cancel?: boolean }) => void,
) => void;

export class FakeSession {
  permissionRequestHandler: PermissionRequestHandler | null = null;
  permissionCheckHandler: ((...args: unknown[]) => boolean) | null = null;
  beforeRequestListener: BeforeRequestListener | null = null;
  certificateVerifyProc: CertificateVerifyProc | null = null;
  readonly webRequest = {
    onBeforeRequest: (listener: BeforeRequestListener) => {
      this.beforeRequestListener = listener;
    },
  };

  setPermissionRequestHandler(handler: PermissionRequestHandler | null): void {
    this.permissionRequestHandler = handler;
  }

  setPermissionCheckHandler(handler: ((...args: unknown[]) => boolean) | null): void {
    this.permissionCheckHandler = handler;
  }

  setCertificateVerifyProc(proc: CertificateVerifyProc | null): void {
    this.certificateVerifyProc = proc;
  }

  /** Plays Chromium asking permission for a frame showing `requestingUrl`; resolves with the answer. */
  requestPermission(
    permission: string,
    requestingUrl = 'app://tessera/index.html',
    isMainFrame = true,
  ): Promise<boolean> {
    return new Promise((resolve) => {
      if (!this.permissionRequestHandler) throw new Error('no permission handler');
      this.permissionRequestHandler({}, permission, resolve, { requestingUrl, isMainFrame });
    });
  }

  /** Plays a renderer request; true when the session lets it through. */
  request(url: string): boolean {
    if (!this.beforeRequestListener) throw new Error('no webRequest listener');
    let cancelled: boolean | undefined;
    this.beforeRequestListener({ url }, (response) => {
      cancelled = response.cancel === true;
    });
    if (cancelled === undefined) throw new Error('the listener did not answer');
    return !cancelled;
  }
}

export type ProtocolHandler = (request: Request) => Response | Promise<Response>;

export interface FakeElectronOptions {
  /** What requestSingleInstanceLock answers: false plays a second instance. */
  singleInstanceLock?: boolean;
  appPath?: string;
  isPackaged?: boolean;
}

export function createFakeElectron(options: FakeElectronOptions = {}) {
  const calls: string[] = [];
  let ready = false;
  let markReady!: () => void;
  const whenReady = new Promise<void>((resolve) => {
    markReady = resolve;
  });

  class FakeApp extends EventEmitter {
    readonly isPackaged = options.isPackaged ?? false;
    quitRequests = 0;
    quitted = false;
    /** The code app.exit was called with (it quits at once, without `before-quit`). */
    exitCode: number | null = null;
    sandboxEnabled = false;

    requestSingleInstanceLock(): boolean {
      calls.push('app.requestSingleInstanceLock');
      return options.singleInstanceLock ?? true;
    }

    enableSandbox(): void {
      if (ready) throw new Error('enableSandbox must be called before ready');
      calls.push('app.enableSandbox');
      this.sandboxEnabled = true;
    }

    /** The schemes the app asked to be the system's default handler for. */
    readonly defaultProtocolClients: string[] = [];

    setAsDefaultProtocolClient(scheme: string): boolean {
      calls.push(`app.setAsDefaultProtocolClient(${scheme})`);
      this.defaultProtocolClients.push(scheme);
      return true;
    }

    /** Plays macOS handing over a link the person opened (it may come before `ready`). */
    openUrl(url: string): FakeEvent {
      const event = new FakeEvent(url);
      this.emit('open-url', event, url);
      return event;
    }

    /** Plays a second start of Tessera with this command line. */
    secondInstance(argv: string[]): void {
      this.emit('second-instance', new FakeEvent(), argv, '/');
    }

    /** Electron's per-user data folder; the engine keeps the account profile there. */
    getPath(name: string): string {
      if (name !== 'userData') throw new Error(`the fake app has no path "${name}"`);
      return '/home/user/.config/Tessera';
    }

    getAppPath(): string {
      return options.appPath ?? '/opt/tessera';
    }

    whenReady(): Promise<void> {
      return whenReady;
    }

    isReady(): boolean {
      return ready;
    }

    /** Like Electron: `before-quit` may cancel the quit with preventDefault. */
    quit(): void {
      calls.push('app.quit');
      this.quitRequests += 1;
      const event = new FakeEvent();
      this.emit('before-quit', event);
      if (!event.defaultPrevented) this.quitted = true;
    }

    /** Like Electron: quits at once, no `before-quit`, no windows asked. */
    exit(code = 0): void {
      calls.push(`app.exit(${code})`);
      this.exitCode = code;
      this.quitted = true;
    }

    /** Plays Electron reaching `ready`. */
    async becomeReady(): Promise<void> {
      ready = true;
      this.emit('ready');
      markReady();
      await whenReady;
    }
  }
  const app = new FakeApp();

  class FakeBrowserWindow extends EventEmitter {
    static readonly instances: FakeBrowserWindow[] = [];
    readonly options: Record<string, unknown> & { webPreferences?: Record<string, unknown> };
    readonly webContents = new FakeWebContents();
    loadedUrl: string | null = null;
    destroyed = false;
    minimized = false;
    visible = false;
    focused = 0;
    /** Whether the window has the keyboard focus now (isFocused). */
    hasFocus = true;

    constructor(windowOptions: Record<string, unknown>) {
      super();
      if (!ready) throw new Error('BrowserWindow created before ready');
      this.options = windowOptions;
      FakeBrowserWindow.instances.push(this);
      app.emit('web-contents-created', new FakeEvent(), this.webContents);
    }

    loadURL(url: string): Promise<void> {
      this.loadedUrl = url;
      (this.webContents.mainFrame as { url: string }).url = url;
      return Promise.resolve();
    }

    isDestroyed(): boolean {
      return this.destroyed;
    }

    isMinimized(): boolean {
      return this.minimized;
    }

    restore(): void {
      this.minimized = false;
    }

    show(): void {
      this.visible = true;
    }

    focus(): void {
      this.focused += 1;
      this.hasFocus = true;
    }

    isFocused(): boolean {
      return this.hasFocus;
    }

    /** Plays the page finishing its load (its listeners are in place from now on). */
    finishLoad(): void {
      this.webContents.emit('did-finish-load');
    }

    /** Plays the user closing the window. */
    close(): void {
      this.destroyed = true;
      this.emit('closed');
    }
  }

  const ipcHandlers = new Map<string, (event: unknown, ...args: unknown[]) => unknown>();
  /** Channels with ipcMain.on / once listeners: Tessera registers none (every call is an invoke). */
  const ipcListeners: string[] = [];
  const ipcMain = {
    on(channel: string) {
      ipcListeners.push(channel);
    },
    once(channel: string) {
      ipcListeners.push(channel);
    },
    handleOnce(channel: string) {
      ipcListeners.push(channel);
    },
    handle(channel: string, handler: (event: unknown, ...args: unknown[]) => unknown) {
      if (ipcHandlers.has(channel)) throw new Error(`second handler for ${channel}`);
      ipcHandlers.set(channel, handler);
    },
    /** Plays a renderer's ipcRenderer.invoke arriving with the given sender frame. */
    async invoke(channel: string, senderFrame: FakeFrame | null, ...args: unknown[]): Promise<unknown> {
      const handler = ipcHandlers.get(channel);
      if (!handler) throw new Error(`no handler for ${channel}`);
      return handler({ senderFrame, frameId: 1, processId: 1 }, ...args);
    },
  };

  const privilegedSchemes: Array<{ scheme: string; privileges?: Record<string, unknown> }> = [];
  const protocolHandlers = new Map<string, ProtocolHandler>();
  const protocol = {
    registerSchemesAsPrivileged(schemes: Array<{ scheme: string; privileges?: Record<string, unknown> }>) {
      if (ready) throw new Error('registerSchemesAsPrivileged must be called before ready');
      calls.push('protocol.registerSchemesAsPrivileged');
      privilegedSchemes.push(...schemes);
    },
    handle(scheme: string, handler: ProtocolHandler) {
      if (!ready) throw new Error('protocol.handle must be called after ready');
      protocolHandlers.set(scheme, handler);
    },
  };

  const defaultSession = new FakeSession();
  const partitions = new Map<string, FakeSession>();
  const session = {
    defaultSession,
    partitions,
    fromPartition(name: string): FakeSession {
      const existing = partitions.get(name) ?? new FakeSession();
      partitions.set(name, existing);
      return existing;
    },
  };

  /** What dialog.showErrorBox showed. */
  const errorBoxes: Array<{ title: string; content: string }> = [];
  const dialog = {
    showErrorBox(title: string, content: string): void {
      calls.push('dialog.showErrorBox');
      errorBoxes.push({ title, content });
    },
  };

  /** What shell.openExternal was asked to open. */
  const openedExternally: string[] = [];
  const shell = {
    openExternal(url: string): Promise<void> {
      openedExternally.push(url);
      return Promise.resolve();
    },
  };

  class FakeNotification extends EventEmitter {
    static readonly instances: FakeNotification[] = [];
    static supported = true;
    static isSupported(): boolean {
      return FakeNotification.supported;
    }
    readonly options: { title?: string; body?: string; silent?: boolean };
    shown = false;

    constructor(notificationOptions: { title?: string; body?: string; silent?: boolean }) {
      super();
      this.options = notificationOptions;
      FakeNotification.instances.push(this);
    }

    show(): void {
      this.shown = true;
    }

    /** Plays the person clicking the notification. */
    click(): void {
      this.emit('click', new FakeEvent());
    }
  }

  return {
    calls,
    app,
    BrowserWindow: FakeBrowserWindow,
    Notification: FakeNotification,
    dialog,
    errorBoxes,
    ipcMain,
    ipcHandlers,
    ipcListeners,
    protocol,
    privilegedSchemes,
    protocolHandlers,
    session,
    shell,
    openedExternally,
  };
}

export type FakeElectron = ReturnType<typeof createFakeElectron>;

/** The renderer side: what a sandboxed preload can require from electron. */
export function createFakeRendererElectron() {
  const exposed = new Map<string, unknown>();
  const invocations: Array<{ channel: string; args: unknown[] }> = [];
  const listeners = new Map<string, Array<(event: unknown, ...args: unknown[]) => void>>();
  let invokeAnswer: unknown = { ok: true, value: null };

  /** A stand-in for IpcRendererEvent: it must never reach page code. */
  const ipcRendererEvent = Object.freeze({ sender: { kind: 'ipcRenderer' }, senderId: 0, ports: [] });

  const contextBridge = {
    exposeInMainWorld(key: string, api: unknown) {
      if (exposed.has(key)) throw new Error(`${key} exposed twice`);
      exposed.set(key, api);
    },
  };

  const ipcRenderer = {
    invoke(channel: string, ...args: unknown[]): Promise<unknown> {
      invocations.push({ channel, args });
      return Promise.resolve(invokeAnswer);
    },
    on(channel: string, listener: (event: unknown, ...args: unknown[]) => void) {
      listeners.set(channel, [...(listeners.get(channel) ?? []), listener]);
      return ipcRenderer;
    },
  };

  return {
    contextBridge,
    ipcRenderer,
    exposed,
    invocations,
    ipcRendererEvent,
    answerInvokeWith(answer: unknown) {
      invokeAnswer = answer;
    },
    /** Plays main sending on `channel` (webContents.send). */
    sendFromMain(channel: string, ...args: unknown[]) {
      for (const listener of listeners.get(channel) ?? []) listener(ipcRendererEvent, ...args);
    },
    listenerCount(channel: string): number {
      return listeners.get(channel)?.length ?? 0;
    },
  };
}

export type FakeRendererElectron = ReturnType<typeof createFakeRendererElectron>;
