// rooms.create against the real Synapse: an encrypted direct chat that Tessera creates is pinned at
// once, so the first message, sent before the room's state has synced, is already ciphertext, and
// the invited peer (real crypto, none of Tessera's code) decrypts it.
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, inject, it } from 'vitest';
import type { MessageStatus, SessionView } from '../../src-preload/contract.ts';
import { OlmPeer } from '../homeserver/olm-peer.ts';
import { registerUser } from '../homeserver/synapse.ts';
import { startEngine } from './engine-harness.ts';
import { until } from '../support/until.ts';

const homeserver = inject('homeserver');
const cleanup: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

describe('rooms.create', () => {
  it('creates an encrypted direct chat whose first message the invitee decrypts', async () => {
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

    const created = await tessera.invoke('rooms.create', {
      name: 'Just us',
      invite: [bob.userId],
      direct: true,
    });
    if (!created.ok) throw new Error(`create failed: ${created.error.code}`);
    const { roomId } = created.value as { roomId: string };

    const body = `first words ${randomBytes(4).toString('hex')}`;
    const sent = await tessera.invoke('message.send', { roomId, body });
    if (!sent.ok) throw new Error(`send failed: ${sent.error.code}`);
    const { transactionId } = sent.value as { transactionId: string };
    const status = await until('the message to be sent', () =>
      tessera.events
        .filter((event) => event.name === 'message.status')
        .map((event) => event.payload as MessageStatus)
        .find((candidate) => candidate.transactionId === transactionId && candidate.state !== 'pending'),
    );
    expect(status.state).toBe('sent');

    await peer.matrix.join(roomId);
    const raw = await peer.rawEvent(roomId, status.eventId ?? '');
    expect(raw.type).toBe('m.room.encrypted');
    const clear = await until('the peer to decrypt', async () => {
      await peer.syncCrypto();
      return peer.decryptEvent(roomId, status.eventId ?? '').catch(() => undefined);
    });
    expect(clear).toEqual({
      type: 'm.room.message',
      content: { msgtype: 'm.text', body },
      senderDevice: session.deviceId,
    });

    const rooms = await tessera.waitForRooms((list) =>
      list.some((room) => room.roomId === roomId && room.isEncrypted && room.isDirect),
    );
    expect(rooms.find((room) => room.roomId === roomId)?.name).toBe('Just us');
  });

  it('sends plaintext only into a room created unencrypted', async () => {
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
    const peer = await OlmPeer.start({ baseUrl: homeserver.baseUrl, ...bob });
    cleanup.push(() => peer.close());

    const created = await tessera.invoke('rooms.create', {
      name: 'Open',
      invite: [bob.userId],
      encrypted: false,
    });
    if (!created.ok) throw new Error(`create failed: ${created.error.code}`);
    const { roomId } = created.value as { roomId: string };
    await tessera.waitForRooms((list) => list.some((room) => room.roomId === roomId && !room.isEncrypted));
    const sent = await tessera.invoke('message.send', { roomId, body: 'in the clear' });
    if (!sent.ok) throw new Error(`send failed: ${sent.error.code}`);
    const { transactionId } = sent.value as { transactionId: string };
    const status = await until('the message to be sent', () =>
      tessera.events
        .filter((event) => event.name === 'message.status')
        .map((event) => event.payload as MessageStatus)
        .find((candidate) => candidate.transactionId === transactionId && candidate.state === 'sent'),
    );
    await peer.matrix.join(roomId);
    expect(await peer.rawEvent(roomId, status.eventId ?? '')).toMatchObject({
      type: 'm.room.message',
      content: { msgtype: 'm.text', body: 'in the clear' },
    });
  });
});
