// The main process against a fake electron: order of start-up, the single-instance lock, the
// IPC sender check in place, engine events reaching the window, and the engine stop on quit.
import { describe, expect, it, vi } from 'vitest';
import type { CommandName, InvokeOutcome } from '../../src-preload/contract.ts';
import { ipcChannels } from '../../src-preload/contract.ts';
import { appPaths } from '../../src-main/app-paths.ts';
import { contentSecurityPolicy } from '../../src-main/content-security-policy.ts';
import {
  startMainProcess,
  type ElectronMain,
  type EventSink,
  type RunningEngine,
} from '../../src-main/main-process.ts';
import {
  createFakeElectron,
  fakeFrame,
  type FakeElectron,
  type FakeElectronOptions,
} from './fake-electron.ts';

class FakeEngine implements RunningEngine {
  readonly calls: Array<{ command: CommandName; args: unknown }> = [];
  stopped = 0;
  #releaseStop: (() => void) | null = null;

  dispatch(command: CommandName, args: unknown): Promise<InvokeOutcome<never>> {
    this.calls.push({ command, args });
    return Promise.resolve({ ok: true, value: null as never });
  }

  stop(): Promise<void> {
    this.stopped += 1;
    return new Promise((resolve) => {
      this.#releaseStop = resolve;
    });
  }

  finishStop(): void {
    this.#releaseStop?.();
  }
}

const paths = appPaths('/opt/tessera', false);

interface Started {
  electron: FakeElectron;
  engine: FakeEngine;
  emit: EventSink;
  process: NonNullable<ReturnType<typeof startMainProcess>>;
  logs: string[];
}

async function start(options: FakeElectronOptions = {}): Promise<Started> {
  const electron = createFakeElectron(options);
  const engine = new FakeEngine();
  let emit: EventSink | null = null;
  const logs: string[] = [];
  const process = startMainProcess(electron as unknown as ElectronMain, {
    paths,
    startEngine: (onEvent) => {
      emit = onEvent;
      return Promise.resolve(engine);
    },
    log: (level, line) => logs.push(`${level} ${line}`),
  });
  if (!process) throw new Error('expected the first instance to start');
  await electron.app.becomeReady();
  await process.ready;
  if (!emit) throw new Error('the engine was not started');
  return { electron, engine, emit, process, logs };
}

function topFrameOf(electron: FakeElectron) {
  const window = electron.BrowserWindow.instances[0];
  if (!window) throw new Error('no window');
  return window.webContents.mainFrame;
}

const login = { homeserver: 'matrix.example.org', user: 'alice', password: 'hunter2hunter2' };

describe('main process start-up', () => {
  it('takes the lock, enables the sandbox and registers app:// and tessera-media:// before ready', async () => {
    const { electron } = await start();
    expect(electron.calls.slice(0, 3)).toEqual([
      'app.requestSingleInstanceLock',
      'app.enableSandbox',
      'protocol.registerSchemesAsPrivileged',
    ]);
    expect(electron.privilegedSchemes).toEqual([
      {
        scheme: 'app',
        privileges: expect.objectContaining({
          standard: true,
          secure: true,
          supportFetchAPI: true,
          bypassCSP: false,
        }),
      },
      {
        scheme: 'tessera-media',
        privileges: expect.objectContaining({ standard: true, secure: true, bypassCSP: false, stream: true }),
      },
    ]);
  });

  it('opens one window with the preload from dist/preload and the sandboxed webPreferences', async () => {
    const { electron } = await start();
    expect(electron.BrowserWindow.instances).toHaveLength(1);
    const window = electron.BrowserWindow.instances[0]!;
    expect(window.options.webPreferences).toMatchObject({
      preload: '/opt/tessera/dist/preload/preload.cjs',
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      webSecurity: true,
    });
    expect(window.loadedUrl).toBe('app://tessera/index.html');
  });

  it('applies the navigation policy to the window and the session policy to the default session', async () => {
    const { electron } = await start();
    const contents = electron.BrowserWindow.instances[0]!.webContents;
    expect(contents.navigate('will-navigate', 'https://evil.example/')).toBe(false);
    expect(contents.windowOpenHandler?.({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    expect(await electron.session.defaultSession.requestPermission('media')).toBe(false);
    expect(electron.session.defaultSession.request('https://matrix.org/')).toBe(false);
  });

  it('serves the renderer folder over app:// with the CSP', async () => {
    const { electron } = await start();
    const handler = electron.protocolHandlers.get('app');
    expect(handler).toBeDefined();
    const response = await handler!(new Request('app://evil/index.html'));
    expect(response.status).toBe(403);
    const missing = await handler!(new Request('app://tessera/index.html'));
    // /opt/tessera does not exist here: the handler looked inside paths.renderer and found nothing.
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-security-policy')).toBe(contentSecurityPolicy);
  });
});

describe('single instance', () => {
  it('quits a second instance without a window or an engine', async () => {
    const electron = createFakeElectron({ singleInstanceLock: false });
    const startEngine = vi.fn();
    const process = startMainProcess(electron as unknown as ElectronMain, { paths, startEngine });
    expect(process).toBeNull();
    expect(electron.app.quitted).toBe(true);
    expect(electron.calls).toEqual(['app.requestSingleInstanceLock', 'app.quit']);
    expect(startEngine).not.toHaveBeenCalled();
    expect(electron.ipcHandlers.size).toBe(0);
    await electron.app.becomeReady();
    expect(electron.BrowserWindow.instances).toHaveLength(0);
  });

  it('brings the first instance window to the front when a second starts', async () => {
    const { electron } = await start();
    const window = electron.BrowserWindow.instances[0]!;
    window.minimized = true;
    electron.app.emit('second-instance', {}, ['tessera'], '/');
    expect(window.minimized).toBe(false);
    expect(window.focused).toBe(1);
  });
});

describe('IPC binding', () => {
  it('registers exactly the invoke channel', async () => {
    const { electron } = await start();
    expect([...electron.ipcHandlers.keys()]).toEqual([ipcChannels.invoke]);
  });

  it('forwards a call from the app top frame to the engine', async () => {
    const { electron, engine } = await start();
    const outcome = await electron.ipcMain.invoke(
      ipcChannels.invoke,
      topFrameOf(electron),
      'session.login',
      login,
    );
    expect(outcome).toEqual({ ok: true, value: null });
    expect(engine.calls).toEqual([{ command: 'session.login', args: login }]);
  });

  it.each([
    ['a missing senderFrame', () => null],
    [
      'a sub-frame of the window',
      (top: ReturnType<typeof topFrameOf>) => fakeFrame('app://tessera/index.html', top),
    ],
    ['a frame that is not the window top frame', () => fakeFrame('app://tessera/index.html')],
  ])('refuses %s as forbidden_sender without reaching the engine', async (_label, frameFor) => {
    const { electron, engine, logs } = await start();
    const outcome = await electron.ipcMain.invoke(
      ipcChannels.invoke,
      frameFor(topFrameOf(electron)),
      'session.login',
      login,
    );
    expect(outcome).toMatchObject({ ok: false, error: { code: 'forbidden_sender' } });
    expect(engine.calls).toEqual([]);
    expect(logs.join('\n')).not.toContain(login.password);
  });

  it.each([
    'https://evil.example/',
    'app://evil/index.html',
    'file:///opt/tessera/dist/renderer/index.html',
    'about:blank',
  ])('refuses the window top frame once it shows %s', async (url) => {
    const { electron, engine } = await start();
    const top = topFrameOf(electron);
    top.url = url;
    const outcome = await electron.ipcMain.invoke(ipcChannels.invoke, top, 'rooms.list', {});
    expect(outcome).toMatchObject({ ok: false, error: { code: 'forbidden_sender' } });
    expect(engine.calls).toEqual([]);
  });

  it('refuses calls once the window is closed', async () => {
    const { electron, engine } = await start();
    const top = topFrameOf(electron);
    electron.BrowserWindow.instances[0]!.close();
    const outcome = await electron.ipcMain.invoke(ipcChannels.invoke, top, 'rooms.list', {});
    expect(outcome).toMatchObject({ ok: false, error: { code: 'forbidden_sender' } });
    expect(engine.calls).toEqual([]);
  });

  it('refuses unknown commands and bad arguments from the app frame', async () => {
    const { electron, engine } = await start();
    const top = topFrameOf(electron);
    expect(await electron.ipcMain.invoke(ipcChannels.invoke, top, 'constructor', {})).toMatchObject({
      ok: false,
      error: { code: 'unknown_command' },
    });
    expect(
      await electron.ipcMain.invoke(ipcChannels.invoke, top, 'session.login', { user: 'alice' }),
    ).toMatchObject({
      ok: false,
      error: { code: 'invalid_arguments' },
    });
    expect(engine.calls).toEqual([]);
  });

  it('answers internal when the engine could not start', async () => {
    const electron = createFakeElectron();
    const logs: string[] = [];
    const process = startMainProcess(electron as unknown as ElectronMain, {
      paths,
      startEngine: () => Promise.reject(new Error('worker exited')),
      log: (level, line) => logs.push(`${level} ${line}`),
    });
    await electron.app.becomeReady();
    await process?.ready;
    const outcome = await electron.ipcMain.invoke(
      ipcChannels.invoke,
      topFrameOf(electron),
      'session.get',
      {},
    );
    expect(outcome).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(logs).toEqual(['error the engine could not start: worker exited']);
  });
});

describe('engine events', () => {
  it('are sent to the window on the event channel', async () => {
    const { electron, emit } = await start();
    emit('session.changed', null);
    emit('rooms.changed', []);
    expect(electron.BrowserWindow.instances[0]!.webContents.sent).toEqual([
      { channel: ipcChannels.event, args: ['session.changed', null] },
      { channel: ipcChannels.event, args: ['rooms.changed', []] },
    ]);
  });

  it('are dropped when there is no window', async () => {
    const { electron, emit } = await start();
    const window = electron.BrowserWindow.instances[0]!;
    window.close();
    emit('rooms.changed', []);
    expect(window.webContents.sent).toEqual([]);
  });
});

describe('quitting', () => {
  it('stops the engine before the app quits', async () => {
    const { electron, engine } = await start();
    electron.app.quit();
    expect(electron.app.quitted).toBe(false);
    await vi.waitFor(() => expect(engine.stopped).toBe(1));
    // A second quit while stopping does not stop twice.
    electron.app.quit();
    expect(engine.stopped).toBe(1);
    engine.finishStop();
    await vi.waitFor(() => expect(electron.app.quitted).toBe(true));
    expect(engine.stopped).toBe(1);
  });

  it('quits even when the engine never answers', async () => {
    vi.useFakeTimers();
    try {
      const electron = createFakeElectron();
      const logs: string[] = [];
      const process = startMainProcess(electron as unknown as ElectronMain, {
        paths,
        startEngine: () => new Promise<never>(() => undefined),
        log: (level, line) => logs.push(`${level} ${line}`),
        quitDeadlineMs: 10_000,
      });
      await electron.app.becomeReady();
      await process?.ready;
      electron.app.quit();
      expect(electron.app.quitted).toBe(false);
      await vi.advanceTimersByTimeAsync(10_000);
      expect(electron.app.quitted).toBe(true);
      expect(logs).toEqual(['warn the engine did not stop in time; quitting anyway']);
    } finally {
      vi.useRealTimers();
    }
  });

  it('quits when the last window closes', async () => {
    const { electron, engine } = await start();
    electron.app.emit('window-all-closed');
    await vi.waitFor(() => expect(engine.stopped).toBe(1));
    engine.finishStop();
    await vi.waitFor(() => expect(electron.app.quitted).toBe(true));
  });
});

describe('app paths', () => {
  it('point into dist/ of the app root', () => {
    expect(appPaths('/opt/tessera', false)).toEqual({
      renderer: '/opt/tessera/dist/renderer',
      preload: '/opt/tessera/dist/preload/preload.cjs',
      engineWorker: '/opt/tessera/dist/main/engine-worker.mjs',
    });
  });

  it('load the engine worker from the unpacked folder of a packaged app', () => {
    expect(appPaths('/opt/Tessera/resources/app.asar', true)).toEqual({
      renderer: '/opt/Tessera/resources/app.asar/dist/renderer',
      preload: '/opt/Tessera/resources/app.asar/dist/preload/preload.cjs',
      engineWorker: '/opt/Tessera/resources/app.asar.unpacked/dist/main/engine-worker.mjs',
    });
  });
});
