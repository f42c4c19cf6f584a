// Updates through electron-updater, under the organization's policy and the person's consent.
// The updater object is a parameter (electron-updater's `autoUpdater` in main.ts, a fake in tests).
//
// - Policy `autoUpdate: false`: Tessera never asks any server about updates.
// - Policy `updateUrl`: the feed (generic provider), https only.
// - A downloaded update installs only when the person says so (installNow), unless the policy
//   sets `autoInstallUpdates: true`; then it installs when Tessera quits.
// - Signatures: Windows checks the installer's Authenticode signature against our publisher
//   names (no names: no updates, electron-updater would otherwise skip the check); macOS
//   Squirrel checks the new app's code signature against the running app's designated
//   requirement; a Linux AppImage has only the feed's SHA-512 over https (docs/deployment.md).
import type { AdminPolicy } from '../policy/policy-schema.ts';

export interface UpdateInfo {
  version: string;
}

/** The part of electron-updater's AppUpdater (and NsisUpdater on Windows) this module uses. */
export interface Updater {
  autoDownload: boolean;
  autoInstallOnAppQuit: boolean;
  allowDowngrade: boolean;
  allowPrerelease: boolean;
  setFeedURL(options: { provider: 'generic'; url: string }): void;
  checkForUpdates(): Promise<unknown>;
  quitAndInstall(isSilent?: boolean, isForceRunAfter?: boolean): void;
  on(event: 'update-downloaded', listener: (info: UpdateInfo) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  /** NsisUpdater only: checks a downloaded installer; resolves null when it is trusted, else why not. */
  verifyUpdateCodeSignature?: (publisherNames: string[], path: string) => Promise<string | null>;
}

export type UpdatesDisabledReason =
  'policy' | 'development-build' | 'unsigned-build' | 'unsupported-package' | 'insecure-update-url';

export type UpdateServiceState =
  | { kind: 'disabled'; reason: UpdatesDisabledReason }
  | { kind: 'checking' }
  | { kind: 'ready'; version: string; installsOnQuit: boolean };

export interface UpdateServiceOptions {
  updater: Updater;
  policy: AdminPolicy;
  platform: NodeJS.Platform;
  isPackaged: boolean;
  /** False for a Linux deb or rpm: the package manager updates those (see selfUpdateSupported). */
  canSelfUpdate: boolean;
  /** Windows: the certificate subject names our installers are signed with. */
  publisherNames: readonly string[];
  /** A downloaded, verified update waits for consent; the lead forwards this to the renderer. */
  onUpdateReady(update: { version: string; installsOnQuit: boolean }): void;
  log(level: 'info' | 'warn' | 'error', line: string): void;
  /** Default: every 4 hours. */
  checkIntervalMs?: number;
  setInterval?: (run: () => void, ms: number) => unknown;
  clearInterval?: (handle: unknown) => void;
}

export interface UpdateService {
  readonly state: UpdateServiceState;
  /** Applies the policy to the updater and starts checking (unless disabled). */
  start(): UpdateServiceState;
  stop(): void;
  /** The person's consent: quits and installs the downloaded update. False when none is ready. */
  installNow(): boolean;
}

const fourHours = 4 * 60 * 60 * 1000;

/**
 * electron-updater downloads through its own Electron session, `session.fromPartition(this,
 * { cache: false })`, not the default one: certificate pins for the feed's host must be
 * installed on it too (applyCertificatePins in certificate-policy.ts).
 */
export const updaterSessionPartition = 'electron-updater';

/** Only AppImage updates itself on Linux; deb and rpm belong to the package manager. */
export function selfUpdateSupported(
  platform: NodeJS.Platform,
  env: Readonly<Record<string, string | undefined>>,
): boolean {
  if (platform === 'win32' || platform === 'darwin') return true;
  return platform === 'linux' && typeof env.APPIMAGE === 'string' && env.APPIMAGE !== '';
}

function isHttpsUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' && url.username === '' && url.password === '';
  } catch {
    return false;
  }
}

function disabledReason(options: UpdateServiceOptions): UpdatesDisabledReason | null {
  if (options.policy.autoUpdate === false) return 'policy';
  if (!options.isPackaged) return 'development-build';
  if (!options.canSelfUpdate) return 'unsupported-package';
  if (options.platform === 'win32') {
    // Without both, electron-updater would install an installer it has not checked.
    if (options.publisherNames.length === 0 || options.updater.verifyUpdateCodeSignature === undefined) {
      return 'unsigned-build';
    }
  }
  if (options.policy.updateUrl !== undefined && !isHttpsUrl(options.policy.updateUrl))
    return 'insecure-update-url';
  return null;
}

export function createUpdateService(options: UpdateServiceOptions): UpdateService {
  const { updater, log } = options;
  const schedule = options.setInterval ?? ((run, ms) => setInterval(run, ms));
  const cancel =
    options.clearInterval ?? ((handle) => clearInterval(handle as ReturnType<typeof setInterval>));
  const installsOnQuit = options.policy.autoInstallUpdates === true;
  let state: UpdateServiceState = { kind: 'disabled', reason: 'policy' };
  let timer: unknown = null;
  let started = false;

  const check = () => {
    updater.checkForUpdates().catch((error: unknown) => {
      // electron-updater's messages name URLs and HTTP status, not secrets; keep them short.
      log(
        'warn',
        `update check failed: ${error instanceof Error ? error.message.slice(0, 200) : 'unknown error'}`,
      );
    });
  };

  return {
    get state() {
      return state;
    },

    start() {
      if (started) return state;
      started = true;
      const reason = disabledReason(options);
      // Whatever happens next, nothing installs behind the person's back and nothing goes backwards.
      updater.autoInstallOnAppQuit = false;
      updater.allowDowngrade = false;
      updater.allowPrerelease = false;
      if (reason !== null) {
        updater.autoDownload = false;
        state = { kind: 'disabled', reason };
        log('info', `updates are off (${reason})`);
        return state;
      }
      updater.autoDownload = true;
      updater.autoInstallOnAppQuit = installsOnQuit;
      const verify = updater.verifyUpdateCodeSignature;
      if (options.platform === 'win32' && verify !== undefined) {
        // Our publisher names, whatever the update feed or app-update.yml says.
        const expected = [...options.publisherNames];
        updater.verifyUpdateCodeSignature = (_names, path) => verify.call(updater, expected, path);
      }
      if (options.policy.updateUrl !== undefined) {
        updater.setFeedURL({ provider: 'generic', url: options.policy.updateUrl });
      }
      updater.on('update-downloaded', (info) => {
        state = { kind: 'ready', version: info.version, installsOnQuit };
        log('info', `update ${info.version.slice(0, 40)} downloaded and verified`);
        options.onUpdateReady({ version: info.version, installsOnQuit });
      });
      updater.on('error', (error) => {
        log('warn', `updater: ${error.message.slice(0, 200)}`);
      });
      state = { kind: 'checking' };
      check();
      timer = schedule(check, options.checkIntervalMs ?? fourHours);
      return state;
    },

    stop() {
      if (timer !== null) cancel(timer);
      timer = null;
    },

    installNow() {
      if (state.kind !== 'ready') return false;
      // Not silent: the installer shows its progress; run Tessera again afterwards.
      updater.quitAndInstall(false, true);
      return true;
    },
  };
}
