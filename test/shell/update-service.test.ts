// Updates under policy and consent, against a fake electron-updater.
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import type { AppUpdater } from 'electron-updater';
import { describe, expect, it } from 'vitest';
import type { AdminPolicy } from '../../src-main/policy/policy-schema.ts';
import {
  createUpdateService,
  selfUpdateSupported,
  updaterSessionPartition,
} from '../../src-main/updates/update-service.ts';
import type { Updater, UpdateServiceOptions } from '../../src-main/updates/update-service.ts';
import {
  feedUrlFromAppUpdateYml,
  publisherNamesFromAppUpdateYml,
} from '../../src-main/updates/app-update-config.ts';

// electron-updater's real updater must fit the interface the service takes.
const fitsRealUpdater = (updater: AppUpdater): Updater => updater;
void fitsRealUpdater;

class FakeUpdater extends EventEmitter implements Updater {
  autoDownload = true;
  autoInstallOnAppQuit = true;
  allowDowngrade = true;
  allowPrerelease = true;
  disableDifferentialDownload = false;
  feeds: Array<{ provider: 'generic'; url: string }> = [];
  checks = 0;
  downloads = 0;
  installs: Array<[boolean | undefined, boolean | undefined]> = [];
  verifiedWith: string[][] = [];
  verifyUpdateCodeSignature?: (publisherNames: string[], path: string) => Promise<string | null> = async (
    names,
  ) => {
    this.verifiedWith.push(names);
    return null;
  };

  setFeedURL(options: { provider: 'generic'; url: string }): void {
    this.feeds.push(options);
  }

  checkForUpdates(): Promise<unknown> {
    this.checks += 1;
    return Promise.resolve(null);
  }

  downloadUpdate(): Promise<unknown> {
    this.downloads += 1;
    return Promise.resolve([]);
  }

  quitAndInstall(isSilent?: boolean, isForceRunAfter?: boolean): void {
    this.installs.push([isSilent, isForceRunAfter]);
  }
}

function setup(policy: AdminPolicy, overrides: Partial<UpdateServiceOptions> = {}) {
  const updater = new FakeUpdater();
  const ready: Array<{ version: string; installsOnQuit: boolean }> = [];
  const intervals: Array<{ run: () => void; ms: number; cleared: boolean }> = [];
  const logs: string[] = [];
  const service = createUpdateService({
    updater,
    policy,
    platform: 'darwin',
    isPackaged: true,
    canSelfUpdate: true,
    publisherNames: ['Tessera Contributors'],
    updateSigningKeys: [],
    feedUrl: 'https://updates.example.org/releases',
    fetchSignature: () => Promise.reject(new Error('no signature in this test')),
    onUpdateReady: (update) => ready.push(update),
    log: (level, line) => logs.push(`${level} ${line}`),
    setInterval: (run, ms) => {
      const entry = { run, ms, cleared: false };
      intervals.push(entry);
      return entry;
    },
    clearInterval: (handle) => {
      (handle as { cleared: boolean }).cleared = true;
    },
    ...overrides,
  });
  return { updater, service, ready, intervals, logs };
}

describe('update service', () => {
  it('never checks when the policy turns updates off', () => {
    const { updater, service, intervals } = setup({
      autoUpdate: false,
      updateUrl: 'https://updates.example.org/',
    });
    expect(service.start()).toEqual({ kind: 'disabled', reason: 'policy' });
    expect(updater.checks).toBe(0);
    expect(updater.feeds).toEqual([]);
    expect(intervals).toEqual([]);
    expect(updater.autoDownload).toBe(false);
    expect(updater.autoInstallOnAppQuit).toBe(false);
  });

  it('checks on start and on a schedule, downloads, but never installs without consent', () => {
    const { updater, service, ready, intervals } = setup({});
    expect(service.start()).toEqual({ kind: 'checking' });
    expect(updater.checks).toBe(1);
    expect(updater.autoDownload).toBe(true);
    expect(updater.autoInstallOnAppQuit).toBe(false);
    expect(updater.allowDowngrade).toBe(false);
    expect(updater.allowPrerelease).toBe(false);
    expect(intervals[0]?.ms).toBe(4 * 60 * 60 * 1000);
    intervals[0]?.run();
    expect(updater.checks).toBe(2);

    expect(service.installNow()).toBe(false);
    updater.emit('update-downloaded', { version: '0.2.0' });
    expect(ready).toEqual([{ version: '0.2.0', installsOnQuit: false }]);
    expect(updater.installs).toEqual([]);
    expect(service.installNow()).toBe(true);
    expect(updater.installs).toEqual([[false, true]]);
    service.stop();
    expect(intervals[0]?.cleared).toBe(true);
  });

  it('installs on quit without asking only when the policy says so', () => {
    const { updater, service, ready } = setup({ autoInstallUpdates: true });
    service.start();
    expect(updater.autoInstallOnAppQuit).toBe(true);
    updater.emit('update-downloaded', { version: '0.2.0' });
    expect(ready).toEqual([{ version: '0.2.0', installsOnQuit: true }]);
  });

  it('reads updates from the policy URL', () => {
    const { updater, service } = setup({ updateUrl: 'https://updates.example.org/tessera/' });
    service.start();
    expect(updater.feeds).toEqual([{ provider: 'generic', url: 'https://updates.example.org/tessera/' }]);
  });

  it('refuses a non-https update URL even if one got past the policy schema', () => {
    const { updater, service } = setup({ updateUrl: 'http://updates.example.org/' });
    expect(service.start()).toEqual({ kind: 'disabled', reason: 'insecure-update-url' });
    expect(updater.checks).toBe(0);
    expect(updater.feeds).toEqual([]);
  });

  it('does not update development builds or Linux packages the package manager owns', () => {
    expect(setup({}, { isPackaged: false }).service.start()).toEqual({
      kind: 'disabled',
      reason: 'development-build',
    });
    expect(setup({}, { canSelfUpdate: false }).service.start()).toEqual({
      kind: 'disabled',
      reason: 'unsupported-package',
    });
    expect(selfUpdateSupported('linux', {})).toBe(false);
    expect(selfUpdateSupported('linux', { APPIMAGE: '/home/a/Tessera.AppImage' })).toBe(true);
    expect(selfUpdateSupported('win32', {})).toBe(true);
  });

  it('on Windows, verifies installers against our publisher names, whatever the feed says', async () => {
    const { updater, service } = setup({}, { platform: 'win32' });
    service.start();
    await updater.verifyUpdateCodeSignature?.(['Someone Else'], 'C:\\tmp\\installer.exe');
    expect(updater.verifiedWith).toEqual([['Tessera Contributors']]);
  });

  it('on Windows, stays off without publisher names or a signature check', () => {
    expect(setup({}, { platform: 'win32', publisherNames: [] }).service.start()).toEqual({
      kind: 'disabled',
      reason: 'unsigned-build',
    });
    const unverifiable = setup({}, { platform: 'win32' });
    delete unverifiable.updater.verifyUpdateCodeSignature;
    expect(unverifiable.service.start()).toEqual({ kind: 'disabled', reason: 'unsigned-build' });
    expect(unverifiable.updater.checks).toBe(0);
  });

  it('logs a failed check without stopping', async () => {
    const { updater, service, logs } = setup({});
    updater.checkForUpdates = () => Promise.reject(new Error('net::ERR_CONNECTION_REFUSED'));
    service.start();
    await Promise.resolve();
    await Promise.resolve();
    expect(logs).toContain('warn update check failed: net::ERR_CONNECTION_REFUSED');
  });
});

describe('publisher names from app-update.yml', () => {
  it('reads the list electron-builder writes for a signed build', () => {
    const yml =
      "provider: generic\nurl: https://updates.example.org\npublisherName:\n  - 'Tessera, Inc.'\n  - Tessera Contributors\nupdaterCacheDirName: tessera-updater\n";
    expect(publisherNamesFromAppUpdateYml(yml)).toEqual(['Tessera, Inc.', 'Tessera Contributors']);
    expect(publisherNamesFromAppUpdateYml('publisherName: Tessera Contributors\n')).toEqual([
      'Tessera Contributors',
    ]);
  });

  it('finds none in an unsigned build, or in a damaged file', () => {
    expect(publisherNamesFromAppUpdateYml('provider: generic\nurl: https://updates.example.org\n')).toEqual(
      [],
    );
    expect(publisherNamesFromAppUpdateYml('publisherName: [unclosed')).toEqual([]);
    expect(publisherNamesFromAppUpdateYml('publisherName:\n  - 42\n')).toEqual([]);
    expect(publisherNamesFromAppUpdateYml('- a list\n')).toEqual([]);
  });

  it('reads the feed URL, https only', () => {
    expect(feedUrlFromAppUpdateYml('provider: generic\nurl: https://updates.example.org/r\n')).toBe(
      'https://updates.example.org/r',
    );
    expect(feedUrlFromAppUpdateYml('provider: generic\nurl: http://updates.example.org/r\n')).toBeNull();
    expect(feedUrlFromAppUpdateYml('provider: generic\n')).toBeNull();
    expect(feedUrlFromAppUpdateYml('url: [unclosed')).toBeNull();
    expect(feedUrlFromAppUpdateYml('url: not a url\n')).toBeNull();
  });
});

describe('the updater session', () => {
  it('names the partition electron-updater downloads through', () => {
    const require = createRequire(import.meta.url);
    const executor = require('electron-updater/out/electronHttpExecutor.js') as { NET_SESSION_NAME: string };
    expect(updaterSessionPartition).toBe(executor.NET_SESSION_NAME);
  });
});
