// The one list of what crosses the renderer boundary (DESIGN.md §2).
// Main validates every argument with these schemas before anything runs; the renderer
// imports types only. Adding a command means adding it here, with a schema and a test of a
// bad argument (test/unit/contract.test.ts).
import { z } from 'zod';
import type { CommandName, EventName } from './contract-names.ts';

export { commandNames, eventNames, ipcChannels } from './contract-names.ts';
export type { CommandName, EventName } from './contract-names.ts';

const noArgs = z.object({}).strict();

/**
 * A homeserver as typed by a person: a bare server name or an http(s) URL. Empty means
 * "discover it from the server name of a full user id".
 */
const homeserverInput = z.string().trim().max(2048, 'The homeserver address is too long');

const roomId = z.string().startsWith('!', 'Not a room id').max(255, 'The room id is too long');
const userId = z
  .string()
  .regex(/^@[^:\s]+:\S+$/, 'Not a user id')
  .max(255, 'The user id is too long');
const reason = z.string().max(1024, 'The reason is too long').optional();

const storagePassphrase = z
  .string()
  .min(8, 'Use at least 8 characters')
  .max(1024, 'The passphrase is too long');

export const commandSchemas = {
  'session.get': noArgs,
  'session.login': z
    .object({
      homeserver: homeserverInput,
      /** A full Matrix user id (@alice:example.org) or a bare localpart (alice). */
      user: z.string().trim().min(1, 'Enter a user name').max(255, 'The user name is too long'),
      password: z.string().min(1, 'Enter a password').max(1024, 'The password is too long'),
      /**
       * Only when the person chose it because no keychain answers: the local data is then locked
       * with a key derived from this passphrase (never from the Matrix password).
       */
      storagePassphrase: storagePassphrase.optional(),
    })
    .strict(),
  'session.unlock': z.object({ passphrase: storagePassphrase }).strict(),
  /** Tries again to open local data that was unavailable (e.g. after unlocking the keychain). */
  'session.retry': noArgs,
  'session.logout': noArgs,
  'rooms.list': noArgs,
  /** Queues a text message; its progress arrives as `message.status` events. */
  'message.send': z
    .object({
      roomId: z.string().startsWith('!', 'Not a room id').max(255, 'The room id is too long'),
      body: z.string().min(1, 'The message is empty').max(65_536, 'The message is too long'),
    })
    .strict(),
  /** Creates a room, encrypted unless `encrypted: false`; `direct` makes it a direct chat. */
  'rooms.create': z
    .object({
      name: z.string().trim().max(255, 'The name is too long').optional(),
      invite: z
        .array(
          z
            .string()
            .regex(/^@[^:\s]+:\S+$/, 'Not a user id')
            .max(255, 'The user id is too long'),
        )
        .max(100, 'Too many people to invite at once')
        .optional(),
      direct: z.boolean().optional(),
      encrypted: z.boolean().default(true),
    })
    .strict(),
  /** Membership changes, checked against the room's power levels when they are known. */
  'rooms.invite': z.object({ roomId, userId }).strict(),
  /** A room id (!room:server) or an alias (#alias:server). */
  'rooms.join': z
    .object({
      roomIdOrAlias: z
        .string()
        .regex(/^(![^\s]+|#[^:\s]+:\S+)$/, 'Not a room id or alias')
        .max(255, 'The room id is too long'),
    })
    .strict(),
  'rooms.leave': z.object({ roomId }).strict(),
  'rooms.kick': z.object({ roomId, userId, reason }).strict(),
  'rooms.ban': z.object({ roomId, userId, reason }).strict(),
} as const satisfies Record<CommandName, z.ZodType>;

export type CommandArgs<C extends CommandName> = z.input<(typeof commandSchemas)[C]>;

/** What a person sees of their signed-in account. Never carries the access token. */
export interface SessionView {
  userId: string;
  deviceId: string;
  homeserver: string;
  displayName: string | null;
  syncState: SyncState;
  /** Whether this account's local data is open, and where its key is kept. */
  storage: StorageView;
}

/**
 * `open`: the encrypted database is open. `locked`: its key comes from a passphrase that must
 * be entered (session.unlock). `unavailable`: it cannot be opened (no keychain, key missing,
 * damaged file, another Tessera using it); the error says why, and session.logout removes it.
 */
export type StorageView =
  | { state: 'open'; backend: 'os-keychain' | 'passphrase' }
  | { state: 'locked' }
  | { state: 'unavailable'; error: ErrorView };

/** `starting`: first sync not yet answered; `live`: caught up; `offline`: retrying. */
export type SyncState = 'starting' | 'live' | 'offline';

export type Membership = 'join' | 'invite' | 'knock' | 'leave' | 'ban';

/** One row of the room list. */
export interface RoomSummary {
  roomId: string;
  /** The display name, computed per the spec's room-name algorithm. */
  name: string;
  membership: Membership;
  isDirect: boolean;
  isEncrypted: boolean;
  /** Who invited us, for invites. */
  inviter: string | null;
  joinedMemberCount: number;
  invitedMemberCount: number;
  notificationCount: number;
  highlightCount: number;
  /** Milliseconds since the epoch of the latest activity; orders the list. */
  lastActivity: number;
}

export interface CommandResults {
  'session.get': SessionView | null;
  'session.login': SessionView;
  'session.unlock': SessionView;
  'session.retry': SessionView | null;
  'session.logout': null;
  'rooms.list': RoomSummary[];
  'message.send': { transactionId: string };
  'rooms.create': { roomId: string };
  'rooms.invite': null;
  'rooms.join': { roomId: string };
  'rooms.leave': null;
  'rooms.kick': null;
  'rooms.ban': null;
}

export type CommandResult<C extends CommandName> = CommandResults[C];

/**
 * Where a message the person sent stands. `pending`: stored, not yet acknowledged by the server
 * (retried across offline periods and restarts); `sent`: the server gave it an event id;
 * `failed`: refused for good, `error` says why (a code, never content).
 */
export type OutgoingMessageState = 'pending' | 'sent' | 'failed';

export interface MessageStatus {
  roomId: string;
  transactionId: string;
  state: OutgoingMessageState;
  eventId?: string;
  error?: ErrorView;
}

export interface EventPayloads {
  'rooms.changed': RoomSummary[];
  'session.changed': SessionView | null;
  'message.status': MessageStatus;
}

// Compile-time checks that the name lists and the result and payload maps agree.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const resultsCoverCommands: Same<keyof CommandResults, CommandName> = true;
const payloadsCoverEvents: Same<keyof EventPayloads, EventName> = true;
void resultsCoverCommands;
void payloadsCoverEvents;

/**
 * Every failure the renderer can be told about. The message is plain language for a person
 * and never carries a token, a password or message content.
 */
export const errorCodes = [
  // the router
  'unknown_command',
  'invalid_arguments',
  'forbidden_sender',
  // sign-in
  'invalid_user_id',
  'invalid_homeserver_url',
  'not_a_homeserver',
  'unreachable',
  'tls_failure',
  'timeout',
  'invalid_credentials',
  'user_deactivated',
  'login_flow_unsupported',
  'rate_limited',
  'server_error',
  'invalid_response',
  'not_signed_in',
  'already_signed_in',
  // the server expired this session's token but the device lives on (soft logout)
  'soft_logout',
  // key storage (src-main/engine/keychain)
  'keychain_unavailable',
  'keychain_entry_missing',
  'keychain_entry_exists',
  'key_backend_changed',
  'key_backend_invalid',
  'passphrase_wrong',
  // the account database (src-main/engine/store)
  'store_key_mismatch',
  'store_corrupt',
  'store_too_new',
  'profile_in_use',
  // the crypto store (src-main/engine/crypto)
  'crypto_store_account_mismatch',
  'crypto_store_failed',
  // sending (src-main/engine/send)
  'message_refused',
  'encryption_unsupported',
  'encryption_failed',
  'room_refused',
  // membership (src-main/engine/rooms/membership*.ts)
  'forbidden',
  'room_not_found',
  'internal',
] as const;

export type ErrorCode = (typeof errorCodes)[number];

export interface ErrorView {
  code: ErrorCode;
  message: string;
  /** For invalid_arguments: which field was wrong, so a form can mark it. */
  field?: string;
}

/** The envelope every invoke resolves to, so errors keep their code across contextBridge. */
export type InvokeOutcome<T> = { ok: true; value: T } | { ok: false; error: ErrorView };

/** The one object the preload exposes as `window.tessera`. */
export interface TesseraBridge {
  invoke<C extends CommandName>(command: C, args: CommandArgs<C>): Promise<InvokeOutcome<CommandResult<C>>>;
  on<E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void): () => void;
}
