// Gets a room ready for an encrypted message (DESIGN.md §3), in order and under a per-room lock:
// the members who must receive the key (joined, plus invited unless history is `joined`), their
// device lists, Olm sessions to devices that have none, then the room key itself by to-device.
// With the MSC4153 setting on, the key goes only to devices their owner cross-signed (crypto-wasm's
// identity-based strategy); a recipient dropped by the policy makes the SDK rotate the room key.
import {
  CollectStrategy,
  EncryptionSettings,
  HistoryVisibility,
  RequestType,
  RoomId,
  UserId,
  type KeysClaimRequest,
  type ToDeviceRequest,
} from '@matrix-org/matrix-sdk-crypto-wasm';
import type { OutgoingRequestLike } from '../crypto/outgoing-request-http.ts';
import { EngineError } from '../errors.ts';
import type { MatrixHttp } from '../http/matrix-http.ts';
import type { EngineLogLevel } from '../protocol.ts';
import type { MemberStore } from '../store/member-store.ts';
import type { RoomStateStore } from '../store/room-state-store.ts';
import type { RoomStore } from '../store/room-store.ts';
import { CryptoRequestSender, type RequestMarker } from './crypto-request-sender.ts';
import { fetchRoomMembers } from './room-member-fetch.ts';
import type { RoomEncryption } from './room-encryption.ts';
import { RoomLock } from './room-lock.ts';

/** The parts of the OlmMachine key sharing uses. */
export interface KeySharingMachine extends RequestMarker {
  updateTrackedUsers(users: UserId[]): Promise<void>;
  getMissingSessions(users: UserId[]): Promise<KeysClaimRequest | null | undefined>;
  shareRoomKey(roomId: RoomId, users: UserId[], settings: EncryptionSettings): Promise<ToDeviceRequest[]>;
  outgoingRequests(): Promise<OutgoingRequestLike[]>;
}

export interface RoomKeySharingOptions {
  machine: KeySharingMachine;
  http: Pick<MatrixHttp, 'request'>;
  db: {
    members: Pick<MemberStore, 'list' | 'upsertMany'>;
    rooms: Pick<RoomStore, 'get'>;
    roomState: Pick<RoomStateStore, 'get'>;
  };
  userId: string;
  /** The crypto store's barrier (journal flush). */
  barrier(): void;
  /** Sends the machine's pending key queries and resolves once they are answered. */
  refreshDeviceLists(): Promise<void>;
  /** MSC4153: read at each share, so a change applies to the next message. Default false. */
  crossSignedOnly?(): boolean;
  log(level: EngineLogLevel, message: string): void;
}

const visibilities: Record<string, HistoryVisibility> = {
  invited: HistoryVisibility.Invited,
  joined: HistoryVisibility.Joined,
  shared: HistoryVisibility.Shared,
  world_readable: HistoryVisibility.WorldReadable,
};

/** Milliseconds to the microseconds crypto-wasm wants. */
const MICROS_PER_MS = 1000n;

export function encryptionSettings(
  encryption: RoomEncryption,
  visibility: HistoryVisibility,
  policy: { crossSignedOnly?: boolean } = {},
): EncryptionSettings {
  const settings = new EncryptionSettings();
  settings.historyVisibility = visibility;
  // Devices not signed by their owner's cross-signing key (and users with no identity) get nothing.
  if (policy.crossSignedOnly === true) settings.sharingStrategy = CollectStrategy.identityBasedStrategy();
  if (encryption.rotationPeriodMs !== undefined) {
    settings.rotationPeriod = BigInt(encryption.rotationPeriodMs) * MICROS_PER_MS;
  }
  if (encryption.rotationPeriodMessages !== undefined) {
    settings.rotationPeriodMessages = BigInt(encryption.rotationPeriodMessages);
  }
  return settings;
}

/** Who must receive the room key, given the members and the history visibility. */
export function keyRecipients(
  members: readonly { userId: string; membership: string }[],
  historyVisibility: string,
  ownUserId: string,
): string[] {
  const users = new Set<string>([ownUserId]);
  for (const member of members) {
    if (member.membership === 'join') users.add(member.userId);
    else if (member.membership === 'invite' && historyVisibility !== 'joined') users.add(member.userId);
  }
  return [...users].sort();
}

export class RoomKeySharing {
  readonly #options: RoomKeySharingOptions;
  readonly #requests: CryptoRequestSender;
  readonly #lock = new RoomLock();
  /** Rooms whose member list came from the server in this session; sync keeps it current after. */
  readonly #membersLoaded = new Set<string>();

  constructor(options: RoomKeySharingOptions) {
    this.#options = options;
    this.#requests = new CryptoRequestSender({
      machine: options.machine,
      http: options.http,
      barrier: options.barrier,
    });
  }

  prepare(roomId: string, encryption: RoomEncryption, signal?: AbortSignal): Promise<void> {
    return this.#lock.run(roomId, () => this.#prepare(roomId, encryption, signal));
  }

  async #prepare(roomId: string, encryption: RoomEncryption, signal?: AbortSignal): Promise<void> {
    const { machine, db } = this.#options;
    const members = await this.#members(roomId, signal);
    const visibility =
      db.roomState.get(roomId, 'm.room.history_visibility')?.content.history_visibility ?? 'shared';
    const visibilityName = typeof visibility === 'string' ? visibility : 'shared';
    const recipients = keyRecipients(members, visibilityName, this.#options.userId);
    const users = () => recipients.map((userId) => new UserId(userId));

    await machine.updateTrackedUsers(users());
    await this.#deviceListsOf(recipients);

    const claim = await machine.getMissingSessions(users());
    if (claim) await this.#requests.send(claim, signal);

    const crossSignedOnly = this.#options.crossSignedOnly?.() ?? false;
    let shares: ToDeviceRequest[];
    try {
      shares = await machine.shareRoomKey(
        new RoomId(roomId),
        users(),
        encryptionSettings(encryption, visibilities[visibilityName] ?? HistoryVisibility.Shared, {
          crossSignedOnly,
        }),
      );
    } catch (error) {
      // The identity-based strategy needs this device cross-signed by our own identity; without it
      // nothing is shared (failing closed), and the person is told why.
      if (crossSignedOnly && isOwnTrustMissing(error)) {
        throw new EngineError(
          'encryption_failed',
          'Room keys go only to cross-signed devices, and this device is not cross-signed yet. Verify it, or turn the setting off',
          { cause: error },
        );
      }
      throw error;
    }
    for (const share of shares) await this.#requests.send(share, signal);
  }

  /**
   * Waits until no key query for a recipient is outstanding: a device nobody asked about would not
   * get the room key. A query that keeps failing makes this attempt fail (the queue retries).
   */
  async #deviceListsOf(recipients: readonly string[]): Promise<void> {
    for (let round = 0; round < 2; round++) {
      await this.#options.refreshDeviceLists();
      if (!(await this.#queryPendingFor(recipients))) return;
    }
    throw new EngineError('unreachable', 'The devices of the people in this room could not be fetched');
  }

  async #queryPendingFor(recipients: readonly string[]): Promise<boolean> {
    const wanted = new Set(recipients);
    for (const request of await this.#options.machine.outgoingRequests()) {
      if (request.type !== RequestType.KeysQuery) continue;
      const body = JSON.parse(request.body) as { device_keys?: Record<string, unknown> };
      if (Object.keys(body.device_keys ?? {}).some((userId) => wanted.has(userId))) return true;
    }
    return false;
  }

  async #members(roomId: string, signal?: AbortSignal) {
    const { db } = this.#options;
    if (!this.#membersLoaded.has(roomId)) {
      const members = await fetchRoomMembers(this.#options.http, roomId, signal);
      // Kept only for a room the store knows (members belong to a stored room).
      if (db.rooms.get(roomId)) {
        db.members.upsertMany(roomId, members);
        this.#membersLoaded.add(roomId);
      }
      return members;
    }
    return db.members.list(roomId);
  }
}

/** crypto-wasm's refusal to share by identity from a device our own identity has not signed. */
function isOwnTrustMissing(error: unknown): boolean {
  const message = error instanceof Error ? error.message : typeof error === 'string' ? error : '';
  return /cross-signing is not set up|device is not verified/i.test(message);
}
