// Tessera's side of an interop test: the real Engine in-process, signed in to the test Synapse,
// and a way to read what it has stored of an encrypted room.
import type { OlmMachine } from '@matrix-org/matrix-sdk-crypto-wasm';
import { expect } from 'vitest';
import type { AccountSession } from '../../src-main/engine/account/account-session.ts';
import type { OlmCryptoAccount } from '../../src-main/engine/account/olm-crypto-account.ts';
import { RoomEventDecryptor } from '../../src-main/engine/crypto/room-event-decryptor.ts';
import type { TimelineEventRecord } from '../../src-main/engine/store/timeline-store.ts';
import type { EngineOptions } from '../../src-main/engine/protocol.ts';
import { MatrixPeer } from '../homeserver/matrix-peer.ts';
import { registerUser, type HomeserverInfo, type RegisteredUser } from '../homeserver/synapse.ts';
import { startEngine, type RecordedEngine } from '../integration/engine-harness.ts';

export interface TesseraAccount {
  recorded: RecordedEngine;
  user: RegisteredUser;
  session: AccountSession;
  /** Tessera's own device (the registration device is another device of the same user). */
  deviceId: string;
  /** The same user on its registration device, over raw HTTP: accepts invites on Tessera's behalf. */
  elsewhere: MatrixPeer;
}

export interface StoredText {
  eventId: string;
  sender: string;
  /** The engine's own stored decryption, or (before the engine decrypted) a decrypt here. */
  via: 'store' | 'decryptor';
  senderDeviceId?: string;
}

const POLL_MS = 100;

/** Registers a user and signs Tessera in as that user with its password. */
export async function signInTessera(
  homeserver: HomeserverInfo,
  options: Partial<EngineOptions> = {},
): Promise<TesseraAccount> {
  const user = await registerUser(homeserver);
  const recorded = startEngine(options);
  try {
    const outcome = await recorded.invoke('session.login', {
      homeserver: homeserver.baseUrl,
      user: user.localpart,
      password: user.password,
    });
    expect(outcome.ok).toBe(true);
    const session = recorded.engine.session;
    if (!session) throw new Error('Tessera signed in but has no open session');
    return {
      recorded,
      user,
      session,
      deviceId: session.deviceId,
      elsewhere: new MatrixPeer({ baseUrl: homeserver.baseUrl, ...user }),
    };
  } catch (error) {
    await recorded.dispose();
    throw error;
  }
}

export function olmMachineOf(session: AccountSession): OlmMachine {
  return (session.crypto as OlmCryptoAccount).machine.olm;
}

/** The event as the server sent it, rebuilt from the stored record. */
export function storedEventJson(record: TimelineEventRecord): Record<string, unknown> {
  return {
    type: record.type,
    content: record.content,
    sender: record.sender,
    event_id: record.eventId,
    origin_server_ts: record.originServerTs,
    room_id: record.roomId,
    ...(record.unsigned ? { unsigned: record.unsigned } : {}),
  };
}

/**
 * Waits until Tessera's store holds an m.room.encrypted event in the room whose clear body is
 * exactly `text`. When the engine decrypts its timeline, only its stored result counts;
 * otherwise the stored event is decrypted here with the engine's OlmMachine.
 */
export async function waitForTesseraText(
  session: AccountSession,
  roomId: string,
  text: string,
  timeoutMs = 20_000,
): Promise<StoredText> {
  const decryptor = session.decryption ? null : new RoomEventDecryptor(olmMachineOf(session));
  const deadline = Date.now() + timeoutMs;
  const reasons = new Set<string>();
  for (;;) {
    const records = encryptedRecords(session, roomId);
    for (const record of records) {
      const stored = storedClearText(record);
      if (stored?.body === text)
        return {
          eventId: record.eventId,
          sender: record.sender,
          via: 'store',
          ...(stored.senderDeviceId ? { senderDeviceId: stored.senderDeviceId } : {}),
        };
      if (record.decryption === 'failed') reasons.add(String(record.decrypted?.['reason']));
      if (!decryptor) continue;
      const result = await decryptor.decrypt(roomId, storedEventJson(record));
      if (
        result.ok &&
        result.clearEvent.type === 'm.room.message' &&
        bodyOf(result.clearEvent.content) === text
      )
        return {
          eventId: record.eventId,
          sender: record.sender,
          via: 'decryptor',
          ...(result.senderDeviceId ? { senderDeviceId: result.senderDeviceId } : {}),
        };
      if (!result.ok) reasons.add(result.reason);
    }
    if (Date.now() >= deadline)
      throw new Error(
        `Tessera never read the expected text in ${roomId}: ${records.length} encrypted event(s) stored` +
          (reasons.size > 0 ? `, failures: ${[...reasons].join(', ')}` : ''),
      );
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** The clear bodies of the room's encrypted events that Tessera has decrypted and stored. */
export function tesseraDecryptedTexts(session: AccountSession, roomId: string): string[] {
  return encryptedRecords(session, roomId).flatMap((record) => {
    const body = storedClearText(record)?.body;
    return body === undefined ? [] : [body];
  });
}

function encryptedRecords(session: AccountSession, roomId: string): TimelineEventRecord[] {
  return session.db.timeline.latest(roomId, 100).filter((record) => record.type === 'm.room.encrypted');
}

function storedClearText(record: TimelineEventRecord): { body: string; senderDeviceId?: string } | undefined {
  if (record.decryption !== 'decrypted' || !record.decrypted) return undefined;
  const body = bodyOf(record.decrypted['content']);
  if (record.decrypted['type'] !== 'm.room.message' || typeof body !== 'string') return undefined;
  const device = record.decrypted['senderDeviceId'];
  return { body, ...(typeof device === 'string' ? { senderDeviceId: device } : {}) };
}

/** Waits until the room is in Tessera's room list with the given membership. */
export async function waitForMembership(
  account: TesseraAccount,
  roomId: string,
  membership: 'invite' | 'join',
): Promise<void> {
  await account.recorded.waitForRooms((rooms) =>
    rooms.some((room) => room.roomId === roomId && room.membership === membership),
  );
}

function bodyOf(content: unknown): unknown {
  return typeof content === 'object' && content !== null
    ? (content as Record<string, unknown>)['body']
    : undefined;
}
