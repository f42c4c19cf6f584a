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
  MainCommandName,
  commandSchemas,
} from '../../src-preload/contract.ts';
import type { MediaRequest, MediaResult } from './media/media-request.ts';

/** Arguments after the router's validation (defaults applied, strings trimmed). */
export type ValidArgs<C extends CommandName> = z.output<(typeof commandSchemas)[C]>;

/** The contract's commands the engine answers: all but those main answers itself (updates). */
export type EngineCommandName = Exclude<CommandName, MainCommandName>;

/** What the engine implements: one method per engine command. */
export type EngineCommands = {
  [C in EngineCommandName]: (args: ValidArgs<C>) => Promise<CommandResults[C]>;
};

/**
 * What the organization's policy asks of the engine, as plain data (main maps the admin policy
 * with enginePolicyFromAdminPolicy in src-main/policy/policy-rules.ts; the engine reads no policy
 * source itself). Absent: nothing is managed.
 */
export interface EnginePolicy {
  /** Host[:port] of allowed homeserver base URLs; absent: any. */
  allowedHomeservers?: string[];
  passwordSignIn: boolean;
  passphraseKeyFallback: boolean;
  certificatePins?: Record<string, string[]>;
  lockedSettings: {
    sendTypingNotices?: boolean;
    readReceipts?: 'public' | 'private';
    shareKeysWithCrossSignedOnly?: boolean;
    notificationPreviews?: boolean;
  };
  /** For the sign-in form (policy.get). */
  defaultHomeserver?: string;
  /** The policy keys the organization sets (PolicyView.managed). */
  managed?: string[];
}

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
  /** The organization's policy (issue 5); absent when none is set. */
  policy?: EnginePolicy;
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
