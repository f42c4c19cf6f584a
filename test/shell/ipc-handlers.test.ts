// Every ipcMain handler the main process registers, found through the fake electron, refuses a
// sub-frame and another origin before it looks at the request; and only known channels exist.
import { describe, expect, it } from 'vitest';
import { ipcChannels } from '../../src-preload/contract.ts';
import { fakeFrame } from './fake-electron.ts';
import { RecordingEngine, startShell } from './shell-harness.ts';

/** The channels main may listen on; a new one must be added here and pass the checks below. */
const knownChannels = [ipcChannels.invoke];

async function everyHandler() {
  const engine = new RecordingEngine();
  const shell = await startShell({ engine });
  const window = shell.electron.BrowserWindow.instances[0];
  if (!window) throw new Error('no window');
  return { ...shell, engine, window, channels: [...shell.electron.ipcHandlers.keys()] };
}

const forbidden = { ok: false, error: { code: 'forbidden_sender', message: expect.any(String) } };

describe('registered IPC handlers', () => {
  it('are exactly the known channels, with no ipcMain.on listeners', async () => {
    const { channels, electron } = await everyHandler();
    expect(channels).toEqual(knownChannels);
    expect(electron.ipcListeners).toEqual([]);
  });

  it.each(knownChannels)('%s refuses a sub-frame of the app window', async (channel) => {
    const { electron, engine, window } = await everyHandler();
    const subFrame = fakeFrame('app://tessera/index.html', window.webContents.mainFrame);
    expect(await electron.ipcMain.invoke(channel, subFrame, 'session.get', {})).toEqual(forbidden);
    expect(engine.calls).toEqual([]);
  });

  it.each(knownChannels)('%s refuses a sub-frame of another origin', async (channel) => {
    const { electron, engine, window } = await everyHandler();
    const subFrame = fakeFrame('https://evil.example/', window.webContents.mainFrame);
    expect(await electron.ipcMain.invoke(channel, subFrame, 'session.get', {})).toEqual(forbidden);
    expect(engine.calls).toEqual([]);
  });

  it.each(knownChannels)('%s refuses the window once it shows another origin', async (channel) => {
    const { electron, engine, window } = await everyHandler();
    const top = window.webContents.mainFrame;
    top.url = 'https://evil.example/index.html';
    expect(await electron.ipcMain.invoke(channel, top, 'session.get', {})).toEqual(forbidden);
    expect(engine.calls).toEqual([]);
  });

  it.each(knownChannels)('%s refuses a top frame of another window or process', async (channel) => {
    const { electron, engine } = await everyHandler();
    const stranger = fakeFrame('app://tessera/index.html');
    expect(await electron.ipcMain.invoke(channel, stranger, 'session.get', {})).toEqual(forbidden);
    expect(engine.calls).toEqual([]);
  });

  it.each(knownChannels)('%s refuses a message without a sender frame', async (channel) => {
    const { electron, engine } = await everyHandler();
    expect(await electron.ipcMain.invoke(channel, null, 'session.get', {})).toEqual(forbidden);
    expect(engine.calls).toEqual([]);
  });

  it.each(knownChannels)(
    '%s validates the request of the app frame against the contract',
    async (channel) => {
      const { electron, engine, window } = await everyHandler();
      const top = window.webContents.mainFrame;
      const bad = await electron.ipcMain.invoke(channel, top, 'session.login', { homeserver: 42 });
      expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_arguments' } });
      const unknown = await electron.ipcMain.invoke(channel, top, 'fs.readFile', { path: '/etc/passwd' });
      expect(unknown).toMatchObject({ ok: false, error: { code: 'unknown_command' } });
      expect(engine.calls).toEqual([]);
      expect(await electron.ipcMain.invoke(channel, top, 'session.get', {})).toEqual({
        ok: true,
        value: null,
      });
      expect(engine.calls).toEqual([{ command: 'session.get', args: {} }]);
    },
  );
});
