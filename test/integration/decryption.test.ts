// Decryption on receipt against the real Synapse: an encrypted message from another user's
// device is stored decrypted, once; a message that arrives before its room key is stored failed
// and decrypted when the key comes; a restart reads the stored clear text and decrypts nothing;
// an m.room.encrypted event of the wrong shape is stored failed and the engine keeps running.
import { randomBytes } from 'node:crypto';
import { EncryptionSettings, RequestType, RoomId, UserId } from '@matrix-org/matrix-sdk-crypto-wasm';
import { afterEach, describe, expect, inject, it } from 'vitest';
import type { SessionView } from '../../src-preload/contract.ts';
import type { AccountSession } from '../../src-main/engine/account/account-session.ts';
import { OlmCryptoAccount } from '../../src-main/engine/account/olm-crypto-account.ts';
import type { TimelineItem } from '../../src-main/engine/timeline/decrypted-timeline.ts';
import { MatrixPeer } from '../homeserver/matrix-peer.ts';
import { OlmPeer } from '../homeserver/olm-peer.ts';
import { registerUser, type RegisteredUser } from '../homeserver/synapse.ts';
import { publishedKeys } from './crypto-fixture.ts';
import { startEngine, type RecordedEngine } from './engine-harness.ts';
import { until } from '../support/until.ts';

const homeserver = inject('homeserver');
const cleanup: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

const enc = encodeURIComponent;

function openSession(tessera: RecordedEngine): AccountSession {
  const session = tessera.engine.session;
  if (!session) throw new Error('no open session');
  return session;
}

function item(tessera: RecordedEngine, roomId: string, eventId: string): TimelineItem | undefined {
  return tessera.engine.session?.timeline(roomId, 50).find((event) => event.eventId === eventId);
}

interface Conversation {
  tessera: RecordedEngine;
  alice: RegisteredUser;
  bob: RegisteredUser;
  peer: OlmPeer;
  roomId: string;
}

/** Tessera signed in as alice, her device keys on the server, in an encrypted room with bob's peer. */
async function conversation(options: { forceSyncV3?: boolean } = {}): Promise<Conversation> {
  const alice = await registerUser(homeserver);
  const bob = await registerUser(homeserver);
  const tessera = startEngine(options);
  cleanup.push(() => tessera.dispose());
  const login = await tessera.invoke('session.login', {
    homeserver: homeserver.baseUrl,
    user: alice.localpart,
    password: alice.password,
  });
  if (!login.ok) throw new Error(`sign-in failed: ${login.error.code}`);
  const deviceId = (login.value as SessionView).deviceId;
  const peer = await OlmPeer.start({ baseUrl: homeserver.baseUrl, ...bob });
  cleanup.push(() => peer.close());
  const roomId = await peer.createEncryptedRoom({ name: 'Decrypted once', invite: [alice.userId] });
  await new MatrixPeer({ baseUrl: homeserver.baseUrl, ...alice }).join(roomId);
  await tessera.waitForRooms((rooms) => rooms.some((room) => room.roomId === roomId));
  // The peer can share a room key with Tessera's device only once its keys are on the server.
  await until(
    'device keys published',
    async () => (await publishedKeys(homeserver.baseUrl, bob.accessToken, alice.userId, deviceId)).curve25519,
  );
  return { tessera, alice, bob, peer, roomId };
}

async function put(user: RegisteredUser, path: string, body: string): Promise<string> {
  const response = await fetch(`${homeserver.baseUrl}/_matrix/client/v3${path}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${user.accessToken}`, 'content-type': 'application/json' },
    body,
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`PUT ${path}: ${response.status}`);
  return text;
}

async function sendRaw(user: RegisteredUser, roomId: string, type: string, content: string): Promise<string> {
  const txn = `test-${randomBytes(6).toString('hex')}`;
  const sent = await put(user, `/rooms/${enc(roomId)}/send/${enc(type)}/${txn}`, content);
  return (JSON.parse(sent) as { event_id: string }).event_id;
}

function decryptCalls(tessera: RecordedEngine): number {
  return openSession(tessera).decryption?.decryptCalls ?? -1;
}

describe('decryption on receipt', () => {
  it.each([{ forceSyncV3: false }, { forceSyncV3: true }])(
    'stores a message from another device decrypted, with its shield, and decrypts it only once (%o)',
    async (options) => {
      const { tessera, bob, peer, roomId } = await conversation(options);
      const text = `hello ${randomBytes(4).toString('hex')}`;
      const eventId = await peer.sendEncryptedText(roomId, text, [
        tessera.engine.session!.userId,
        bob.userId,
      ]);

      const received = await until('message decrypted', () => {
        const found = item(tessera, roomId, eventId);
        return found?.decryption === 'decrypted' ? found : undefined;
      });
      expect(received).toMatchObject({
        type: 'm.room.message',
        encrypted: true,
        content: { msgtype: 'm.text', body: text },
        senderDeviceId: bob.deviceId,
        shield: { color: 'red', code: 'unsigned_device' },
      });
      const session = openSession(tessera);
      expect(session.crypto).toBeInstanceOf(OlmCryptoAccount);
      const calls = decryptCalls(tessera);
      expect(calls).toBeGreaterThanOrEqual(1);
      await session.decryption?.whenIdle();
      session.decryption?.kick();
      await session.decryption?.whenIdle();
      expect(decryptCalls(tessera)).toBe(calls);
      expect(JSON.stringify(tessera.logs)).not.toContain(text);

      // After a restart the clear text comes from the store and nothing is decrypted again.
      await tessera.engine.shutdown();
      const again = startEngine({ ...options, profileDir: tessera.profileDir });
      cleanup.push(() => again.dispose());
      await until('session reopened', () => (again.engine.session?.decryption ? true : undefined));
      await again.waitForRooms((rooms) => rooms.some((room) => room.roomId === roomId));
      await until('synced once', () => (again.engine.session?.syncState === 'live' ? true : undefined));
      await openSession(again).decryption?.whenIdle();
      expect(item(again, roomId, eventId)).toMatchObject({ content: { body: text } });
      expect(decryptCalls(again)).toBe(0);
    },
  );

  it('stores a message that came before its room key as failed, then decrypts it when the key arrives', async () => {
    const { tessera, alice, bob, peer, roomId } = await conversation();
    // A first message sets up the Olm sessions between the devices.
    const warmUp = await peer.sendEncryptedText(roomId, 'warm up', [alice.userId, bob.userId]);
    await until('warm-up decrypted', () =>
      item(tessera, roomId, warmUp)?.decryption === 'decrypted' ? true : undefined,
    );

    // A new megolm session whose key is held back until the message has been received.
    const room = new RoomId(roomId);
    await peer.machine.invalidateGroupSession(room);
    const shares = await peer.machine.shareRoomKey(
      room,
      [new UserId(alice.userId), new UserId(bob.userId)],
      new EncryptionSettings(),
    );
    const text = `key comes later ${randomBytes(4).toString('hex')}`;
    const content = await peer.machine.encryptRoomEvent(
      new RoomId(roomId),
      'm.room.message',
      JSON.stringify({ msgtype: 'm.text', body: text }),
    );
    const eventId = await sendRaw(bob, roomId, 'm.room.encrypted', content);

    const failed = await until('message failed', () => {
      const found = item(tessera, roomId, eventId);
      return found?.decryption === 'failed' ? found : undefined;
    });
    expect(failed).toMatchObject({ content: {}, failure: { reason: 'missing_room_key' } });

    for (const share of shares) {
      const response = await put(
        bob,
        `/sendToDevice/${enc(share.event_type)}/${enc(share.txn_id)}`,
        share.body,
      );
      await peer.machine.markRequestAsSent(share.id, RequestType.ToDevice, response);
    }
    const decrypted = await until('message decrypted after its key', () => {
      const found = item(tessera, roomId, eventId);
      return found?.decryption === 'decrypted' ? found : undefined;
    });
    expect(decrypted).toMatchObject({ content: { body: text } });
    expect(decrypted.failure).toBeUndefined();
  });

  it('stores an encrypted event of the wrong shape as failed (malformed) and keeps running', async () => {
    const { tessera, alice, bob, peer, roomId } = await conversation();
    const bad = await sendRaw(
      bob,
      roomId,
      'm.room.encrypted',
      JSON.stringify({ algorithm: 'm.megolm.v1.aes-sha2', ciphertext: 7, session_id: ['x'] }),
    );
    const failed = await until('malformed event failed', () => {
      const found = item(tessera, roomId, bad);
      return found?.decryption === 'failed' ? found : undefined;
    });
    expect(failed.failure).toMatchObject({ reason: 'malformed' });

    const text = `still here ${randomBytes(4).toString('hex')}`;
    const good = await peer.sendEncryptedText(roomId, text, [alice.userId, bob.userId]);
    const decrypted = await until('next message decrypted', () => {
      const found = item(tessera, roomId, good);
      return found?.decryption === 'decrypted' ? found : undefined;
    });
    expect(decrypted.content.body).toBe(text);
  });
});
