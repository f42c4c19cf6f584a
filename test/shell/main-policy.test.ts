// The organization's policy and the updates as main wires them, against the fake electron: a
// refused policy ends Tessera before anything opens; a loaded one decides devtools, pins and the
// engine's options; update.install and update.ready go between the window and the update service.
import { describe, expect, it, vi } from 'vitest';
import { ipcChannels } from '../../src-preload/contract.ts';
import { appPaths } from '../../src-main/app-paths.ts';
import type { EnginePolicy } from '../../src-main/engine/protocol.ts';
import {
  startMainProcess,
  type ElectronMain,
  type RunningUpdates,
  type UpdateContext,
} from '../../src-main/main-process.ts';
import { loadAdminPolicy, type PolicyOutcome } from '../../src-main/policy/load-admin-policy.ts';
import { createFakeElectron, type FakeElectron } from './fake-electron.ts';
import { fakeFiles, pinA } from './policy-fakes.ts';
import { appRoot, loadedPolicy, RecordingEngine } from './shell-harness.ts';

interface Options {
  policy: Promise<PolicyOutcome>;
  isPackaged?: boolean;
  updates?: RunningUpdates;
}

function startWith(options: Options) {
  const electron = createFakeElectron({ appPath: appRoot, isPackaged: options.isPackaged ?? false });
  const engine = new RecordingEngine();
  const logs: string[] = [];
  const enginePolicies: EnginePolicy[] = [];
  const updateContexts: UpdateContext[] = [];
  const process = startMainProcess(electron as unknown as ElectronMain, {
    paths: appPaths(appRoot, options.isPackaged ?? false),
    policy: options.policy,
    startEngine: (_onEvent, policy) => {
      enginePolicies.push(policy);
      return Promise.resolve(engine);
    },
    ...(options.updates
      ? {
          startUpdates: (context: UpdateContext) => {
            updateContexts.push(context);
            return options.updates!;
          },
        }
      : {}),
    log: (level, line) => logs.push(`${level} ${line}`),
  });
  if (!process) throw new Error('expected the first instance to start');
  return { electron, engine, process, logs, enginePolicies, updateContexts };
}

function topFrame(electron: FakeElectron) {
  const window = electron.BrowserWindow.instances[0];
  if (!window) throw new Error('no window');
  return window.webContents.mainFrame;
}

const refused: PolicyOutcome = {
  kind: 'refused',
  issues: [
    { source: '/etc/tessera/policy.json', field: 'certificatePins', message: 'is not valid', security: true },
  ],
  message: 'Tessera cannot start: the policy set by your organization is not valid. Ask your IT department.',
};

describe('a refused policy', () => {
  it('shows the error box and exits with 1, without a window or an engine', async () => {
    const shell = startWith({ policy: Promise.resolve(refused) });
    await shell.electron.app.becomeReady();
    await shell.process.ready;
    expect(shell.electron.errorBoxes).toEqual([{ title: 'Tessera cannot start', content: refused.message }]);
    expect(shell.electron.app.exitCode).toBe(1);
    expect(shell.electron.calls.slice(-2)).toEqual(['dialog.showErrorBox', 'app.exit(1)']);
    expect(shell.electron.BrowserWindow.instances).toHaveLength(0);
    expect(shell.enginePolicies).toEqual([]);
    expect(await shell.process.engine).toBeNull();
    expect(shell.logs).toContain('warn policy: /etc/tessera/policy.json: "certificatePins" is not valid');
    // The dock cannot bring a window back either.
    shell.electron.app.emit('activate');
    expect(shell.electron.BrowserWindow.instances).toHaveLength(0);
  });

  it('is what a real policy file with a bad security key gives', async () => {
    const policy = loadAdminPolicy('linux', {
      files: fakeFiles({ '/etc/tessera/policy.json': JSON.stringify({ allowDevTools: 'yes' }) }),
    });
    const shell = startWith({ policy });
    await shell.electron.app.becomeReady();
    await shell.process.ready;
    expect(shell.electron.errorBoxes).toHaveLength(1);
    expect(shell.electron.errorBoxes[0]?.content).toContain('"allowDevTools"');
    expect(shell.electron.app.exitCode).toBe(1);
    expect(shell.electron.BrowserWindow.instances).toHaveLength(0);
    expect(shell.enginePolicies).toEqual([]);
  });

  it('includes a policy that could not be read at all', async () => {
    const shell = startWith({ policy: Promise.reject(new Error('reg.exe failed')) });
    await shell.electron.app.becomeReady();
    await shell.process.ready;
    expect(shell.electron.errorBoxes[0]?.content).toContain('could not be read');
    expect(shell.electron.app.exitCode).toBe(1);
    expect(shell.electron.BrowserWindow.instances).toHaveLength(0);
  });

  it('refuses IPC calls: the engine never started', async () => {
    const shell = startWith({ policy: Promise.resolve(refused) });
    await shell.electron.app.becomeReady();
    await shell.process.ready;
    expect(shell.engine.calls).toEqual([]);
  });
});

describe('a loaded policy', () => {
  it('starts nothing before it is known', async () => {
    let resolve!: (outcome: PolicyOutcome) => void;
    const shell = startWith({ policy: new Promise((done) => (resolve = done)) });
    await shell.electron.app.becomeReady();
    await Promise.resolve();
    expect(shell.electron.BrowserWindow.instances).toHaveLength(0);
    expect(shell.enginePolicies).toEqual([]);
    resolve(loadedPolicy({}));
    await shell.process.ready;
    expect(shell.electron.BrowserWindow.instances).toHaveLength(1);
    expect(shell.enginePolicies).toHaveLength(1);
  });

  it('gives the engine its sign-in limits, locked settings and the default homeserver', async () => {
    const shell = startWith({
      policy: Promise.resolve(
        loadedPolicy({
          defaultHomeserver: 'https://matrix.example.org',
          allowedHomeservers: ['matrix.example.org'],
          ssoOnly: true,
          allowPassphraseKeyFallback: false,
          sendTypingNotices: false,
        }),
      ),
    });
    await shell.electron.app.becomeReady();
    await shell.process.ready;
    expect(shell.enginePolicies).toEqual([
      {
        allowedHomeservers: ['matrix.example.org'],
        passwordSignIn: false,
        passphraseKeyFallback: false,
        lockedSettings: { sendTypingNotices: false },
        defaultHomeserver: 'https://matrix.example.org',
        managed: [
          'defaultHomeserver',
          'allowedHomeservers',
          'ssoOnly',
          'allowPassphraseKeyFallback',
          'sendTypingNotices',
        ],
      },
    ]);
    expect(shell.logs).toContain('info policy from /etc/tessera/policy.json');
  });

  it('gives an unmanaged engine policy when there is none', async () => {
    const shell = startWith({ policy: Promise.resolve(loadedPolicy({}, [])) });
    await shell.electron.app.becomeReady();
    await shell.process.ready;
    expect(shell.enginePolicies).toEqual([
      { passwordSignIn: true, passphraseKeyFallback: true, lockedSettings: {}, managed: [] },
    ]);
  });

  it('logs the issues it dropped keys for, and runs', async () => {
    const policy = loadAdminPolicy('linux', {
      files: fakeFiles({ '/etc/tessera/policy.json': JSON.stringify({ sendTypingNotices: 'no' }) }),
    });
    const shell = startWith({ policy });
    await shell.electron.app.becomeReady();
    await shell.process.ready;
    expect(shell.electron.BrowserWindow.instances).toHaveLength(1);
    expect(shell.logs.filter((line) => line.startsWith('warn policy: '))).toHaveLength(1);
    expect(shell.logs.join('\n')).toContain('"sendTypingNotices"');
    expect(shell.logs.join('\n')).not.toContain('"no"');
  });

  it('puts its devtools and certificate pins on the window and the sessions (packaged)', async () => {
    const pins = { 'matrix.example.org': [pinA] };
    const shell = startWith({
      isPackaged: true,
      policy: Promise.resolve(loadedPolicy({ allowDevTools: true, certificatePins: pins })),
    });
    await shell.electron.app.becomeReady();
    await shell.process.ready;
    const window = shell.electron.BrowserWindow.instances[0]!;
    expect(window.options.webPreferences?.['devTools']).toBe(true);
    window.webContents.openDevTools();
    expect(window.webContents.devToolsOpen).toBe(true);
    expect(shell.electron.session.defaultSession.certificateVerifyProc).not.toBeNull();
    expect(shell.electron.session.partitions.size).toBe(1);
  });

  it('keeps devtools closed in a packaged build without the policy', async () => {
    const shell = startWith({ isPackaged: true, policy: Promise.resolve(loadedPolicy({})) });
    await shell.electron.app.becomeReady();
    await shell.process.ready;
    const window = shell.electron.BrowserWindow.instances[0]!;
    window.webContents.openDevTools();
    expect(window.webContents.devToolsOpen).toBe(false);
    expect(shell.electron.session.partitions.size).toBe(0);
  });
});

class FakeUpdates implements RunningUpdates {
  ready = false;
  installs = 0;
  stops = 0;

  installNow(): boolean {
    if (!this.ready) return false;
    this.installs += 1;
    return true;
  }

  stop(): void {
    this.stops += 1;
  }
}

describe('updates', () => {
  it('start after the window with the resolved policy', async () => {
    const updates = new FakeUpdates();
    const shell = startWith({
      policy: Promise.resolve(loadedPolicy({ autoInstallUpdates: true })),
      updates,
    });
    await shell.electron.app.becomeReady();
    await shell.process.ready;
    expect(shell.updateContexts).toHaveLength(1);
    expect(shell.updateContexts[0]?.policy).toEqual({ autoInstallUpdates: true });
  });

  it('do not start under a refused policy', async () => {
    const updates = new FakeUpdates();
    const shell = startWith({ policy: Promise.resolve(refused), updates });
    await shell.electron.app.becomeReady();
    await shell.process.ready;
    expect(shell.updateContexts).toEqual([]);
  });

  it('update.install reaches the update service, never the engine', async () => {
    const updates = new FakeUpdates();
    const shell = startWith({ policy: Promise.resolve(loadedPolicy({})), updates });
    await shell.electron.app.becomeReady();
    await shell.process.ready;
    const top = topFrame(shell.electron);
    expect(await shell.electron.ipcMain.invoke(ipcChannels.invoke, top, 'update.install', {})).toMatchObject({
      ok: false,
      error: { code: 'update_not_ready' },
    });
    updates.ready = true;
    expect(await shell.electron.ipcMain.invoke(ipcChannels.invoke, top, 'update.install', {})).toEqual({
      ok: true,
      value: null,
    });
    expect(updates.installs).toBe(1);
    expect(shell.engine.calls).toEqual([]);
  });

  it('update.install is validated like any command', async () => {
    const updates = new FakeUpdates();
    updates.ready = true;
    const shell = startWith({ policy: Promise.resolve(loadedPolicy({})), updates });
    await shell.electron.app.becomeReady();
    await shell.process.ready;
    const top = topFrame(shell.electron);
    expect(
      await shell.electron.ipcMain.invoke(ipcChannels.invoke, top, 'update.install', { silent: true }),
    ).toMatchObject({ ok: false, error: { code: 'invalid_arguments' } });
    expect(await shell.electron.ipcMain.invoke(ipcChannels.invoke, null, 'update.install', {})).toMatchObject(
      { ok: false, error: { code: 'forbidden_sender' } },
    );
    expect(updates.installs).toBe(0);
  });

  it('update.install answers update_not_ready without an update service', async () => {
    const shell = startWith({ policy: Promise.resolve(loadedPolicy({})) });
    await shell.electron.app.becomeReady();
    await shell.process.ready;
    expect(
      await shell.electron.ipcMain.invoke(ipcChannels.invoke, topFrame(shell.electron), 'update.install', {}),
    ).toMatchObject({ ok: false, error: { code: 'update_not_ready' } });
  });

  it('forward update.ready to the window on the event channel', async () => {
    const updates = new FakeUpdates();
    const shell = startWith({ policy: Promise.resolve(loadedPolicy({})), updates });
    await shell.electron.app.becomeReady();
    await shell.process.ready;
    shell.updateContexts[0]?.onUpdateReady({ version: '1.2.3', installsOnQuit: false });
    expect(shell.electron.BrowserWindow.instances[0]!.webContents.sent).toEqual([
      { channel: ipcChannels.event, args: ['update.ready', { version: '1.2.3', installsOnQuit: false }] },
    ]);
  });

  it('stop when Tessera quits', async () => {
    const updates = new FakeUpdates();
    const shell = startWith({ policy: Promise.resolve(loadedPolicy({})), updates });
    await shell.electron.app.becomeReady();
    await shell.process.ready;
    shell.electron.app.quit();
    await vi.waitFor(() => expect(shell.electron.app.quitted).toBe(true));
    expect(updates.stops).toBeGreaterThan(0);
  });

  it('a failing update start is logged and Tessera runs on', async () => {
    const electron = createFakeElectron({ appPath: appRoot });
    const logs: string[] = [];
    const process = startMainProcess(electron as unknown as ElectronMain, {
      paths: appPaths(appRoot, false),
      policy: Promise.resolve(loadedPolicy({})),
      startEngine: () => Promise.resolve(new RecordingEngine()),
      startUpdates: () => {
        throw new Error('no updater for this package');
      },
      log: (level, line) => logs.push(`${level} ${line}`),
    });
    await electron.app.becomeReady();
    await process?.ready;
    expect(electron.BrowserWindow.instances).toHaveLength(1);
    expect(logs).toContain('error updates could not start: no updater for this package');
  });
});
