// The one list of what crosses the renderer boundary (DESIGN.md §2).
// Main validates every argument with these schemas before anything runs; the renderer
// imports types only. Adding a command means adding it here, with a schema and a test of a
// bad argument (test/unit/contract.test.ts).
import { z } from 'zod';
import type { CommandName, EventName } from './contract-names.ts';

export { commandNames, eventNames, ipcChannels, mainCommandNames } from './contract-names.ts';
export type { CommandName, EventName, MainCommandName } from './contract-names.ts';

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
const eventId = z.string().startsWith('$', 'Not an event id').max(255, 'The event id is too long');
const transactionId = z
  .string()
  .regex(/^[A-Za-z0-9._~-]+$/, 'Not a transaction id')
  .max(255, 'The transaction id is too long');
const messageBody = z.string().min(1, 'The message is empty').max(65_536, 'The message is too long');
const pageLimit = z.number().int().min(1).max(200).default(50);

const storagePassphrase = z
  .string()
  .min(8, 'Use at least 8 characters')
  .max(1024, 'The passphrase is too long');

/** An identity provider's id from the server's m.login.sso flow (MSC2858's characters). */
const identityProviderId = z.string().regex(/^[A-Za-z0-9_.~-]{1,255}$/, 'Not an identity provider id');

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
  /**
   * After a soft logout (the server expired the session but kept the device): signs the same
   * device in again, so its keys and local data stay.
   */
  'session.reauthenticate': z
    .object({ password: z.string().min(1, 'Enter a password').max(1024, 'The password is too long') })
    .strict(),
  /** What the sign-in form offers for this homeserver (after discovery and the policy's list). */
  'session.signInOptions': z.object({ homeserver: homeserverInput }).strict(),
  /**
   * Signs in with single sign-on in the system browser: with one identity provider, or the
   * server's choice when absent. `storagePassphrase` as in session.login.
   */
  'session.loginSso': z
    .object({
      homeserver: homeserverInput,
      identityProviderId: identityProviderId.optional(),
      storagePassphrase: storagePassphrase.optional(),
    })
    .strict(),
  'session.cancelSso': noArgs,
  /** After a soft logout: signs the same device in again with single sign-on. */
  'session.reauthenticateSso': z.object({ identityProviderId: identityProviderId.optional() }).strict(),
  'rooms.list': noArgs,
  /**
   * Queues a text message; its progress arrives as `message.status` events and as the local echo
   * in `timeline.changed`. `replyTo` makes it a reply to that event of the same room.
   */
  'message.send': z
    .object({
      roomId,
      body: messageBody,
      replyTo: eventId.optional(),
    })
    .strict(),
  /** Replaces the text of one of our own messages (m.replace); queued like a message. */
  'message.edit': z.object({ roomId, eventId, body: messageBody }).strict(),
  /** Reacts to an event with an emoji or short text (m.annotation); queued like a message. */
  'message.react': z
    .object({
      roomId,
      eventId,
      key: z.string().min(1, 'Choose a reaction').max(64, 'The reaction is too long'),
    })
    .strict(),
  /** Removes an event (a message, or one of our reactions) within the room's power levels. */
  'message.redact': z.object({ roomId, eventId, reason }).strict(),
  /** Sends a failed message again now (same transaction id), or wakes a waiting one. */
  'message.retry': z.object({ transactionId }).strict(),
  /** Drops a message that has not been sent (pending or failed); a sent one cannot be cancelled. */
  'message.cancel': z.object({ transactionId }).strict(),
  /** The room's state as the room header and its settings show it. */
  'rooms.details': z.object({ roomId }).strict(),
  /**
   * The person opened the room: the newest `limit` items from the store (never waiting for the
   * network), its waiting events decrypted first, and `timeline.changed` events for it until
   * timeline.close. Several rooms may be open (several windows or panes). `aroundEvent` (a
   * matrix: link to an event): the page reaches back to that event, paginating a bounded number
   * of pages when it is not stored; `aroundEvent.found` in the answer says whether it was.
   */
  'timeline.open': z.object({ roomId, limit: pageLimit, aroundEvent: eventId.optional() }).strict(),
  'timeline.close': z.object({ roomId }).strict(),
  /**
   * Up to `limit` items older than the item `before` (an event id), from the store first and
   * from the server (/messages) when the store has a gap or ends there.
   */
  'timeline.back': z.object({ roomId, before: eventId, limit: pageLimit }).strict(),
  /**
   * The person has seen the room up to `eventId`: a read receipt (public or private per the
   * settings) and the fully-read marker.
   */
  'receipts.markRead': z.object({ roomId, eventId }).strict(),
  /** The person is (or stopped) typing; sent only when the setting allows it. */
  'typing.set': z.object({ roomId, typing: z.boolean() }).strict(),
  'settings.get': noArgs,
  /** Changes some settings; a setting locked by policy is refused with `setting_locked`. */
  'settings.set': z
    .object({
      sendTypingNotices: z.boolean().optional(),
      readReceipts: z.enum(['public', 'private']).optional(),
      shareKeysWithCrossSignedOnly: z.boolean().optional(),
      notificationPreviews: z.boolean().optional(),
    })
    .strict(),
  'policy.get': noArgs,
  'update.install': noArgs,
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
      /** Servers to join through (a matrix: link's `via`), for a room our server is not in yet. */
      via: z
        .array(
          z
            .string()
            .regex(/^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/, 'Not a server name')
            .max(255, 'The server name is too long'),
        )
        .max(20, 'Too many servers')
        .optional(),
    })
    .strict(),
  /** The room a `#alias:server` names (the server's room directory); `room_not_found` if none. */
  'rooms.resolveAlias': z
    .object({
      alias: z
        .string()
        .regex(/^#[^:\s]+:\S+$/, 'Not a room alias')
        .max(255, 'The room alias is too long'),
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
  /**
   * Unread messages after our read receipt. For encrypted rooms the server cannot read the
   * messages, so the engine counts them itself from the decrypted events.
   */
  notificationCount: number;
  /** Unread messages that mention us (by user id, display name or @room where allowed). */
  highlightCount: number;
  /** Milliseconds since the epoch of the latest activity; orders the list. */
  lastActivity: number;
  /** A one-line preview of the latest message (decrypted), or null. Shown only in the app. */
  lastMessage: string | null;
  /** The room avatar's mxc:// URI, or null. */
  avatarUrl: string | null;
}

export type JoinRule = 'public' | 'invite' | 'knock' | 'restricted' | 'knock_restricted' | 'private';
export type HistoryVisibility = 'world_readable' | 'shared' | 'invited' | 'joined';

/** A room's state as its header and settings show it, and what we may do in it. */
export interface RoomDetails {
  roomId: string;
  name: string;
  topic: string | null;
  avatarUrl: string | null;
  canonicalAlias: string | null;
  membership: Membership;
  isDirect: boolean;
  isEncrypted: boolean;
  joinRule: JoinRule;
  historyVisibility: HistoryVisibility;
  joinedMemberCount: number;
  invitedMemberCount: number;
  /** Our power level and what it allows, per m.room.power_levels (room v12 creators included). */
  power: {
    level: number;
    canSendMessages: boolean;
    canInvite: boolean;
    canKick: boolean;
    canBan: boolean;
    /** Remove other people's events (our own can always be redacted). */
    canRedactOthers: boolean;
    canChangeName: boolean;
    canChangeTopic: boolean;
  };
}

/**
 * Sender trust of a decrypted event. `verified`: a cross-signed device of a verified user;
 * `unverified`: sent by a device its owner did not cross-sign, or by a user we have not
 * verified whose identity changed; `insecure`: the key does not prove who sent it (forwarded,
 * unknown device, sender mismatch). `none`: not encrypted. The message explains the shield.
 */
export interface ShieldView {
  level: 'none' | 'verified' | 'unverified' | 'insecure';
  message: string | null;
}

export interface ReactionView {
  key: string;
  count: number;
  /** Our own reaction's event id with this key, to remove it (message.redact). */
  ownEventId: string | null;
  /** Who reacted (user ids), for a tooltip. */
  senders: string[];
}

/**
 * An image message. `url` is a tessera-media:// URL that main answers through the engine (which
 * downloads, decrypts and checks it): never a network URL. Width and height are the sender's
 * claim (to reserve space), null when absent or implausible.
 */
export interface ImageView {
  url: string;
  /** The sender's smaller copy, when there is one: what the timeline loads. */
  thumbnailUrl: string | null;
  width: number | null;
  height: number | null;
}

/** What a timeline item shows. `message`: m.room.message (body in plain text). */
export type TimelineContent =
  | {
      kind: 'message';
      msgtype: string;
      /** The plain-text body (after the latest edit). */
      body: string;
      /**
       * org.matrix.custom.html from the sender, unsanitized: the renderer sanitizes it with
       * DOMPurify before showing it.
       */
      formattedBody: string | null;
      /** The message was edited; body and formattedBody are the latest edit's. */
      edited: boolean;
      /** m.image with a usable source: what the timeline shows instead of the body. */
      image?: ImageView;
    }
  /** m.room.member, m.room.name, m.room.topic ... in words, e.g. "Alice joined". */
  | { kind: 'state'; text: string }
  | { kind: 'redacted'; reason: string | null }
  /** An encrypted event that could not (yet) be decrypted; `message` says why in plain words. */
  | { kind: 'undecryptable'; reason: string; message: string; waitingForKey: boolean }
  /** An event type Tessera does not show (it still counts for ordering). */
  | { kind: 'unsupported'; type: string };

export interface TimelineItem {
  /** Stable for the item's life: the event id, or `txn:` + transaction id for a local echo. */
  key: string;
  eventId: string | null;
  /**
   * Sorts the room's items oldest first. Stored events keep their place in the room; local
   * echoes sort after every stored event, in the order they were sent.
   */
  position: number;
  /** Set on our own messages sent from this device (local echo and after). */
  transactionId: string | null;
  sender: string;
  senderName: string;
  timestamp: number;
  content: TimelineContent;
  encrypted: boolean;
  shield: ShieldView;
  /** The event this one replies to, with a preview, when it is known. */
  replyTo: { eventId: string; sender: string; senderName: string; preview: string | null } | null;
  reactions: ReactionView[];
  /** For our own messages: where they stand. null for everything received. */
  sendState: OutgoingMessageState | null;
  sendError: ErrorView | null;
  /** Whether we may edit (our own text message) or redact it. */
  canEdit: boolean;
  canRedact: boolean;
  /** Users whose latest public or private receipt is at this event (not us). */
  readBy: string[];
  /** This event mentions us. */
  highlight: boolean;
}

/** A page of a room's timeline, oldest first. */
export interface TimelinePage {
  roomId: string;
  items: TimelineItem[];
  /** False once the start of the room (or of what we may see) is reached. */
  hasOlder: boolean;
  /** timeline.open with `aroundEvent`: whether that event is among `items` (else: the newest page). */
  aroundEvent?: { eventId: string; found: boolean };
}

/** rooms.resolveAlias: the room and the servers to join it through (for a room we are not in). */
export interface RoomAliasTarget {
  roomId: string;
  servers: string[];
}

/**
 * A room's timeline changed: `upserted` items are new or changed (edit, reaction, decryption,
 * redaction, send state); each replaces the item with the same key, and all sort by
 * `position`. `removed` keys are gone (a cancelled local echo, or an echo whose event
 * arrived under its event id).
 */
export interface TimelineChange {
  roomId: string;
  upserted: TimelineItem[];
  removed: string[];
  /**
   * The room moved on while it was open (a gap opened above what the renderer holds): the items
   * are now exactly `upserted`, the newest page, as if the room had just been opened.
   */
  reset?: { hasOlder: boolean };
}

export interface TypingChange {
  roomId: string;
  /** Users typing now, us excluded. */
  userIds: string[];
}

/** Settings the person can change; `locked` ones are set by the organization's policy. */
export interface SettingsView {
  sendTypingNotices: boolean;
  readReceipts: 'public' | 'private';
  /** MSC4153: share room keys only with devices their owner cross-signed. */
  shareKeysWithCrossSignedOnly: boolean;
  /** Message text in desktop notifications (false: "New message" only). */
  notificationPreviews: boolean;
  locked: Array<
    'sendTypingNotices' | 'readReceipts' | 'shareKeysWithCrossSignedOnly' | 'notificationPreviews'
  >;
}

/**
 * A new message the person would want to hear about (a direct chat, a mention, a small room).
 * Main shows it as a desktop notification; it never reaches the renderer. When the
 * notificationPreviews setting is off, nothing about the message leaves the engine: the room
 * name, the sender and the text are all null (a lock screen shows only "New message").
 */
export interface NotificationShow {
  roomId: string;
  eventId: string;
  roomName: string | null;
  senderName: string | null;
  /** The message's one-line text; null also when previews are on but it has none. */
  preview: string | null;
}

/** The person clicked a notification: the app opens this room (sent by main). */
export interface RoomFocusRequest {
  roomId: string;
}

/**
 * A `matrix:` link the person opened (main parsed and checked it). Nothing happens without the
 * person's click: the app opens a room it knows, and asks before joining or starting a chat.
 */
export type OpenedLink =
  | { kind: 'room'; roomIdOrAlias: string; eventId?: string; via: string[]; action?: 'join' }
  | { kind: 'user'; userId: string; action?: 'chat' };

/**
 * What the organization's policy decides for sign-in and settings. Unmanaged: no default, any
 * homeserver, both sign-in and the passphrase fallback allowed, `managed` empty.
 */
export interface PolicyView {
  /** Pre-filled in the sign-in form. */
  defaultHomeserver: string | null;
  /** Host[:port] of the homeservers sign-in may go to; null: any. */
  allowedHomeservers: string[] | null;
  /** False: the organization requires single sign-on, so password sign-in is refused. */
  passwordSignIn: boolean;
  /** False: the OS keychain is required; the passphrase fallback is refused. */
  passphraseKeyFallback: boolean;
  /** The policy keys the organization sets (for "Set by your organization"). */
  managed: string[];
}

/** A single sign-on identity provider; `id` null: the server's own choice (it listed none). */
export interface IdentityProviderView {
  id: string | null;
  name: string;
  /** A well-known brand (e.g. `github`) the UI may style; no icon, the UI loads no remote images. */
  brand: string | null;
}

/** How this homeserver may be signed in to, under the policy. */
export interface SignInOptions {
  /** The base URL discovery ended on (allowed by the policy). */
  homeserver: string;
  /** Offered by the server and allowed by the policy. */
  password: boolean;
  /** Single sign-on's providers; empty when the server offers none. */
  identityProviders: IdentityProviderView[];
}

/** A single sign-on page main opens in the system browser (https, or http to this computer). */
export interface BrowserOpenRequest {
  url: string;
}

/** A downloaded, verified update; `installsOnQuit`: the policy installs it when Tessera quits. */
export interface UpdateReady {
  version: string;
  installsOnQuit: boolean;
}

export interface CommandResults {
  'session.get': SessionView | null;
  'session.login': SessionView;
  'session.unlock': SessionView;
  'session.retry': SessionView | null;
  'session.logout': null;
  'session.reauthenticate': SessionView;
  'session.signInOptions': SignInOptions;
  'session.loginSso': SessionView;
  'session.cancelSso': null;
  'session.reauthenticateSso': SessionView;
  'rooms.list': RoomSummary[];
  'rooms.details': RoomDetails;
  'timeline.open': TimelinePage;
  'timeline.close': null;
  'timeline.back': TimelinePage;
  'message.send': { transactionId: string };
  'message.edit': { transactionId: string };
  'message.react': { transactionId: string };
  'message.redact': null;
  'message.retry': null;
  'message.cancel': null;
  'receipts.markRead': null;
  'typing.set': null;
  'settings.get': SettingsView;
  'settings.set': SettingsView;
  'policy.get': PolicyView;
  'update.install': null;
  'rooms.create': { roomId: string };
  'rooms.invite': null;
  'rooms.join': { roomId: string };
  'rooms.resolveAlias': RoomAliasTarget;
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
  'timeline.changed': TimelineChange;
  'typing.changed': TypingChange;
  'settings.changed': SettingsView;
  'update.ready': UpdateReady;
  'notification.show': NotificationShow;
  'browser.openRequested': BrowserOpenRequest;
  'room.focusRequested': RoomFocusRequest;
  'link.opened': OpenedLink;
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
  // single sign-on (src-main/engine/auth/sso-*.ts)
  'sso_unsupported',
  'sso_in_progress',
  'sso_cancelled',
  'sso_timed_out',
  'sso_failed',
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
  // the timeline (src-main/engine/timeline)
  'event_not_found',
  'not_editable',
  'message_not_found',
  // settings
  'setting_locked',
  // the organization's policy (src-main/policy)
  'homeserver_not_allowed',
  'sign_in_method_not_allowed',
  'passphrase_fallback_not_allowed',
  // updates (src-main/updates)
  'update_not_ready',
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
