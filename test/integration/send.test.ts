// The send pipeline against the real Synapse, with another user's device that shares none of
// Tessera's crypto code (OlmPeer): Tessera's encrypted message opens on the peer; a message whose
// first attempt loses its response is sent exactly once; a room whose stored state loses
// m.room.encryption still gets only ciphertext.
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, inject, it } from 'vitest';
import type { MessageStatus, SessionView } from '../../src-preload/contract.ts';
import { OlmCryptoAccount } from '../../src-main/engine/account/olm-crypto-account.ts';
import { MatrixHttp } from '../../src-main/engine/http/matrix-http.ts';
import { createSendQueue } from '../../src-main/engine/send/account-sending.ts';
import { MatrixPeer } from '../homeserver/matrix-peer.ts';
import { OlmPeer } from '../homeserver/olm-peer.ts';
import { registerUser } from '../homeserver/synapse.ts';
import { filesContaining } from '../support/profile-files.ts';
import { startEngine, type RecordedEngine } from './engine-harness.ts';
import { until } from '../support/until.ts';

const homeserver = inject('homeserver');
const cleanup: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** Tessera signed in as a new user, in an encrypted room created by a peer with real crypto. */
async function encryptedRoomWithPeer() {
  const alice = await registerUser(homeserver);
  const bob = await registerUser(homeserver);
  const tessera = startEngine({ forceSyncV3: true });
  cleanup.push(() => tessera.dispose());
  const login = await tessera.invoke('session.login', {
    homeserver: homeserver.baseUrl,
    user: alice.localpart,
    password: alice.password,
  });
  if (!login.ok) throw new Error(`sign-in failed: ${login.error.code}`);
  const session = login.value as SessionView;
  const peer = await OlmPeer.start({ baseUrl: homeserver.baseUrl, ...bob });
  cleanup.push(() => peer.close());
  const roomId = await peer.createEncryptedRoom({ name: 'Send tests', invite: [alice.userId] });
  await new MatrixPeer({ baseUrl: homeserver.baseUrl, ...alice }).join(roomId);
  await tessera.waitForRooms((rooms) =>
    rooms.some((room) => room.roomId === roomId && room.membership === 'join' && room.isEncrypted),
  );
  return { tessera, session, peer, roomId, alice, bob };
}

function statusOf(tessera: RecordedEngine, transactionId: string, state: MessageStatus['state']) {
  return until(`message ${state}`, () =>
    tessera.events
      .filter((event) => event.name === 'message.status')
      .map((event) => event.payload as MessageStatus)
      .find((status) => status.transactionId === transactionId && status.state === state),
  );
}

/** Receives to-device messages until the event decrypts on the peer. */
async function decryptOnPeer(peer: OlmPeer, roomId: string, eventId: string) {
  return until(
    'the peer to decrypt',
    async () => {
      await peer.syncCrypto();
      try {
        return await peer.decryptEvent(roomId, eventId);
      } catch {
        return undefined;
      }
    },
    50,
  );
}

describe('sending messages', () => {
  it('sends an encrypted message that the other user’s device decrypts', async () => {
    const { tessera, session, peer, roomId } = await encryptedRoomWithPeer();
    const body = `hello bob ${randomBytes(4).toString('hex')}`;
    const sent = await tessera.invoke('message.send', { roomId, body });
    expect(sent.ok).toBe(true);
    const { transactionId } = (sent as { ok: true; value: { transactionId: string } }).value;
    const status = await statusOf(tessera, transactionId, 'sent');
    expect(status.eventId).toMatch(/^\$/);

    const raw = await peer.rawEvent(roomId, status.eventId ?? '');
    expect(raw.type).toBe('m.room.encrypted');
    expect(JSON.stringify(raw)).not.toContain(body);

    const clear = await decryptOnPeer(peer, roomId, status.eventId ?? '');
    expect(clear).toEqual({
      type: 'm.room.message',
      content: { msgtype: 'm.text', body },
      senderDevice: session.deviceId,
    });
    // The message never reached a log.
    expect(JSON.stringify(tessera.logs)).not.toContain(body);
  });

  it('keeps the text it sends out of every profile file, while running and after shutdown', async () => {
    const { tessera, peer, roomId } = await encryptedRoomWithPeer();
    const body = `the launch moves to March ${randomBytes(6).toString('hex')}`;
    const sent = await tessera.invoke('message.send', { roomId, body });
    if (!sent.ok) throw new Error(sent.error.code);
    const { transactionId } = sent.value as { transactionId: string };
    const status = await statusOf(tessera, transactionId, 'sent');
    // The peer can read it, so the text really went through the queue and the encryptor.
    expect((await decryptOnPeer(peer, roomId, status.eventId ?? '')).content).toMatchObject({ body });
    // The queue row and the stored event hold it, inside SQLCipher only.
    expect(filesContaining(tessera.profileDir, body)).toEqual([]);
    await tessera.engine.shutdown();
    expect(filesContaining(tessera.profileDir, body)).toEqual([]);
    expect(JSON.stringify(tessera.logs)).not.toContain(body);
  });

  it('sends a message exactly once when the response to its first attempt is lost', async () => {
    const { tessera, peer, roomId, alice } = await encryptedRoomWithPeer();
    const session = tessera.engine.session;
    if (!session || !(session.crypto instanceof OlmCryptoAccount)) throw new Error('no open account');
    const record = session.db.session.get();
    if (!record) throw new Error('no session record');

    const sendPaths: string[] = [];
    let dropped = false;
    const flaky: typeof fetch = async (input, init) => {
      const url = new URL(String(input instanceof Request ? input.url : input));
      const response = await fetch(input, init);
      if (url.pathname.includes('/send/')) {
        sendPaths.push(url.pathname);
        if (!dropped) {
          // The server took the message, but the connection drops before its answer arrives.
          dropped = true;
          throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNRESET' } });
        }
      }
      return response;
    };
    const statuses: MessageStatus[] = [];
    const queue = createSendQueue({
      db: session.db,
      http: new MatrixHttp({
        baseUrl: new URL(record.homeserver),
        accessToken: record.accessToken,
        fetch: flaky,
      }),
      crypto: session.crypto,
      userId: session.userId,
      emit: (status) => statuses.push(status),
      log: () => {},
      backoffMs: () => 10,
    });
    cleanup.push(() => queue.stop());

    const body = `once ${randomBytes(4).toString('hex')}`;
    const txnId = queue.send(roomId, 'm.room.message', { msgtype: 'm.text', body });
    // Stored before the first attempt.
    expect(session.db.outgoing.get(txnId)?.state).toBe('pending');
    await queue.whenIdle();

    expect(sendPaths).toHaveLength(2);
    expect(new Set(sendPaths).size).toBe(1);
    expect(sendPaths[0]).toContain(`/send/m.room.encrypted/${txnId}`);
    const sent = statuses.find((status) => status.state === 'sent');
    expect(sent?.eventId).toMatch(/^\$/);
    expect(session.db.outgoing.get(txnId)).toMatchObject({
      state: 'sent',
      eventId: sent?.eventId,
      attempts: 2,
    });

    // The room holds the message once.
    const fromAlice = await peer.eventIdsFrom(roomId, alice.userId);
    expect(fromAlice).toEqual([sent?.eventId]);
  });

  it('never sends plaintext into an encrypted room whose stored state lost m.room.encryption', async () => {
    const { tessera, peer, roomId } = await encryptedRoomWithPeer();
    const session = tessera.engine.session;
    if (!session) throw new Error('no open account');
    // Pinned by a first message.
    const first = await tessera.invoke('message.send', { roomId, body: 'first' });
    expect(first.ok).toBe(true);
    await statusOf(
      tessera,
      (first as { ok: true; value: { transactionId: string } }).value.transactionId,
      'sent',
    );

    // The server "forgets": the state row is gone, as if a response had left it out.
    const state = session.db.roomState.all(roomId).filter((event) => event.type !== 'm.room.encryption');
    session.db.roomState.replaceAll(roomId, state);
    expect(session.db.roomState.get(roomId, 'm.room.encryption')).toBeNull();

    const body = `still secret ${randomBytes(4).toString('hex')}`;
    const second = await tessera.invoke('message.send', { roomId, body });
    const status = await statusOf(
      tessera,
      (second as { ok: true; value: { transactionId: string } }).value.transactionId,
      'sent',
    );
    const raw = await peer.rawEvent(roomId, status.eventId ?? '');
    expect(raw.type).toBe('m.room.encrypted');
    expect(JSON.stringify(raw)).not.toContain(body);
  });

  it('sends a message left pending at shutdown after a restart, with the same transaction id', async () => {
    const { tessera, peer, roomId, alice } = await encryptedRoomWithPeer();
    const session = tessera.engine.session;
    if (!session || !(session.crypto instanceof OlmCryptoAccount)) throw new Error('no open account');
    const record = session.db.session.get();
    if (!record) throw new Error('no session record');
    // Offline: every send fails before reaching the server.
    const offline: typeof fetch = async (input, init) => {
      const url = new URL(String(input instanceof Request ? input.url : input));
      if (url.pathname.includes('/send/')) {
        throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
      }
      return fetch(input, init);
    };
    const queue = createSendQueue({
      db: session.db,
      http: new MatrixHttp({
        baseUrl: new URL(record.homeserver),
        accessToken: record.accessToken,
        fetch: offline,
      }),
      crypto: session.crypto,
      userId: session.userId,
      emit: () => {},
      log: () => {},
      backoffMs: () => 60_000,
    });
    const body = `after restart ${randomBytes(4).toString('hex')}`;
    const txnId = queue.send(roomId, 'm.room.message', { msgtype: 'm.text', body });
    await until('a failed attempt', () =>
      (session.db.outgoing.get(txnId)?.attempts ?? 0) > 0 ? true : undefined,
    );
    await queue.stop();
    expect(session.db.outgoing.get(txnId)).toMatchObject({ state: 'pending', lastError: 'unreachable' });

    await tessera.engine.shutdown();
    const again = startEngine({ forceSyncV3: true, profileDir: tessera.profileDir });
    cleanup.push(() => again.dispose());
    const status = await statusOf(again, txnId, 'sent');
    const clear = await decryptOnPeer(peer, roomId, status.eventId ?? '');
    expect(clear.content).toEqual({ msgtype: 'm.text', body });
    expect(await peer.eventIdsFrom(roomId, alice.userId)).toEqual([status.eventId]);
  });
});
