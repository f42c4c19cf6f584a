// The typed message protocol between main (EngineHost) and the engine worker.
// Keyed by the contract's command and event names, so a command cannot be sent with the
// wrong argument type or a result read as the wrong type.
import type { z } from 'zod';
import type {
  CommandName,
  CommandResults,
  EventName,
  EventPayloads,
  InvokeOutcome,
  commandSchemas,
} from '../../src-preload/contract.ts';
import type { MediaRequest, MediaResult } from './media/media-request.ts';

/** Arguments after the router's validation (defaults applied, strings trimmed). */
export type ValidArgs<C extends CommandName> = z.output<(typeof commandSchemas)[C]>;

/** What the engine implements: one method per contract command. */
export type EngineCommands = {
  [C in CommandName]: (args: ValidArgs<C>) => Promise<CommandResults[C]>;
};

export interface EngineOptions {
  /** The folder that holds the account profile (manifest and encrypted database). */
  profileDir: string;
  /** Prefer `/v3/sync` even when the server offers Simplified Sliding Sync (tests, debugging). */
  forceSyncV3?: boolean;
  /** Long-poll timeout of each sync request, in milliseconds. */
  syncTimeoutMs?: number;
  /** How many rooms the first sliding sync request asks for; the window then grows to all rooms. */
  slidingSyncInitialWindow?: number;
  /** Allow http:// homeservers on hosts other than loopback (never in production builds). */
  allowInsecureHttp?: boolean;
}

export type EngineLogLevel = 'debug' | 'info' | 'warn' | 'error';

export type MainToWorker =
  | { kind: 'request'; id: number; command: CommandName; args: unknown }
  | { kind: 'shutdown' }
  // The renderer shows media through main's tessera-media:// scheme (engine/media).
  | { kind: 'media'; id: number; request: MediaRequest };

export type WorkerToMain =
  | { kind: 'ready' }
  | { kind: 'response'; id: number; outcome: InvokeOutcome<unknown> }
  | { [E in EventName]: { kind: 'event'; name: E; payload: EventPayloads[E] } }[EventName]
  | { kind: 'log'; level: EngineLogLevel; message: string }
  | { kind: 'media'; id: number; result: MediaResult }
  | { kind: 'closed' };
