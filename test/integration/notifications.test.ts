// Which new messages notify ('notification.show'), against the real Synapse: a peer's message in
// a two-person room notifies once with its text; messages from before sign-in and our own never
// notify; a locked-off preview sends no text; an encrypted message notifies once, decrypted; in
// a bigger room only a mention notifies.
import { afterEach, describe, expect, inject, it } from 'vitest';
import type { NotificationShow, SessionView, SettingsView } from '../../src-preload/contract.ts';
import type { EnginePolicy } from '../../src-main/engine/protocol.ts';
import { MatrixPeer } from '../homeserver/matrix-peer.ts';
import { OlmPeer } from '../homeserver/olm-peer.ts';
import { registerUser, type RegisteredUser } from '../homeserver/synapse.ts';
import { eventsNamed, ok, sendMessage, until } from './activity-support.ts';
import { publishedKeys } from './crypto-fixture.ts';
import { startEngine, type RecordedEngine } from './engine-harness.ts';

const homeserver = inject('homeserver');
const cleanup: (() => unknown)[] = [];

afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function signIn(alice: RegisteredUser, policy?: EnginePolicy) {
  const tessera = startEngine(policy ? { policy } : {});
  cleanup.push(() => tessera.dispose());
  const login = await tessera.invoke('session.login', {
    homeserver: homeserver.baseUrl,
    user: alice.localpart,
    password: alice.password,
  });
  if (!login.ok) throw new Error(`sign-in failed: ${login.error.code}`);
  return { tessera, deviceId: (login.value as SessionView).deviceId };
}

const notifications = (tessera: RecordedEngine) =>
  eventsNamed<NotificationShow>(tessera, 'notification.show');

function notified(tessera: RecordedEngine, eventId: string): Promise<NotificationShow> {
  return until('notified', () => notifications(tessera).find((shown) => shown.eventId === eventId));
}

/** `bob` creates a room with alice (and `others`) joined. */
async function roomWith(bob: RegisteredUser, members: RegisteredUser[], name: string): Promise<string> {
  const peer = new MatrixPeer({ baseUrl: homeserver.baseUrl, ...bob });
  const roomId = await peer.createRoom({
    name,
    invite: members.map((member) => member.userId),
    preset: 'private_chat',
  });
  for (const member of members) await new MatrixPeer({ baseUrl: homeserver.baseUrl, ...member }).join(roomId);
  return roomId;
}

describe('message notifications', () => {
  it("notify a peer's new message once with its text; not the initial sync, not our own", async () => {
    const alice = await registerUser(homeserver, { displayName: 'Alice' });
    const bob = await registerUser(homeserver, { displayName: 'Bob' });
    const roomId = await roomWith(bob, [alice], 'Pair');
    const before = await sendMessage(bob, roomId, { msgtype: 'm.text', body: 'sent before sign-in' });

    const { tessera } = await signIn(alice);
    await tessera.waitForRooms((rooms) => rooms.some((room) => room.roomId === roomId));
    const hello = await sendMessage(bob, roomId, { msgtype: 'm.text', body: 'hello\nthere' });
    expect(await notified(tessera, hello)).toEqual({
      roomId,
      eventId: hello,
      roomName: 'Pair',
      senderName: 'Bob',
      preview: 'hello there',
    });

    // Our own message (another device of ours) never notifies; an edit neither.
    const own = await sendMessage(alice, roomId, { msgtype: 'm.text', body: 'mine' });
    const edit = await sendMessage(bob, roomId, {
      msgtype: 'm.text',
      body: '* hello again',
      'm.new_content': { msgtype: 'm.text', body: 'hello again' },
      'm.relates_to': { rel_type: 'm.replace', event_id: hello },
    });
    const marker = await sendMessage(bob, roomId, { msgtype: 'm.text', body: 'marker' });
    await notified(tessera, marker);
    const ids = notifications(tessera).map((shown) => shown.eventId);
    expect(ids.filter((id) => id === hello)).toHaveLength(1);
    expect(ids).not.toContain(before);
    expect(ids).not.toContain(own);
    expect(ids).not.toContain(edit);
    // Message text never reaches the logs.
    expect(JSON.stringify(tessera.logs)).not.toContain('hello');
  });

  it('with previews locked off by policy, no text, room or sender leaves in a notification', async () => {
    const alice = await registerUser(homeserver, { displayName: 'Alice' });
    const bob = await registerUser(homeserver, { displayName: 'Bob' });
    const roomId = await roomWith(bob, [alice], 'Locked');
    const { tessera } = await signIn(alice, {
      passwordSignIn: true,
      passphraseKeyFallback: true,
      lockedSettings: { notificationPreviews: false },
    });
    const settings = await ok<SettingsView>(tessera, 'settings.get');
    expect(settings.notificationPreviews).toBe(false);
    expect(settings.locked).toContain('notificationPreviews');
    const refused = await tessera.invoke('settings.set', { notificationPreviews: true });
    expect(refused.ok ? null : refused.error.code).toBe('setting_locked');

    await tessera.waitForRooms((rooms) => rooms.some((room) => room.roomId === roomId));
    const secret = await sendMessage(bob, roomId, { msgtype: 'm.text', body: 'the vault code is 4711' });
    expect(await notified(tessera, secret)).toEqual({
      roomId,
      eventId: secret,
      roomName: null,
      senderName: null,
      preview: null,
    });
    expect(JSON.stringify(notifications(tessera))).not.toMatch(/4711|Locked|Bob/);
  });

  it('notifies an encrypted message once, after it decrypts', async () => {
    const alice = await registerUser(homeserver, { displayName: 'Alice' });
    const bob = await registerUser(homeserver, { displayName: 'Bob' });
    const { tessera, deviceId } = await signIn(alice);
    const peer = await OlmPeer.start({ baseUrl: homeserver.baseUrl, ...bob });
    cleanup.push(() => peer.close());
    const roomId = await peer.createEncryptedRoom({ name: 'Sealed', invite: [alice.userId] });
    await new MatrixPeer({ baseUrl: homeserver.baseUrl, ...alice }).join(roomId);
    await tessera.waitForRooms((rooms) =>
      rooms.some((room) => room.roomId === roomId && room.membership === 'join'),
    );
    await until(
      'device keys published',
      async () =>
        (await publishedKeys(homeserver.baseUrl, bob.accessToken, alice.userId, deviceId)).curve25519,
    );
    const recipients = [alice.userId, bob.userId];
    const sealed = await peer.sendEncryptedText(roomId, 'sealed words', recipients);
    expect(await notified(tessera, sealed)).toMatchObject({ roomId, preview: 'sealed words' });
    const marker = await peer.sendEncryptedText(roomId, 'marker', recipients);
    await notified(tessera, marker);
    expect(notifications(tessera).filter((shown) => shown.eventId === sealed)).toHaveLength(1);
  });

  it('in a room of more than two, notifies only mentions', async () => {
    const alice = await registerUser(homeserver, { displayName: 'Alice' });
    const bob = await registerUser(homeserver, { displayName: 'Bob' });
    const carol = await registerUser(homeserver, { displayName: 'Carol' });
    const roomId = await roomWith(bob, [alice, carol], 'Team');
    const { tessera } = await signIn(alice);
    await tessera.waitForRooms((rooms) => rooms.some((room) => room.roomId === roomId));
    const chatter = await sendMessage(bob, roomId, { msgtype: 'm.text', body: 'lunch anyone' });
    const mention = await sendMessage(bob, roomId, {
      msgtype: 'm.text',
      body: 'Alice: can you review?',
      'm.mentions': { user_ids: [alice.userId] },
    });
    expect(await notified(tessera, mention)).toMatchObject({
      roomName: 'Team',
      preview: 'Alice: can you review?',
    });
    expect(notifications(tessera).map((shown) => shown.eventId)).not.toContain(chatter);
  });
});
