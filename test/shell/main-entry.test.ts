// src-main/main.ts is the only file that imports the electron runtime: with electron, the
// engine host, electron-updater and the system policy readers replaced, importing it must read
// the policy, then start Tessera with the built files' paths and the policy's engine options.
import { pathToFileURL } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import type { EngineHostOptions } from '../../src-main/engine-host.ts';
import type { FakeElectron } from './fake-electron.ts';

const state = vi.hoisted(() => ({
  electron: null as FakeElectron | null,
  engineOptions: [] as EngineHostOptions[],
  updater: {
    autoDownload: true,
    autoInstallOnAppQuit: true,
    allowDowngrade: true,
    allowPrerelease: true,
    setFeedURL: () => undefined,
    checkForUpdates: () => Promise.resolve(null),
    quitAndInstall: () => undefined,
    on: () => undefined,
  },
}));

vi.mock('electron', async () => {
  const { createFakeElectron } = await import('./fake-electron.ts');
  state.electron = createFakeElectron({ appPath: '/opt/tessera' });
  return { ...state.electron };
});

vi.mock('electron-updater', () => ({ autoUpdater: state.updater }));

vi.mock('../../src-main/policy/system-policy-readers.ts', async () => {
  const { fakeFiles } = await import('./policy-fakes.ts');
  return {
    systemPolicyReaders: () => ({
      files: fakeFiles({
        '/etc/tessera/policy.json': JSON.stringify({
          allowedHomeservers: ['matrix.example.org'],
          allowPassphraseKeyFallback: false,
          readReceipts: 'private',
        }),
      }),
    }),
  };
});

vi.mock('../../src-main/engine-host.ts', () => ({
  EngineHost: {
    start: (options: EngineHostOptions) => {
      state.engineOptions.push(options);
      return Promise.resolve({ dispatch: vi.fn(), stop: () => Promise.resolve() });
    },
  },
}));

describe('main entry', () => {
  it.runIf(process.platform === 'linux')(
    'reads the policy, then starts the engine under it and opens the window with dist/preload',
    async () => {
      await import('../../src-main/main.ts');
      const electron = state.electron;
      if (!electron) throw new Error('electron was not imported');
      // Nothing starts before ready: the policy decides how.
      expect(state.engineOptions).toHaveLength(0);

      await electron.app.becomeReady();
      await vi.waitFor(() => expect(electron.BrowserWindow.instances).toHaveLength(1));
      expect(state.engineOptions).toHaveLength(1);
      expect(String(state.engineOptions[0]?.workerUrl)).toBe(
        pathToFileURL('/opt/tessera/dist/main/engine-worker.mjs').href,
      );
      expect(typeof state.engineOptions[0]?.onEvent).toBe('function');
      expect(state.engineOptions[0]?.engineOptions).toEqual({
        profileDir: '/home/user/.config/Tessera',
        policy: {
          allowedHomeservers: ['matrix.example.org'],
          passwordSignIn: true,
          passphraseKeyFallback: false,
          lockedSettings: { readReceipts: 'private' },
          managed: ['allowedHomeservers', 'allowPassphraseKeyFallback', 'readReceipts'],
        },
      });
      expect(electron.BrowserWindow.instances[0]?.options.webPreferences?.['preload']).toBe(
        '/opt/tessera/dist/preload/preload.cjs',
      );
      expect(electron.protocolHandlers.has('app')).toBe(true);
      // An unpackaged build never updates itself; the updater is told so and never asked.
      expect(state.updater.autoDownload).toBe(false);
      expect(state.updater.autoInstallOnAppQuit).toBe(false);
    },
  );
});
