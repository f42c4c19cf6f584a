// The main process's life: single instance, the app:// scheme, security handlers, the
// organization's policy, the IPC router, the engine worker, the window, updates, and an orderly
// engine stop before quitting. Takes the electron module as a parameter so the shell tests can
// run it against a fake.
import type * as Electron from 'electron';
import type { CommandDispatcher } from './ipc-router.ts';
import { IpcRouter } from './ipc-router.ts';
import {
  mainCommandNames,
  type EventName,
  type EventPayloads,
  type InvokeOutcome,
  type MainCommandName,
} from '../src-preload/contract.ts';
import type { EnginePolicy } from './engine/protocol.ts';
import { appScheme } from './app-origin.ts';
import { createAppProtocolHandler, registerAppScheme } from './app-protocol.ts';
import type { AppPaths } from './app-paths.ts';
import { bindInvokeChannel, createEventForwarder, isTrustedSender, mainFrameOf } from './ipc-binding.ts';
import { applyCertificatePins, updaterPartition } from './certificate-policy.ts';
import type { MediaRequest, MediaResult } from './engine/media/media-request.ts';
import { createMediaProtocolHandler, mediaScheme, mediaSchemeRegistration } from './media-protocol.ts';
import { applyNavigationPolicy, applySessionPolicy, refuseCertificateErrors } from './security.ts';
import { claimSingleInstance } from './single-instance.ts';
import { matrixUriInArgv } from './matrix-uri.ts';
import { createMatrixUriInbox } from './matrix-uri-inbox.ts';
import { createMainWindow, focusWindow } from './window.ts';
import { createDesktopNotifications } from './notifications.ts';
import { openSignInPage } from './sso-browser.ts';
import { describeIssue, lockedPolicyKeys, type PolicyOutcome } from './policy/load-admin-policy.ts';
import { enginePolicyFromAdminPolicy, shellSecurityFromPolicy } from './policy/policy-rules.ts';
import type { AdminPolicy } from './policy/policy-schema.ts';
import {
  describeUnpackedRefusal,
  settleUnpackedCheck,
  type UnpackedCheck,
} from './packaging/unpacked-integrity.ts';

export type ElectronMain = Pick<
  typeof Electron,
  'app' | 'BrowserWindow' | 'dialog' | 'ipcMain' | 'Notification' | 'protocol' | 'session' | 'shell'
>;

/** The engine as main sees it: a dispatcher that can be stopped. EngineHost in production. */
export interface RunningEngine extends CommandDispatcher {
  stop(): Promise<void>;
  /** The bytes behind a tessera-media:// URL; media is refused when the engine has none. */
  fetchMedia?(request: MediaRequest): Promise<MediaResult>;
}

/** What the administrator's policy decides for the shell (shellSecurityFromPolicy), as plain values. */
export interface ShellSecurityOptions {
  /** Devtools may open; default: only in unpackaged (development) builds. */
  devtools?: boolean;
  /** Host → `sha256/<base64>` SPKI pins; hosts not listed keep Chromium's verdict. */
  certificatePins?: Readonly<Record<string, readonly string[]>>;
}

export type EventSink = <E extends EventName>(name: E, payload: EventPayloads[E]) => void;

/** Main's side of the updates (src-main/updates/update-service.ts), started once the policy allows. */
export interface RunningUpdates {
  /** The person's consent: quits and installs the downloaded update. False when none is ready. */
  installNow(): boolean;
  stop(): void;
}

export interface UpdateContext {
  policy: AdminPolicy;
  /** Forwards update.ready to the window. */
  onUpdateReady: (update: EventPayloads['update.ready']) => void;
  log: (level: 'info' | 'warn' | 'error', line: string) => void;
}

export interface MainProcessOptions {
  paths: AppPaths;
  /**
   * The organization's policy (loadAdminPolicy), started before `ready` so reading it overlaps
   * Electron's start. Nothing opens until it resolves; a refused policy ends Tessera. Default: none.
   */
  policy?: Promise<PolicyOutcome>;
  /**
   * The check of the files outside app.asar (packaging/unpacked-integrity.ts), started before
   * `ready` too. A refused check ends Tessera before the engine or a window starts. Default: none.
   */
  unpackedFiles?: Promise<UnpackedCheck>;
  /** Starts the engine under the policy's sign-in limits and locked settings. */
  startEngine: (onEvent: EventSink, policy: EnginePolicy) => Promise<RunningEngine>;
  /** Starts the update service (main.ts: electron-updater); none in tests unless given. */
  startUpdates?: (context: UpdateContext) => RunningUpdates;
  log?: (level: 'info' | 'warn' | 'error', line: string) => void;
  /** How long quitting waits for the engine before giving up on it (default 10 s). */
  quitDeadlineMs?: number;
  /** This instance's command line (default process.argv): on Windows and Linux it may carry a matrix: link. */
  argv?: readonly string[];
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

const noUpdate: InvokeOutcome<never> = {
  ok: false,
  error: { code: 'update_not_ready', message: 'No update is ready to install' },
};

/** No policy sources: nothing is managed. */
const unmanaged: PolicyOutcome = {
  kind: 'loaded',
  policy: {},
  machine: {},
  user: {},
  locked: [],
  issues: [],
  sources: [],
};

const isMainCommand = (command: string): command is MainCommandName =>
  (mainCommandNames as readonly string[]).includes(command);

/** The engine's share of the policy, with what policy.get shows the sign-in form. */
function enginePolicyOf(policy: AdminPolicy): EnginePolicy {
  return {
    ...enginePolicyFromAdminPolicy(policy),
    ...(policy.defaultHomeserver !== undefined ? { defaultHomeserver: policy.defaultHomeserver } : {}),
    managed: lockedPolicyKeys(policy),
  };
}

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));

const defaultLog = (level: 'info' | 'warn' | 'error', line: string) => console[level](`[main] ${line}`);

/** Returns null when another instance already runs (this one is quitting). */
export function startMainProcess(electron: ElectronMain, options: MainProcessOptions): MainProcess | null {
  const { app, BrowserWindow, ipcMain, protocol, session, shell } = electron;
  const log = options.log ?? defaultLog;
  // Until the policy is known: the safe value. Nothing shows before it is known anyway.
  let security: ShellSecurityOptions = { devtools: false };
  let window: Electron.BrowserWindow | null = null;
  /** The policy is loaded and applied: windows may open. */
  let policyApplied = false;

  if (
    !claimSingleInstance(app, (argv) => {
      focusWindow(window);
      const uri = matrixUriInArgv(argv);
      if (uri !== null) links.receive(uri);
    })
  )
    return null;

  // Tessera answers matrix: links (electron-builder.yml declares the scheme; the Linux desktop
  // entry lists x-scheme-handler/matrix). Only packaged builds register: a development run would
  // make the bare Electron binary the system's handler for every matrix: link.
  if (app.isPackaged) app.setAsDefaultProtocolClient('matrix');

  // All of these must happen before `ready`.
  app.enableSandbox();
  registerAppScheme(protocol, [mediaSchemeRegistration()]);
  app.on('web-contents-created', (_event, contents) =>
    applyNavigationPolicy(contents, {
      shell,
      log,
      devtools: security.devtools === true,
      // A matrix.to link in a message opens in Tessera, like a matrix: link (after `links` exists).
      openMatrixLink: (uri) => links.receive(uri),
    }),
  );
  refuseCertificateErrors(app, log);

  const forwardEvent = createEventForwarder(() => window);
  /** The window's page has loaded, so its listeners are in place. */
  let windowLoaded = false;
  const links = createMatrixUriInbox({
    canDeliver: () => window !== null && !window.isDestroyed() && windowLoaded,
    deliver: (link) => {
      focusWindow(window);
      forwardEvent('link.opened', link);
    },
    // On macOS the app lives on without a window; a link opens one (once the policy allows).
    onWaiting: () => {
      if (policyApplied && window === null) openWindow();
    },
    log,
  });
  // macOS hands links over as open-url, possibly before `ready`.
  app.on('open-url', (event, url) => {
    event.preventDefault();
    links.receive(url);
  });
  const launchUri = matrixUriInArgv(options.argv ?? process.argv);
  if (launchUri !== null) links.receive(launchUri);
  const showNotification = createDesktopNotifications({
    Notification: electron.Notification,
    window: () => window,
    onClick: (roomId) => {
      focusWindow(window);
      forwardEvent('room.focusRequested', { roomId });
    },
  });
  // Engine events go to the window, except notifications: main shows those itself, so message
  // text meant for a notification never reaches the renderer. Likewise single sign-on pages:
  // main opens them in the system browser (their URL holds the sign-in's secret state).
  const onEngineEvent: EventSink = (name, payload) => {
    if (name === 'notification.show') {
      showNotification(payload as EventPayloads['notification.show']);
      return;
    }
    if (name === 'browser.openRequested') {
      openSignInPage(shell, (payload as EventPayloads['browser.openRequested']).url, log);
      return;
    }
    forwardEvent(name, payload);
  };
  const policyOutcome = (options.policy ?? Promise.resolve(unmanaged)).catch(
    (error: unknown): PolicyOutcome => ({
      // loadAdminPolicy reports what it can read; anything thrown is a reader that failed outright.
      kind: 'refused',
      issues: [],
      message: `Tessera cannot start: the policy set by your organization could not be read (${describe(error)}). Ask your IT department.`,
    }),
  );
  // The policy decides how the engine starts: it starts once the policy is loaded (after `ready`).
  let markEngine!: (engine: Promise<RunningEngine | null>) => void;
  const engine = new Promise<RunningEngine | null>((resolve) => {
    markEngine = resolve;
  });
  let updates: RunningUpdates | null = null;

  const dispatchMain = (command: MainCommandName): InvokeOutcome<never> => {
    switch (command) {
      case 'update.install':
        return updates?.installNow() ? { ok: true, value: null as never } : noUpdate;
    }
  };

  const dispatcher: CommandDispatcher = {
    async dispatch(command, args) {
      if (isMainCommand(command)) return dispatchMain(command);
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
    const created = createMainWindow(BrowserWindow, options.paths.preload, {
      devtools: security.devtools === true,
    });
    created.on('closed', () => {
      if (window === created) window = null;
    });
    created.webContents.on('did-finish-load', () => {
      if (window !== created) return;
      windowLoaded = true;
      links.flush();
    });
    window = created;
    windowLoaded = false;
  };

  const ready = app.whenReady().then(async () => {
    // The engine worker and the native modules must be the ones that shipped before anything runs.
    const files = await settleUnpackedCheck(options.unpackedFiles);
    if (files.kind === 'refused') {
      log('error', `${describeUnpackedRefusal(files)}; quitting`);
      markEngine(Promise.resolve(null));
      electron.dialog.showErrorBox('Tessera cannot start', files.message);
      app.exit(1);
      return;
    }
    if (files.kind === 'verified') log('info', `installed files verified (${files.files} files)`);
    const outcome = await policyOutcome;
    for (const issue of outcome.issues) log('warn', `policy: ${describeIssue(issue)}`);
    if (outcome.kind === 'refused') {
      log('error', 'the policy was refused; quitting');
      markEngine(Promise.resolve(null));
      electron.dialog.showErrorBox('Tessera cannot start', outcome.message);
      app.exit(1);
      return;
    }
    if (outcome.sources.length > 0) log('info', `policy from ${outcome.sources.join(', ')}`);
    const policy = outcome.policy;
    security = shellSecurityFromPolicy(policy, app.isPackaged);
    markEngine(
      options.startEngine(onEngineEvent, enginePolicyOf(policy)).catch((error: unknown) => {
        log('error', `the engine could not start: ${describe(error)}`);
        return null;
      }),
    );

    applySessionPolicy(session.defaultSession);
    const pins = security.certificatePins ?? {};
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
    policyApplied = true;
    openWindow();
    if (options.startUpdates) {
      try {
        updates = options.startUpdates({
          policy,
          onUpdateReady: (update) => forwardEvent('update.ready', update),
          log,
        });
      } catch (error) {
        // Updates failing to start must not keep Tessera from running.
        log('error', `updates could not start: ${describe(error)}`);
      }
    }
  });

  // macOS re-opens the window from the dock; elsewhere closing the window quits.
  app.on('activate', () => {
    if (policyApplied && window === null) openWindow();
  });
  app.on('window-all-closed', () => app.quit());

  let engineStopped = false;
  let stopping = false;
  app.on('before-quit', (event) => {
    updates?.stop();
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
