// The preload (bundled to dist/preload/preload.cjs; it runs sandboxed). It exposes exactly
// one object, window.tessera = { invoke, on }, limited to the contract's names. No Electron
// object crosses: invoke returns plain outcomes and listeners receive only the payload.
import { contextBridge, ipcRenderer, type IpcRenderer } from 'electron';
import { commandNames, eventNames, ipcChannels, type EventName } from './contract-names.ts';
import type { EventPayloads, InvokeOutcome, TesseraBridge } from './contract.ts';

type Listener = (payload: unknown) => void;

const unknownCommand: InvokeOutcome<never> = {
  ok: false,
  error: { code: 'unknown_command', message: 'Unknown command' },
};

function isKnown<T extends string>(names: readonly T[], value: unknown): value is T {
  return typeof value === 'string' && (names as readonly string[]).includes(value);
}

export function createBridge(ipc: Pick<IpcRenderer, 'invoke' | 'on'>): TesseraBridge {
  const listeners = new Map<EventName, Set<Listener>>();

  // One channel listener for all events; the IpcRendererEvent stops here.
  ipc.on(ipcChannels.event, (_event, name: unknown, payload: unknown) => {
    if (!isKnown(eventNames, name)) return;
    for (const listener of [...(listeners.get(name) ?? [])]) {
      try {
        listener(payload);
      } catch {
        // One failing listener must not keep the others from hearing the event.
      }
    }
  });

  return {
    invoke(command, args) {
      if (!isKnown(commandNames, command)) return Promise.resolve(unknownCommand);
      return ipc.invoke(ipcChannels.invoke, command, args);
    },
    on<E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void): () => void {
      if (!isKnown(eventNames, event)) throw new Error('Unknown event');
      if (typeof listener !== 'function') throw new Error('The listener must be a function');
      const wrapped: Listener = (payload) => listener(payload as EventPayloads[E]);
      let set = listeners.get(event);
      if (!set) {
        set = new Set();
        listeners.set(event, set);
      }
      set.add(wrapped);
      return () => {
        listeners.get(event)?.delete(wrapped);
      };
    },
  };
}

contextBridge.exposeInMainWorld('tessera', createBridge(ipcRenderer));
