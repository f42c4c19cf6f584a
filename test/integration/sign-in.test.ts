// Sign-in and the room list against the real Synapse, over both sync APIs.
import { afterEach, describe, expect, inject, it } from 'vitest';
import type { RoomSummary, SessionView } from '../../src-preload/contract.ts';
import { MatrixPeer } from '../homeserver/matrix-peer.ts';
import { registerUser } from '../homeserver/synapse.ts';
import { startEngine, type RecordedEngine } from './engine-harness.ts';

const homeserver = inject('homeserver');
const running: RecordedEngine[] = [];

function engine(options: Parameters<typeof startEngine>[0] = {}): RecordedEngine {
  const recorded = startEngine(options);
  running.push(recorded);
  return recorded;
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((recorded) => recorded.dispose()));
});

const byName = (name: string) => (rooms: RoomSummary[]) => rooms.some((room) => room.name === name);

describe.each([
  { api: 'Simplified Sliding Sync', forceSyncV3: false, logLine: 'Simplified Sliding Sync' },
  { api: '/v3/sync', forceSyncV3: true, logLine: '/v3/sync' },
])('sign-in and room list over $api', ({ forceSyncV3, logLine }) => {
  it('signs in with a localpart and lists a room another user created and invited us to, then joined', async () => {
    const [alice, bob] = await Promise.all([registerUser(homeserver), registerUser(homeserver)]);
    const bobPeer = new MatrixPeer({ baseUrl: homeserver.baseUrl, ...bob });
    const tessera = engine({ forceSyncV3 });

    const login = await tessera.invoke('session.login', {
      homeserver: homeserver.baseUrl,
      user: alice.localpart,
      password: alice.password,
    });
    expect(login.ok).toBe(true);
    const session = (login as { value: SessionView }).value;
    expect(session.userId).toBe(alice.userId);
    expect(session.deviceId).toMatch(/\S/);
    expect(JSON.stringify(session)).not.toContain('syt_'); // no access token crosses
    expect(tessera.logs.some((log) => log.message.includes(logLine))).toBe(true);

    const roomId = await bobPeer.createRoom({
      name: 'Launch plans',
      invite: [alice.userId],
      preset: 'private_chat',
    });
    const invited = await tessera.waitForRooms(byName('Launch plans'));
    const invite = invited.find((room) => room.roomId === roomId);
    expect(invite).toMatchObject({ membership: 'invite', inviter: bob.userId });

    // Alice accepts from another of her devices; this session sees the membership change.
    const aliceElsewhere = new MatrixPeer({ baseUrl: homeserver.baseUrl, ...alice });
    await aliceElsewhere.join(roomId);
    const joined = await tessera.waitForRooms((rooms) =>
      rooms.some((room) => room.roomId === roomId && room.membership === 'join'),
    );
    expect(joined.find((room) => room.roomId === roomId)).toMatchObject({
      name: 'Launch plans',
      joinedMemberCount: 2,
    });

    const listed = await tessera.invoke('rooms.list');
    expect(listed).toMatchObject({ ok: true });
    expect((listed as { value: RoomSummary[] }).value.map((room) => room.roomId)).toContain(roomId);
  });

  it('names an unnamed direct chat after the other person (heroes) and marks it direct', async () => {
    const [alice, bob] = await Promise.all([registerUser(homeserver), registerUser(homeserver)]);
    const bobPeer = new MatrixPeer({ baseUrl: homeserver.baseUrl, ...bob });
    await bobPeer.setDisplayName('Bob Builder');
    const dmId = await bobPeer.createRoom({
      invite: [alice.userId],
      isDirect: true,
      preset: 'trusted_private_chat',
    });
    const aliceElsewhere = new MatrixPeer({ baseUrl: homeserver.baseUrl, ...alice });
    await aliceElsewhere.join(dmId);
    await aliceElsewhere.setAccountData('m.direct', { [bob.userId]: [dmId] });

    const tessera = engine({ forceSyncV3 });
    const login = await tessera.invoke('session.login', {
      homeserver: homeserver.baseUrl,
      user: alice.userId,
      password: alice.password,
    });
    expect(login.ok).toBe(true);
    const rooms = await tessera.waitForRooms((list) => list.some((room) => room.roomId === dmId));
    expect(rooms.find((room) => room.roomId === dmId)).toMatchObject({
      name: 'Bob Builder',
      isDirect: true,
      membership: 'join',
    });
  });

  it('signs out: the session ends, the room list empties and the token is revoked', async () => {
    const alice = await registerUser(homeserver);
    const tessera = engine({ forceSyncV3 });
    const login = await tessera.invoke('session.login', {
      homeserver: homeserver.baseUrl,
      user: alice.localpart,
      password: alice.password,
    });
    expect(login.ok).toBe(true);
    const deviceId = (login as { value: SessionView }).value.deviceId;

    expect(await tessera.invoke('session.logout')).toEqual({ ok: true, value: null });
    expect(await tessera.invoke('session.get')).toEqual({ ok: true, value: null });
    expect(tessera.events.at(-2)).toEqual({ name: 'session.changed', payload: null });
    expect(tessera.events.at(-1)).toEqual({ name: 'rooms.changed', payload: [] });

    // The device is gone from the server: the account's other session no longer lists it.
    const devices = (await (
      await fetch(`${homeserver.baseUrl}/_matrix/client/v3/devices`, {
        headers: { authorization: `Bearer ${alice.accessToken}` },
      })
    ).json()) as { devices: { device_id: string }[] };
    expect(devices.devices.map((device) => device.device_id)).not.toContain(deviceId);
  });
});

describe('sliding sync window', () => {
  it('lists every room when there are more rooms than the first request asked for', async () => {
    const [alice, bob] = await Promise.all([registerUser(homeserver), registerUser(homeserver)]);
    const bobPeer = new MatrixPeer({ baseUrl: homeserver.baseUrl, ...bob });
    const aliceElsewhere = new MatrixPeer({ baseUrl: homeserver.baseUrl, ...alice });
    const names = ['Room one', 'Room two', 'Room three', 'Room four', 'Room five'];
    for (const name of names) {
      const roomId = await bobPeer.createRoom({ name, invite: [alice.userId] });
      await aliceElsewhere.join(roomId);
    }
    const tessera = engine({ slidingSyncInitialWindow: 2 });
    const login = await tessera.invoke('session.login', {
      homeserver: homeserver.baseUrl,
      user: alice.localpart,
      password: alice.password,
    });
    expect(login.ok).toBe(true);
    const rooms = await tessera.waitForRooms((list) => list.length === names.length);
    expect(rooms.map((room) => room.name).sort()).toEqual([...names].sort());
  });
});

describe('sign-in details', () => {
  it('discovers the homeserver from a full user id when the homeserver field is empty', async () => {
    const alice = await registerUser(homeserver);
    const tessera = engine();
    const login = await tessera.invoke('session.login', {
      homeserver: '',
      user: alice.userId,
      password: alice.password,
    });
    expect(login).toMatchObject({ ok: true, value: { userId: alice.userId } });
  });

  it('refuses a second sign-in while signed in', async () => {
    const alice = await registerUser(homeserver);
    const tessera = engine();
    const args = { homeserver: homeserver.baseUrl, user: alice.localpart, password: alice.password };
    expect((await tessera.invoke('session.login', args)).ok).toBe(true);
    expect(await tessera.invoke('session.login', args)).toMatchObject({
      ok: false,
      error: { code: 'already_signed_in' },
    });
  });

  it('does not put the password or the access token in its logs', async () => {
    const alice = await registerUser(homeserver);
    const tessera = engine();
    await tessera.invoke('session.login', {
      homeserver: homeserver.baseUrl,
      user: alice.localpart,
      password: 'wrong-' + alice.password,
    });
    await tessera.invoke('session.login', {
      homeserver: homeserver.baseUrl,
      user: alice.localpart,
      password: alice.password,
    });
    await tessera.waitForRooms(() => tessera.engine.syncState === 'live');
    const logText = JSON.stringify(tessera.logs) + JSON.stringify(tessera.events);
    expect(logText).not.toContain(alice.password);
    expect(logText).not.toMatch(/syt_[A-Za-z0-9_]+/);
  });
});
