// The preload exposes exactly window.tessera = { invoke, on }, limited to the contract, and
// passes no Electron object to page code. Electron is replaced by the fake renderer side.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { commandNames, eventNames, ipcChannels, type TesseraBridge } from '../../src-preload/contract.ts';
import { createFakeRendererElectron, type FakeRendererElectron } from './fake-electron.ts';

const renderer = vi.hoisted(() => ({ current: null as FakeRendererElectron | null }));

vi.mock('electron', async () => {
  const { createFakeRendererElectron: create } = await import('./fake-electron.ts');
  renderer.current = create();
  return { contextBridge: renderer.current.contextBridge, ipcRenderer: renderer.current.ipcRenderer };
});

const { createBridge } = await import('../../src-preload/preload.ts');

let fake: FakeRendererElectron;
let bridge: TesseraBridge;

beforeEach(() => {
  fake = createFakeRendererElectron();
  bridge = createBridge(fake.ipcRenderer as never);
});

describe('preload exposure', () => {
  it('exposes exactly one object, tessera, with invoke and on', () => {
    const exposed = renderer.current?.exposed;
    expect(exposed ? [...exposed.keys()] : []).toEqual(['tessera']);
    const api = exposed?.get('tessera') as Record<string, unknown>;
    expect(Object.keys(api).sort()).toEqual(['invoke', 'on']);
    expect(typeof api['invoke']).toBe('function');
    expect(typeof api['on']).toBe('function');
  });

  it('listens on the event channel only', () => {
    expect(renderer.current?.listenerCount(ipcChannels.event)).toBe(1);
    expect(renderer.current?.listenerCount(ipcChannels.invoke)).toBe(0);
  });
});

describe('tessera.invoke', () => {
  it.each(commandNames)('sends %s on the invoke channel and returns main’s outcome', async (command) => {
    fake.answerInvokeWith({ ok: true, value: 'from main' });
    const outcome = await bridge.invoke(command, {} as never);
    expect(outcome).toEqual({ ok: true, value: 'from main' });
    expect(fake.invocations).toEqual([{ channel: ipcChannels.invoke, args: [command, {}] }]);
  });

  it.each(['rooms.delete', '__proto__', 'constructor', 'toString', '', 42, null, { name: 'session.get' }])(
    'refuses %j without sending',
    async (command) => {
      const outcome = await bridge.invoke(command as never, {} as never);
      expect(outcome).toEqual({ ok: false, error: { code: 'unknown_command', message: 'Unknown command' } });
      expect(fake.invocations).toEqual([]);
    },
  );
});

describe('tessera.on', () => {
  it('delivers only the payload, never the IpcRendererEvent', () => {
    const received: unknown[][] = [];
    bridge.on('rooms.changed', (...args: unknown[]) => received.push(args));
    fake.sendFromMain(ipcChannels.event, 'rooms.changed', [{ roomId: '!a:x' }]);
    expect(received).toEqual([[[{ roomId: '!a:x' }]]]);
    expect(JSON.stringify(received)).not.toContain('ipcRenderer');
  });

  it('delivers each event to its own listeners only', () => {
    const rooms: unknown[] = [];
    const sessions: unknown[] = [];
    bridge.on('rooms.changed', (payload) => rooms.push(payload));
    bridge.on('session.changed', (payload) => sessions.push(payload));
    fake.sendFromMain(ipcChannels.event, 'session.changed', null);
    expect(rooms).toEqual([]);
    expect(sessions).toEqual([null]);
  });

  it('drops events main sends under names outside the contract', () => {
    const received: unknown[] = [];
    for (const name of eventNames) bridge.on(name, (payload) => received.push(payload));
    fake.sendFromMain(ipcChannels.event, 'secrets.leaked', 'token');
    fake.sendFromMain(ipcChannels.event, '__proto__', 'x');
    fake.sendFromMain('other:channel', 'rooms.changed', []);
    expect(received).toEqual([]);
  });

  it('returns an unsubscribe function', () => {
    const received: unknown[] = [];
    const off = bridge.on('rooms.changed', (payload) => received.push(payload));
    fake.sendFromMain(ipcChannels.event, 'rooms.changed', [1]);
    off();
    off();
    fake.sendFromMain(ipcChannels.event, 'rooms.changed', [2]);
    expect(received).toEqual([[1]]);
  });

  it('keeps delivering when one listener throws', () => {
    const received: unknown[] = [];
    bridge.on('rooms.changed', () => {
      throw new Error('listener bug');
    });
    bridge.on('rooms.changed', (payload) => received.push(payload));
    fake.sendFromMain(ipcChannels.event, 'rooms.changed', []);
    expect(received).toEqual([[]]);
  });

  it.each(['rooms.deleted', '__proto__', 'constructor', '', 7])('refuses the event name %j', (event) => {
    expect(() => bridge.on(event as never, () => undefined)).toThrow('Unknown event');
  });

  it('refuses a listener that is not a function', () => {
    expect(() => bridge.on('rooms.changed', 'alert(1)' as never)).toThrow();
  });
});
