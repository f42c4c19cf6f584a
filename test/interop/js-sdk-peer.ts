// Another user's client for the interop tests, built on matrix-js-sdk with its Rust crypto (an
// in-memory store). A client we did not write: what it can read of Tessera's messages, and what
// Tessera can read of its messages, proves the wire format and not only our own round trip.
import {
  ClientEvent,
  createClient,
  MatrixEvent,
  Preset,
  SyncState,
  type ICreateClientOpts,
  type MatrixClient,
} from 'matrix-js-sdk';
// The SDK's module-level loggers (room state, RTC sessions, the send queue) log through loglevel,
// not through the client's logger; loglevel is the SDK's own dependency.
import loglevel from 'loglevel';
import type { RegisteredUser } from '../homeserver/synapse.ts';

export interface PeerDevice {
  deviceId: string;
  /** Base64 Ed25519 fingerprint key. */
  ed25519: string;
  /** Base64 Curve25519 identity key. */
  curve25519: string;
}

export interface DecryptedText {
  eventId: string;
  sender: string;
  body: string;
  /** The megolm session that encrypted it: a new one means the sender rotated its room key. */
  sessionId: string;
}

/** An event as the server sends it. */
export type RawEvent = Record<string, unknown>;

const MEGOLM = 'm.megolm.v1.aes-sha2';
const POLL_MS = 100;

type Logger = NonNullable<ICreateClientOpts['logger']>;

// The SDK logs every request and crypto step; the tests' output stays readable without it.
const silentLogger: Logger = {
  trace: () => {},
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  getChild: () => silentLogger,
};

const noLogging: loglevel.MethodFactory = () => () => {};

/** Silences every loglevel logger, those that exist and those the SDK creates later. */
function silenceSdkLoggers(): void {
  if (loglevel.methodFactory === noLogging) return;
  loglevel.methodFactory = noLogging;
  for (const named of Object.values(loglevel.getLoggers())) {
    named.methodFactory = noLogging;
    named.rebuild();
  }
  loglevel.rebuild();
}

export class JsSdkPeer {
  readonly userId: string;
  readonly deviceId: string;
  readonly client: MatrixClient;
  #stopped = false;

  private constructor(client: MatrixClient, userId: string, deviceId: string) {
    this.client = client;
    this.userId = userId;
    this.deviceId = deviceId;
  }

  /** Starts a client on the given device of the user, with Rust crypto, and waits for its first sync. */
  static async start(
    baseUrl: string,
    user: Pick<RegisteredUser, 'userId' | 'accessToken' | 'deviceId'>,
    options: { initialSyncLimit?: number } = {},
  ): Promise<JsSdkPeer> {
    silenceSdkLoggers();
    const clientOptions: ICreateClientOpts = {
      baseUrl,
      userId: user.userId,
      accessToken: user.accessToken,
      deviceId: user.deviceId,
      logger: silentLogger,
    };
    const client = createClient(clientOptions);
    const peer = new JsSdkPeer(client, user.userId, user.deviceId);
    try {
      await client.initRustCrypto({ useIndexedDB: false });
      const prepared = waitForPrepared(client);
      await client.startClient({ initialSyncLimit: options.initialSyncLimit ?? 20 });
      await prepared;
    } catch (error) {
      peer.stop();
      throw error;
    }
    return peer;
  }

  /** Creates a room with encryption in its initial state; resolves once this client holds it as encrypted. */
  async createEncryptedRoom(
    options: {
      invite?: string[];
      isDirect?: boolean;
      name?: string;
      historyVisibility?: 'joined' | 'invited' | 'shared';
      /** Extra m.room.encryption content, e.g. rotation_period_msgs. */
      encryption?: Record<string, unknown>;
    } = {},
  ): Promise<string> {
    const { room_id: roomId } = await this.client.createRoom({
      preset: Preset.PrivateChat,
      ...(options.name !== undefined ? { name: options.name } : {}),
      ...(options.invite ? { invite: options.invite } : {}),
      ...(options.isDirect !== undefined ? { is_direct: options.isDirect } : {}),
      initial_state: [
        { type: 'm.room.encryption', state_key: '', content: { ...options.encryption, algorithm: MEGOLM } },
        ...(options.historyVisibility
          ? [
              {
                type: 'm.room.history_visibility',
                state_key: '',
                content: { history_visibility: options.historyVisibility },
              },
            ]
          : []),
      ],
    });
    await this.waitForEncryptedRoom(roomId);
    return roomId;
  }

  async invite(roomId: string, userId: string): Promise<void> {
    await this.client.invite(roomId, userId);
  }

  /** Joins, then waits until the room and its encryption state have reached this client by sync. */
  async join(roomId: string): Promise<void> {
    await this.client.joinRoom(roomId);
    await this.waitForEncryptedRoom(roomId);
  }

  /**
   * Sends an m.text message; the SDK encrypts it. Refuses a room this client does not yet know
   * as encrypted, where the SDK would send plaintext.
   */
  async sendText(roomId: string, text: string): Promise<string> {
    if (!(await this.#isEncrypted(roomId))) throw new Error(`the peer does not know ${roomId} as encrypted`);
    const { event_id: eventId } = await this.client.sendTextMessage(roomId, text);
    return eventId;
  }

  /** Waits for an encrypted event in the room whose decrypted body is exactly `text`. */
  async waitForDecryptedText(roomId: string, text: string, timeoutMs = 20_000): Promise<DecryptedText> {
    const found = await poll(timeoutMs, () => {
      const events = this.client.getRoom(roomId)?.getLiveTimeline().getEvents() ?? [];
      return events.find((event) => isDecryptedText(event, text));
    });
    if (!found) {
      const failures = (this.client.getRoom(roomId)?.getLiveTimeline().getEvents() ?? [])
        .filter((event) => event.isDecryptionFailure())
        .map((event) => event.decryptionFailureReason);
      throw new Error(
        `the peer never decrypted the expected text in ${roomId}` +
          (failures.length > 0 ? ` (decryption failures: ${failures.join(', ')})` : ''),
      );
    }
    return {
      eventId: found.getId() ?? '',
      sender: found.getSender() ?? '',
      body: text,
      sessionId: sessionIdOf(found.getWireContent()),
    };
  }

  /** Waits until this client's copy of the room shows the user with that membership. */
  async waitForMembership(
    roomId: string,
    userId: string,
    membership: 'join' | 'invite' | 'leave',
  ): Promise<void> {
    const reached = await poll(20_000, () =>
      this.client.getRoom(roomId)?.getMember(userId)?.membership === membership ? true : undefined,
    );
    if (!reached) throw new Error(`the peer never saw ${userId} with membership ${membership}`);
  }

  async leave(roomId: string): Promise<void> {
    await this.client.leave(roomId);
  }

  /** The event as the server gives it to this user. */
  async rawEvent(roomId: string, eventId: string): Promise<RawEvent> {
    const event = await this.client.fetchRoomEvent(roomId, eventId);
    return { ...event, room_id: roomId };
  }

  /** Tries to decrypt an event with this client's keys: its body, or undefined when it cannot. */
  async tryDecrypt(raw: RawEvent): Promise<string | undefined> {
    const event = new MatrixEvent(raw);
    await this.client.decryptEventIfNeeded(event);
    if (!event.isEncrypted() || event.isDecryptionFailure()) return undefined;
    const body = event.getClearContent()?.['body'];
    return typeof body === 'string' ? body : undefined;
  }

  /** The devices the server lists for a user, fetched afresh. */
  async deviceKeysOf(userId: string): Promise<PeerDevice[]> {
    const crypto = this.client.getCrypto();
    if (!crypto) throw new Error('the peer has no crypto');
    const devices = await crypto.getUserDeviceInfo([userId], true);
    return [...(devices.get(userId)?.values() ?? [])].map((device) => ({
      deviceId: device.deviceId,
      ed25519: device.getFingerprint() ?? '',
      curve25519: device.getIdentityKey() ?? '',
    }));
  }

  /** Waits until the room is in this client's store with its encryption state. */
  async waitForEncryptedRoom(roomId: string, timeoutMs = 20_000): Promise<void> {
    const ready = await poll(timeoutMs, async () => ((await this.#isEncrypted(roomId)) ? true : undefined));
    if (!ready) throw new Error(`the peer never saw ${roomId} as an encrypted room`);
  }

  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.client.stopClient();
  }

  async #isEncrypted(roomId: string): Promise<boolean> {
    const room = this.client.getRoom(roomId);
    if (!room?.hasEncryptionStateEvent()) return false;
    return (await this.client.getCrypto()?.isEncryptionEnabledInRoom(roomId)) ?? false;
  }
}

function sessionIdOf(content: Record<string, unknown>): string {
  const id = content['session_id'];
  return typeof id === 'string' ? id : '';
}

function isDecryptedText(event: MatrixEvent, text: string): boolean {
  if (!event.isEncrypted() || event.isBeingDecrypted() || event.isDecryptionFailure()) return false;
  const content = event.getClearContent();
  return content?.['msgtype'] === 'm.text' && content['body'] === text;
}

function waitForPrepared(client: MatrixClient): Promise<void> {
  return new Promise((resolve, reject) => {
    const onSync = (state: SyncState, _previous: SyncState | null, data?: { error?: Error }) => {
      if (state === SyncState.Prepared) {
        client.off(ClientEvent.Sync, onSync);
        resolve();
      } else if (state === SyncState.Error) {
        client.off(ClientEvent.Sync, onSync);
        reject(data?.error ?? new Error('the peer could not sync'));
      }
    };
    client.on(ClientEvent.Sync, onSync);
  });
}

/** Calls `probe` until it yields a value or the time runs out (then undefined). */
async function poll<T>(
  timeoutMs: number,
  probe: () => T | undefined | Promise<T | undefined>,
): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() >= deadline) return undefined;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
