// Runs the real Engine in-process for integration tests and records what it emits.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventName, EventPayloads, InvokeOutcome, RoomSummary } from '../../src-preload/contract.ts';
import { Engine } from '../../src-main/engine/engine.ts';
import type { EngineLogLevel, EngineOptions } from '../../src-main/engine/protocol.ts';
import type { CommandName } from '../../src-preload/contract.ts';

export interface RecordedEngine {
  engine: Engine;
  /** The account profile folder: kept across restarts of the same test, removed by dispose(). */
  profileDir: string;
  /** Stops the engine and removes its profile (signing out first when still signed in). */
  dispose(): Promise<void>;
  events: { name: EventName; payload: unknown }[];
  logs: { level: EngineLogLevel; message: string }[];
  invoke(command: CommandName, args?: unknown): Promise<InvokeOutcome<unknown>>;
  /** The latest room list the engine emitted. */
  latestRooms(): RoomSummary[];
  waitForRooms(predicate: (rooms: RoomSummary[]) => boolean, timeoutMs?: number): Promise<RoomSummary[]>;
}

/** A fresh engine; pass `profileDir` to restart one on an existing profile. */
export function startEngine(options: Partial<EngineOptions> = {}): RecordedEngine {
  const profileDir = options.profileDir ?? mkdtempSync(join(tmpdir(), 'tessera-profile-'));
  const events: RecordedEngine['events'] = [];
  const logs: RecordedEngine['logs'] = [];
  const listeners = new Set<() => void>();
  const engine = new Engine(
    { syncTimeoutMs: 2_000, ...options, profileDir },
    {
      emit<E extends EventName>(name: E, payload: EventPayloads[E]) {
        events.push({ name, payload });
        for (const listener of listeners) listener();
      },
      log(level, message) {
        logs.push({ level, message });
      },
    },
  );
  const latestRooms = () =>
    ([...events].reverse().find((event) => event.name === 'rooms.changed')?.payload as
      RoomSummary[] | undefined) ?? [];
  void engine.start();
  return {
    engine,
    profileDir,
    async dispose() {
      if (engine.session) await engine.handle('session.logout', {});
      await engine.shutdown();
      rmSync(profileDir, { recursive: true, force: true });
    },
    events,
    logs,
    invoke: (command, args = {}) => engine.handle(command, args),
    latestRooms,
    waitForRooms(predicate, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const rooms = latestRooms();
          if (predicate(rooms)) {
            cleanup();
            resolve(rooms);
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(
            new Error(`room list never matched; last: ${JSON.stringify(latestRooms().map((r) => r.name))}`),
          );
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      });
    },
  };
}
