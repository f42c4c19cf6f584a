// rooms.details against the real Synapse: it follows the topic, join rule, avatar and power
// changes a peer makes, and refuses an unknown room.
import { afterEach, describe, expect, inject, it } from 'vitest';
import type { RoomDetails } from '../../src-preload/contract.ts';
import { registerUser } from '../homeserver/synapse.ts';
import { ok, plainRoom, sendState, signIn, until } from './activity-support.ts';

const homeserver = inject('homeserver');
const cleanup: (() => unknown)[] = [];

afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

describe.each([{ forceSyncV3: false }, { forceSyncV3: true }])('rooms.details (%o)', (options) => {
  it('reflects the topic, join rule, avatar and power a peer changes', async () => {
    const signedIn = await signIn(cleanup, options);
    const { tessera, alice } = signedIn;
    const bob = await registerUser(homeserver);
    const roomId = await plainRoom(signedIn, bob, 'Details');

    const before = await ok<RoomDetails>(tessera, 'rooms.details', { roomId });
    expect(before).toMatchObject({
      roomId,
      name: 'Details',
      topic: null,
      joinRule: 'invite',
      historyVisibility: 'shared',
      membership: 'join',
      joinedMemberCount: 2,
      power: { level: 0, canSendMessages: true, canKick: false, canChangeTopic: false },
    });

    await sendState(bob, roomId, 'm.room.topic', { topic: 'Plans for the week' });
    await sendState(bob, roomId, 'm.room.join_rules', { join_rule: 'public' });
    await sendState(bob, roomId, 'm.room.avatar', { url: 'mxc://example.org/avatar' });
    await sendState(bob, roomId, 'm.room.power_levels', {
      // Room version 12 (the default) refuses the creator in `users`: creators outrank everyone.
      users: { [alice.userId]: 50 },
      users_default: 0,
      events: { 'm.room.topic': 50, 'm.room.name': 100 },
      state_default: 50,
      kick: 50,
      ban: 50,
      invite: 0,
      redact: 50,
    });

    const after = await until('details follow the changes', async () => {
      const details = await ok<RoomDetails>(tessera, 'rooms.details', { roomId });
      return details.power.level === 50 &&
        details.topic !== null &&
        details.joinRule === 'public' &&
        details.avatarUrl
        ? details
        : undefined;
    });
    expect(after).toMatchObject({
      topic: 'Plans for the week',
      joinRule: 'public',
      avatarUrl: 'mxc://example.org/avatar',
      power: { level: 50, canKick: true, canChangeTopic: true, canChangeName: false },
    });
    await tessera.waitForRooms((rooms) =>
      rooms.some((room) => room.roomId === roomId && room.avatarUrl === 'mxc://example.org/avatar'),
    );
  });
});

describe('rooms.details', () => {
  it('refuses a room that is not in the list', async () => {
    const { tessera } = await signIn(cleanup);
    const outcome = await tessera.invoke('rooms.details', { roomId: '!nowhere:example.org' });
    expect(outcome).toMatchObject({ ok: false, error: { code: 'room_not_found' } });
  });
});
