// Receipts, typing and unread counts against the real Synapse: a peer's receipt is stored; our
// receipt is public or private per the setting (the peer's own /sync tells); typing reaches
// typing.changed and is not sent while switched off; an encrypted room counts unread messages
// and mentions locally and shows the decrypted preview.
import { afterEach, describe, expect, inject, it } from 'vitest';
import type { RoomSummary, TypingChange } from '../../src-preload/contract.ts';
import { readersAt } from '../../src-main/engine/rooms/read-receipts.ts';
import { MatrixPeer } from '../homeserver/matrix-peer.ts';
import { OlmPeer } from '../homeserver/olm-peer.ts';
import { registerUser } from '../homeserver/synapse.ts';
import {
  call,
  ephemeralSeenBy,
  eventsNamed,
  ok,
  plainRoom,
  sendMessage,
  signIn,
  until,
} from './activity-support.ts';
import { publishedKeys } from './crypto-fixture.ts';
import { startEngine } from './engine-harness.ts';

const homeserver = inject('homeserver');
const cleanup: (() => unknown)[] = [];
const enc = encodeURIComponent;

afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** Alice's m.read receipt as `viewer` sees it: the event id, or undefined. */
async function publicReceiptOf(
  viewer: Parameters<typeof ephemeralSeenBy>[0],
  roomId: string,
  userId: string,
) {
  for (const event of await ephemeralSeenBy(viewer, roomId)) {
    if (event.type !== 'm.receipt') continue;
    for (const [eventId, byType] of Object.entries(event.content)) {
      const read = (byType as Record<string, Record<string, unknown>>)['m.read'];
      if (read && userId in read) return eventId;
    }
  }
  return undefined;
}

const room = (rooms: RoomSummary[], roomId: string) => rooms.find((summary) => summary.roomId === roomId);

describe.each([{ forceSyncV3: false }, { forceSyncV3: true }])('receipts and typing (%o)', (options) => {
  it("stores a peer's receipt, and marks read publicly or privately per the setting", async () => {
    const signedIn = await signIn(cleanup, options);
    const { tessera, alice } = signedIn;
    const bob = await registerUser(homeserver);
    const roomId = await plainRoom(signedIn, bob, 'Receipts');
    const first = await sendMessage(bob, roomId, { msgtype: 'm.text', body: 'first' });
    await call(alice, 'POST', `/rooms/${enc(roomId)}/receipt/m.read/${enc(first)}`, {});
    // Carol reads too; her receipt reaches Tessera through sync.
    const carol = await registerUser(homeserver);
    await new MatrixPeer({ baseUrl: homeserver.baseUrl, ...bob }).invite(roomId, carol.userId);
    await new MatrixPeer({ baseUrl: homeserver.baseUrl, ...carol }).join(roomId);
    await call(carol, 'POST', `/rooms/${enc(roomId)}/receipt/m.read/${enc(first)}`, {});
    const session = tessera.engine.session!;
    await until('carol’s receipt stored', () =>
      readersAt(session.db, roomId, [first], alice.userId).get(first)?.includes(carol.userId)
        ? true
        : undefined,
    );

    // Public (the default): bob sees alice's receipt move to the second message.
    const second = await sendMessage(bob, roomId, { msgtype: 'm.text', body: 'second' });
    await until('second message stored', () => (session.db.timeline.get(roomId, second) ? true : undefined));
    expect(await ok(tessera, 'receipts.markRead', { roomId, eventId: second })).toBeNull();
    expect(await publicReceiptOf(bob, roomId, alice.userId)).toBe(second);

    // Private: the server keeps it for alice alone; bob still sees the public one.
    await ok(tessera, 'settings.set', { readReceipts: 'private' });
    const third = await sendMessage(bob, roomId, { msgtype: 'm.text', body: 'third' });
    await until('third message stored', () => (session.db.timeline.get(roomId, third) ? true : undefined));
    await ok(tessera, 'receipts.markRead', { roomId, eventId: third });
    const ownView = await ephemeralSeenBy(alice, roomId);
    expect(JSON.stringify(ownView)).toContain(third);
    expect(await publicReceiptOf(bob, roomId, alice.userId)).toBe(second);
    expect(JSON.stringify(await ephemeralSeenBy(bob, roomId))).not.toContain(third);

    // An older event does not move our receipt back.
    await ok(tessera, 'settings.set', { readReceipts: 'public' });
    await ok(tessera, 'receipts.markRead', { roomId, eventId: first });
    expect(await publicReceiptOf(bob, roomId, alice.userId)).toBe(second);
    expect(eventsNamed(tessera, 'settings.changed')).toHaveLength(2);
  });

  it('shows who types, and sends our typing only while the setting is on', async () => {
    const signedIn = await signIn(cleanup, options);
    const { tessera, alice } = signedIn;
    const bob = await registerUser(homeserver);
    const roomId = await plainRoom(signedIn, bob, 'Typing');

    await call(bob, 'PUT', `/rooms/${enc(roomId)}/typing/${enc(bob.userId)}`, {
      typing: true,
      timeout: 30_000,
    });
    await until('bob typing', () =>
      eventsNamed<TypingChange>(tessera, 'typing.changed').some(
        (change) => change.roomId === roomId && change.userIds.includes(bob.userId),
      )
        ? true
        : undefined,
    );
    await call(bob, 'PUT', `/rooms/${enc(roomId)}/typing/${enc(bob.userId)}`, { typing: false });
    await until('bob stopped', () => {
      const changes = eventsNamed<TypingChange>(tessera, 'typing.changed').filter(
        (change) => change.roomId === roomId,
      );
      return changes.at(-1)?.userIds.length === 0 ? true : undefined;
    });

    const typers = async () =>
      (await ephemeralSeenBy(bob, roomId)).find((event) => event.type === 'm.typing')?.content.user_ids as
        string[] | undefined;

    // Switched off: nothing is sent. Bob types after our call, so his view would include alice.
    await ok(tessera, 'settings.set', { sendTypingNotices: false });
    expect(await ok(tessera, 'typing.set', { roomId, typing: true })).toBeNull();
    await call(bob, 'PUT', `/rooms/${enc(roomId)}/typing/${enc(bob.userId)}`, {
      typing: true,
      timeout: 30_000,
    });
    expect(await typers()).toEqual([bob.userId]);

    // Switched on: the same call reaches the server.
    await ok(tessera, 'settings.set', { sendTypingNotices: true });
    await ok(tessera, 'typing.set', { roomId, typing: true });
    expect((await typers())?.sort()).toEqual([alice.userId, bob.userId].sort());
    await ok(tessera, 'typing.set', { roomId, typing: false });
    expect(await typers()).toEqual([bob.userId]);
    // Our own typing never shows as someone else typing.
    expect(
      eventsNamed<TypingChange>(tessera, 'typing.changed').some((change) =>
        change.userIds.includes(alice.userId),
      ),
    ).toBe(false);
  });
});

describe('unread counts in an encrypted room', () => {
  it('counts a peer’s messages locally, back to 0 after markRead, mentions as highlights, with a decrypted preview', async () => {
    const signedIn = await signIn(cleanup);
    const { tessera, alice, deviceId } = signedIn;
    const bob = await registerUser(homeserver);
    const peer = await OlmPeer.start({ baseUrl: homeserver.baseUrl, ...bob });
    cleanup.push(() => peer.close());
    const roomId = await peer.createEncryptedRoom({ name: 'Unread', invite: [alice.userId] });
    await new MatrixPeer({ baseUrl: homeserver.baseUrl, ...alice }).join(roomId);
    await tessera.waitForRooms((rooms) => rooms.some((summary) => summary.roomId === roomId));
    await until(
      'device keys published',
      async () =>
        (await publishedKeys(homeserver.baseUrl, bob.accessToken, alice.userId, deviceId)).curve25519,
    );
    const session = tessera.engine.session!;
    const recipients = [alice.userId, bob.userId];
    const decrypted = (eventId: string) =>
      until('decrypted', () =>
        session.db.timeline.get(roomId, eventId)?.decryption === 'decrypted' ? true : undefined,
      );

    const first = await peer.sendEncryptedText(roomId, 'first words', recipients);
    await decrypted(first);
    await ok(tessera, 'receipts.markRead', { roomId, eventId: first });
    expect(room(tessera.latestRooms(), roomId)).toMatchObject({ notificationCount: 0, highlightCount: 0 });

    const second = await peer.sendEncryptedText(roomId, 'second words', recipients);
    await decrypted(second);
    const third = await peer.sendEncryptedText(roomId, 'third words', recipients);
    await decrypted(third);
    await tessera.waitForRooms((rooms) => room(rooms, roomId)?.notificationCount === 2);
    expect(room(tessera.latestRooms(), roomId)).toMatchObject({
      notificationCount: 2,
      highlightCount: 0,
      lastMessage: 'third words',
      isEncrypted: true,
    });

    await ok(tessera, 'receipts.markRead', { roomId, eventId: third });
    expect(room(tessera.latestRooms(), roomId)).toMatchObject({ notificationCount: 0, highlightCount: 0 });

    // The server cannot read this one; the mention is found in the decrypted text.
    const mention = await peer.sendEncryptedText(roomId, `are you there ${alice.userId}?`, recipients);
    await decrypted(mention);
    const rooms = await tessera.waitForRooms((list) => room(list, roomId)?.highlightCount === 1);
    expect(room(rooms, roomId)).toMatchObject({ notificationCount: 1, highlightCount: 1 });
    expect(room(rooms, roomId)?.lastMessage).toContain('are you there');
    // Message text never reaches the logs.
    expect(JSON.stringify(tessera.logs)).not.toContain('second words');

    // After a restart, the preview and the local counts come back from the store.
    await tessera.engine.shutdown();
    const again = startEngine({ profileDir: tessera.profileDir });
    cleanup.push(() => again.dispose());
    const restored = await again.waitForRooms((list) => room(list, roomId) !== undefined);
    expect(room(restored, roomId)).toMatchObject({ notificationCount: 1, highlightCount: 1 });
    expect(room(restored, roomId)?.lastMessage).toContain('are you there');
  });
});
