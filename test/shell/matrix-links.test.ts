// matrix: links at run time against the fake electron: registered as the system's handler only
// when packaged; links from macOS open-url (before or after ready), a second instance's command
// line and this instance's own reach the window as link.opened once its page has loaded; an
// invalid link is dropped and logged by scheme only.
import { describe, expect, it } from 'vitest';
import { appPaths } from '../../src-main/app-paths.ts';
import { startMainProcess, type ElectronMain, type RunningEngine } from '../../src-main/main-process.ts';
import { ipcChannels } from '../../src-preload/contract.ts';
import { createFakeElectron, type FakeElectronOptions } from './fake-electron.ts';
import { RecordingEngine, appRoot } from './shell-harness.ts';

const roomLink = { kind: 'room', roomIdOrAlias: '#plans:example.org', via: ['example.org'], action: 'join' };

function launch(options: FakeElectronOptions & { argv?: string[] } = {}) {
  const electron = createFakeElectron({ appPath: appRoot, ...options });
  const logs: string[] = [];
  const process = startMainProcess(electron as unknown as ElectronMain, {
    paths: appPaths(appRoot, options.isPackaged ?? false),
    startEngine: () => Promise.resolve(new RecordingEngine() as RunningEngine),
    log: (level, line) => logs.push(`${level} ${line}`),
    argv: options.argv ?? ['/opt/tessera/tessera'],
  });
  if (!process) throw new Error('expected the first instance to start');
  const readyWindow = async () => {
    await electron.app.becomeReady();
    await process.ready;
    return electron.BrowserWindow.instances[0]!;
  };
  return { electron, logs, process, readyWindow };
}

type Window = Awaited<ReturnType<ReturnType<typeof launch>['readyWindow']>>;
const linksSent = (window: Window) =>
  window.webContents.sent
    .filter((message) => message.channel === ipcChannels.event && message.args[0] === 'link.opened')
    .map((message) => message.args[1]);

describe('matrix: links', () => {
  it('registers as the matrix: handler in a packaged build only', async () => {
    const packaged = launch({ isPackaged: true });
    expect(packaged.electron.app.defaultProtocolClients).toEqual(['matrix']);
    await packaged.readyWindow();
    const development = launch();
    expect(development.electron.app.defaultProtocolClients).toEqual([]);
  });

  it('opens a matrix.to permalink clicked in a message as a link, not in the browser', async () => {
    const { electron, readyWindow } = launch();
    const window = await readyWindow();
    window.finishLoad();
    const handler = window.webContents.windowOpenHandler;
    expect(handler?.({ url: 'https://matrix.to/#/%23plans%3Aexample.org?via=example.org' })).toEqual({
      action: 'deny',
    });
    expect(linksSent(window)).toEqual([
      { kind: 'room', roomIdOrAlias: '#plans:example.org', via: ['example.org'] },
    ]);
    expect(electron.openedExternally).toEqual([]);
  });

  it('keeps a macOS open-url from before ready until the page has loaded', async () => {
    const { electron, readyWindow } = launch();
    const event = electron.app.openUrl('matrix:r/plans:example.org?via=example.org&action=join');
    expect(event.defaultPrevented).toBe(true);
    const window = await readyWindow();
    expect(linksSent(window)).toEqual([]);
    window.finishLoad();
    expect(linksSent(window)).toEqual([roomLink]);
    expect(window.focused).toBe(1);
  });

  it('sends an open-url after ready at once and brings the window to the front', async () => {
    const { electron, readyWindow } = launch();
    const window = await readyWindow();
    window.finishLoad();
    window.minimized = true;
    electron.app.openUrl('matrix:u/alice:example.org?action=chat');
    expect(linksSent(window)).toEqual([{ kind: 'user', userId: '@alice:example.org', action: 'chat' }]);
    expect(window.minimized).toBe(false);
  });

  it('opens a window for a link when macOS kept the app running without one', async () => {
    const { electron, readyWindow } = launch();
    const first = await readyWindow();
    first.close();
    electron.app.openUrl('matrix:roomid/abc:example.org');
    const second = electron.BrowserWindow.instances[1]!;
    expect(second).toBeDefined();
    second.finishLoad();
    expect(linksSent(second)).toEqual([{ kind: 'room', roomIdOrAlias: '!abc:example.org', via: [] }]);
  });

  it('takes the link from a second instance command line', async () => {
    const { electron, readyWindow } = launch();
    const window = await readyWindow();
    window.finishLoad();
    electron.app.secondInstance([
      'C:\\Program Files\\Tessera\\Tessera.exe',
      '--allow-file-access-from-files',
      'matrix:r/plans:example.org?via=example.org&action=join',
    ]);
    expect(linksSent(window)).toEqual([roomLink]);
    // A second start without a link only brings the window to the front.
    window.minimized = true;
    electron.app.secondInstance(['C:\\Program Files\\Tessera\\Tessera.exe']);
    expect(linksSent(window)).toHaveLength(1);
    expect(window.minimized).toBe(false);
  });

  it('takes the link from its own command line at start', async () => {
    const { readyWindow } = launch({ argv: ['/opt/tessera/tessera', 'matrix:u/bob:example.org'] });
    const window = await readyWindow();
    window.finishLoad();
    expect(linksSent(window)).toEqual([{ kind: 'user', userId: '@bob:example.org' }]);
  });

  it('drops an invalid link and logs its scheme, never its text', async () => {
    const { electron, logs, readyWindow } = launch();
    const window = await readyWindow();
    window.finishLoad();
    const secret = 'matrix:u/secret-person:example.org/e/nothing';
    electron.app.openUrl(secret);
    electron.app.openUrl('https://secret.example/path');
    electron.app.secondInstance(['tessera', 'matrix:r/no-server-secret']);
    expect(linksSent(window)).toEqual([]);
    expect(logs).toEqual([
      'warn dropped an invalid matrix: link (bad_path)',
      'warn dropped an invalid https: link (not_matrix)',
      'warn dropped an invalid matrix: link (bad_identifier)',
    ]);
    expect(logs.join('\n')).not.toContain('secret');
  });
});
