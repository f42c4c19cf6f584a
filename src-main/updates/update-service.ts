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
//   requirement; a Linux AppImage has no OS signature, so it is downloaded only after the feed's
//   facts about it verify with our Ed25519 update key (update-signature.ts; no key built in: no
//   updates), and electron-updater's SHA-512 check then proves the file.
import type { AdminPolicy } from '../policy/policy-schema.ts';
import { verifyUpdateSignature } from './update-signature.ts';

export interface UpdateInfo {
  version: string;
}

/** What the feed says about a new version (electron-updater's UpdateInfo, the part used here). */
export interface AvailableUpdate {
  version: string;
  files: ReadonlyArray<{ url: string; sha512: string }>;
}

/** The part of electron-updater's AppUpdater (and NsisUpdater on Windows) this module uses. */
export interface Updater {
  autoDownload: boolean;
  autoInstallOnAppQuit: boolean;
  allowDowngrade: boolean;
  allowPrerelease: boolean;
  /** Linux: a block-wise download is not checked against the whole file's SHA-512; never use it. */
  disableDifferentialDownload: boolean;
  setFeedURL(options: { provider: 'generic'; url: string }): void;
  checkForUpdates(): Promise<unknown>;
  /** Linux: started by the service once the update's signature verifies (autoDownload is off). */
  downloadUpdate(): Promise<unknown>;
  quitAndInstall(isSilent?: boolean, isForceRunAfter?: boolean): void;
  on(event: 'update-available', listener: (info: AvailableUpdate) => void): unknown;
  on(event: 'update-downloaded', listener: (info: UpdateInfo) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  /** NsisUpdater only: checks a downloaded installer; resolves null when it is trusted, else why not. */
  verifyUpdateCodeSignature?: (publisherNames: string[], path: string) => Promise<string | null>;
}

export type UpdatesDisabledReason =
  | 'policy'
  | 'development-build'
  | 'unsigned-build'
  | 'unsupported-package'
  | 'insecure-update-url'
  | 'no-update-feed';

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
  /** Linux: the Ed25519 keys (base64 SPKI) an update's signature must verify with; none: no updates. */
  updateSigningKeys: readonly string[];
  /** Linux: the feed electron-builder wrote into app-update.yml (the policy's updateUrl wins). */
  feedUrl: string | null;
  /** Linux: a signature file's text, fetched through the updater's session (so pins apply). */
  fetchSignature(url: string): Promise<string>;
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
  if (options.platform === 'linux') {
    // Without a key, an AppImage update would rest on the feed server alone.
    if (options.updateSigningKeys.length === 0) return 'unsigned-build';
    if (feedUrl(options) === null) return 'no-update-feed';
  }
  return null;
}

function feedUrl(options: UpdateServiceOptions): string | null {
  const url = options.policy.updateUrl ?? options.feedUrl;
  return url !== null && isHttpsUrl(url) ? url : null;
}

/** Where the signature of the feed's one AppImage lives, and what it must sign; or why not. */
export function signedAppImage(
  update: AvailableUpdate,
  feed: string,
): { signatureUrl: string; fileName: string; sha512: string } | { refused: string } {
  const base = feed.endsWith('/') ? feed : `${feed}/`;
  const appImages = update.files.flatMap((file) => {
    if (!URL.canParse(file.url, base)) return [];
    const url = new URL(file.url, base);
    return url.pathname.toLowerCase().endsWith('.appimage') ? [{ url, sha512: file.sha512 }] : [];
  });
  // electron-updater takes the first; with two, which one is signed would be ambiguous.
  if (appImages.length !== 1 || appImages[0] === undefined) {
    return { refused: `the feed lists ${appImages.length} AppImage files` };
  }
  const { url, sha512 } = appImages[0];
  if (url.protocol !== 'https:') return { refused: 'the AppImage is not served over https' };
  let fileName: string;
  try {
    fileName = decodeURIComponent(url.pathname.slice(url.pathname.lastIndexOf('/') + 1));
  } catch {
    return { refused: 'the AppImage has a malformed name' };
  }
  const signature = new URL(url);
  signature.pathname = `${url.pathname}.sig`;
  signature.search = '';
  signature.hash = '';
  return { signatureUrl: signature.href, fileName, sha512 };
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

  /** The version whose signature is being checked or whose download runs, so checks don't pile up. */
  let verifying: string | null = null;

  const downloadIfSigned = async (update: AvailableUpdate, feed: string) => {
    if (verifying === update.version) return;
    verifying = update.version;
    const version = update.version.slice(0, 40);
    const refuse = (why: string) => {
      log('warn', `update ${version} refused: ${why}`);
      verifying = null;
    };
    const target = signedAppImage(update, feed);
    if ('refused' in target) return refuse(target.refused);
    let signature: string;
    try {
      signature = await options.fetchSignature(target.signatureUrl);
    } catch (error) {
      return refuse(
        `its signature could not be fetched (${error instanceof Error ? error.message.slice(0, 120) : 'unknown error'})`,
      );
    }
    const signed = { version: update.version, fileName: target.fileName, sha512: target.sha512 };
    if (!verifyUpdateSignature(signed, signature, options.updateSigningKeys)) {
      return refuse('its signature does not verify with the update key built into Tessera');
    }
    log('info', `update ${version}: signature verified, downloading`);
    try {
      await updater.downloadUpdate();
    } catch (error) {
      refuse(
        `the download failed (${error instanceof Error ? error.message.slice(0, 120) : 'unknown error'})`,
      );
    }
  };

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
      const feed = feedUrl(options);
      if (options.platform === 'linux' && feed !== null) {
        updater.autoDownload = false;
        updater.disableDifferentialDownload = true;
        updater.on('update-available', (update) => void downloadIfSigned(update, feed));
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
