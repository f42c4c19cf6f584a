// The main process's life: single instance, the app:// scheme, security handlers, the IPC
// router, the engine worker, the window, and an orderly engine stop before quitting.
// Takes the electron module as a parameter so the shell tests can run it against a fake.
import type * as Electron from 'electron';
import type { CommandDispatcher } from './ipc-router.ts';
import { IpcRouter } from './ipc-router.ts';
import type { EventName, EventPayloads, InvokeOutcome } from '../src-preload/contract.ts';
import { appScheme } from './app-origin.ts';
import { createAppProtocolHandler, registerAppScheme } from './app-protocol.ts';
import type { AppPaths } from './app-paths.ts';
import { bindInvokeChannel, createEventForwarder, isTrustedSender, mainFrameOf } from './ipc-binding.ts';
import { applyCertificatePins, updaterPartition } from './certificate-policy.ts';
import type { MediaRequest, MediaResult } from './engine/media/media-request.ts';
import { createMediaProtocolHandler, mediaScheme, mediaSchemeRegistration } from './media-protocol.ts';
import { applyNavigationPolicy, applySessionPolicy, refuseCertificateErrors } from './security.ts';
import { claimSingleInstance } from './single-instance.ts';
import { createMainWindow, focusWindow } from './window.ts';

export type ElectronMain = Pick<
  typeof Electron,
  'app' | 'BrowserWindow' | 'ipcMain' | 'protocol' | 'session' | 'shell'
>;

/** The engine as main sees it: a dispatcher that can be stopped. EngineHost in production. */
export interface RunningEngine extends CommandDispatcher {
  stop(): Promise<void>;
  /** The bytes behind a tessera-media:// URL; media is refused when the engine has none. */
  fetchMedia?(request: MediaRequest): Promise<MediaResult>;
}

/** What the administrator's policy decides for the shell (src-main/policy), as plain values. */
export interface ShellSecurityOptions {
  /** Devtools may open; default: only in unpackaged (development) builds. */
  devtools?: boolean;
  /** Host → `sha256/<base64>` SPKI pins; hosts not listed keep Chromium's verdict. */
  certificatePins?: Readonly<Record<string, readonly string[]>>;
}

export type EventSink = <E extends EventName>(name: E, payload: EventPayloads[E]) => void;

export interface MainProcessOptions {
  paths: AppPaths;
  startEngine: (onEvent: EventSink) => Promise<RunningEngine>;
  log?: (level: 'info' | 'warn' | 'error', line: string) => void;
  /** How long quitting waits for the engine before giving up on it (default 10 s). */
  quitDeadlineMs?: number;
  security?: ShellSecurityOptions;
}

export interface MainProcess {
  readonly router: IpcRouter<Electron.IpcMainInvokeEvent>;
  readonly engine: Promise<RunningEngine | null>;
  window(): Electron.BrowserWindow | null;
  /** Resolves once the window has been created (after `ready`). */
  readonly ready: Promise<void>;
}

const engineUnavailable: InvokeOutcome<never> = {
  ok: false,
  error: { code: 'internal', message: 'The Tessera engine could not start' },
};

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));

const defaultLog = (level: 'info' | 'warn' | 'error', line: string) => console[level](`[main] ${line}`);

/** Returns null when another instance already runs (this one is quitting). */
export function startMainProcess(electron: ElectronMain, options: MainProcessOptions): MainProcess | null {
  const { app, BrowserWindow, ipcMain, protocol, session, shell } = electron;
  const log = options.log ?? defaultLog;
  const devtools = options.security?.devtools ?? !app.isPackaged;
  let window: Electron.BrowserWindow | null = null;

  if (!claimSingleInstance(app, () => focusWindow(window))) return null;

  // All of these must happen before `ready`.
  app.enableSandbox();
  registerAppScheme(protocol, [mediaSchemeRegistration()]);
  app.on('web-contents-created', (_event, contents) =>
    applyNavigationPolicy(contents, { shell, log, devtools }),
  );
  refuseCertificateErrors(app, log);

  const engine = options.startEngine(createEventForwarder(() => window)).catch((error: unknown) => {
    log('error', `the engine could not start: ${describe(error)}`);
    return null;
  });

  const dispatcher: CommandDispatcher = {
    async dispatch(command, args) {
      const running = await engine;
      return running ? running.dispatch(command, args) : engineUnavailable;
    },
  };
  const router = new IpcRouter<Electron.IpcMainInvokeEvent>({
    isTrustedSender: (event) => isTrustedSender(event, mainFrameOf(window)),
    dispatcher,
    // The command name only, quoted so a hostile name cannot forge log lines; never the arguments.
    onRejected: (reason, command) => log('warn', `ipc rejected ${JSON.stringify(command)}: ${reason}`),
  });
  bindInvokeChannel(ipcMain, router);

  const openWindow = () => {
    const created = createMainWindow(BrowserWindow, options.paths.preload, { devtools });
    created.on('closed', () => {
      if (window === created) window = null;
    });
    window = created;
  };

  const ready = app.whenReady().then(() => {
    applySessionPolicy(session.defaultSession);
    const pins = options.security?.certificatePins ?? {};
    applyCertificatePins(session.defaultSession, pins, log);
    // electron-updater downloads through a session of its own; it gets the same pins.
    if (Object.keys(pins).length > 0)
      applyCertificatePins(session.fromPartition(updaterPartition), pins, log);
    protocol.handle(appScheme, createAppProtocolHandler({ rootDir: options.paths.renderer }));
    protocol.handle(
      mediaScheme,
      createMediaProtocolHandler({
        fetchMedia: async (request) => {
          const running = await engine;
          return running?.fetchMedia ? running.fetchMedia(request) : { ok: false, reason: 'unavailable' };
        },
        log,
      }),
    );
    openWindow();
  });

  // macOS re-opens the window from the dock; elsewhere closing the window quits.
  app.on('activate', () => {
    if (app.isReady() && window === null) openWindow();
  });
  app.on('window-all-closed', () => app.quit());

  let engineStopped = false;
  let stopping = false;
  app.on('before-quit', (event) => {
    if (engineStopped) return;
    event.preventDefault();
    if (stopping) return;
    stopping = true;
    const stopped = engine
      .then((running) => running?.stop())
      .catch((error: unknown) => {
        log('error', `the engine did not stop cleanly: ${describe(error)}`);
      });
    // An engine that never started or never answers must not keep Tessera from quitting.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        log('warn', 'the engine did not stop in time; quitting anyway');
        resolve();
      }, options.quitDeadlineMs ?? 10_000);
    });
    void Promise.race([stopped, deadline]).then(() => {
      clearTimeout(timer);
      engineStopped = true;
      app.quit();
    });
  });

  return { router, engine, ready, window: () => window };
}
