// src-main/main.ts is the only file that imports the electron runtime: with electron and the
// engine host replaced, importing it must start Tessera with the built files' paths.
import { pathToFileURL } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import type { EngineHostOptions } from '../../src-main/engine-host.ts';
import type { FakeElectron } from './fake-electron.ts';

const state = vi.hoisted(() => ({
  electron: null as FakeElectron | null,
  engineOptions: [] as EngineHostOptions[],
}));

vi.mock('electron', async () => {
  const { createFakeElectron } = await import('./fake-electron.ts');
  state.electron = createFakeElectron({ appPath: '/opt/tessera' });
  return { ...state.electron };
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
  it('starts the engine from dist/main and opens the window with dist/preload', async () => {
    await import('../../src-main/main.ts');
    const electron = state.electron;
    if (!electron) throw new Error('electron was not imported');
    expect(state.engineOptions).toHaveLength(1);
    expect(String(state.engineOptions[0]?.workerUrl)).toBe(
      pathToFileURL('/opt/tessera/dist/main/engine-worker.mjs').href,
    );
    expect(typeof state.engineOptions[0]?.onEvent).toBe('function');
    expect(state.engineOptions[0]?.engineOptions).toEqual({ profileDir: '/home/user/.config/Tessera' });

    await electron.app.becomeReady();
    await vi.waitFor(() => expect(electron.BrowserWindow.instances).toHaveLength(1));
    expect(electron.BrowserWindow.instances[0]?.options.webPreferences?.['preload']).toBe(
      '/opt/tessera/dist/preload/preload.cjs',
    );
    expect(electron.protocolHandlers.has('app')).toBe(true);
  });
});
