// rooms.details from stored state: spec defaults when an event is absent, our power per the
// power levels, room v12 creators above everyone, room_not_found for an unknown room.
import { describe, expect, it } from 'vitest';
import type { RoomSummary } from '../../../src-preload/contract.ts';
import { CREATOR_LEVEL, roomDetails } from '../../../src-main/engine/rooms/room-details.ts';
import type { StateEventRecord } from '../../../src-main/engine/store/room-state-store.ts';

const ME = '@me:x';
const summary: RoomSummary = {
  roomId: '!r:x',
  name: 'Plans',
  membership: 'join',
  isDirect: false,
  isEncrypted: true,
  inviter: null,
  joinedMemberCount: 3,
  invitedMemberCount: 1,
  notificationCount: 0,
  highlightCount: 0,
  lastActivity: 0,
  lastMessage: null,
  avatarUrl: null,
};

function stateOf(events: Record<string, { sender?: string; content: Record<string, unknown> }>) {
  return {
    get(_roomId: string, type: string): StateEventRecord | null {
      const event = events[type];
      return event
        ? { type, stateKey: '', eventId: null, sender: event.sender ?? '@bob:x', content: event.content }
        : null;
    },
  };
}

describe('roomDetails', () => {
  it('reads topic, avatar, alias, join rule and history visibility from state', () => {
    const details = roomDetails(
      stateOf({
        'm.room.topic': { content: { topic: 'Weekly plans' } },
        'm.room.avatar': { content: { url: 'mxc://x/avatar' } },
        'm.room.canonical_alias': { content: { alias: '#plans:x' } },
        'm.room.join_rules': { content: { join_rule: 'knock' } },
        'm.room.history_visibility': { content: { history_visibility: 'joined' } },
        'm.room.power_levels': {
          content: { users: { [ME]: 50 }, events: { 'm.room.topic': 50, 'm.room.name': 100 } },
        },
      }),
      summary,
      ME,
    );
    expect(details).toMatchObject({
      roomId: '!r:x',
      name: 'Plans',
      topic: 'Weekly plans',
      avatarUrl: 'mxc://x/avatar',
      canonicalAlias: '#plans:x',
      joinRule: 'knock',
      historyVisibility: 'joined',
      joinedMemberCount: 3,
      invitedMemberCount: 1,
      isEncrypted: true,
      power: {
        level: 50,
        canSendMessages: true,
        canInvite: true,
        canKick: true,
        canBan: true,
        canRedactOthers: true,
        canChangeName: false,
        canChangeTopic: true,
      },
    });
  });

  it('uses the spec defaults when state is absent or malformed', () => {
    const details = roomDetails(
      stateOf({
        'm.room.join_rules': { content: { join_rule: 'sometimes' } },
        'm.room.power_levels': { content: { users_default: 0 } },
      }),
      summary,
      ME,
    );
    expect(details).toMatchObject({
      topic: null,
      avatarUrl: null,
      canonicalAlias: null,
      joinRule: 'invite',
      historyVisibility: 'shared',
      power: { level: 0, canSendMessages: true, canInvite: true, canKick: false, canChangeTopic: false },
    });
  });

  it('puts room v12 creators above any level, and older creators at their listed level', () => {
    const v12 = roomDetails(
      stateOf({
        'm.room.create': { sender: ME, content: { room_version: '12' } },
        'm.room.power_levels': { content: { users: { '@bob:x': 100 }, ban: 100 } },
      }),
      summary,
      ME,
    );
    expect(v12.power).toMatchObject({ level: CREATOR_LEVEL, canBan: true, canChangeName: true });
    const v10 = roomDetails(
      stateOf({
        'm.room.create': { sender: ME, content: { room_version: '10' } },
        'm.room.power_levels': { content: { users: { '@bob:x': 100 } } },
      }),
      summary,
      ME,
    );
    expect(v10.power.level).toBe(0);
  });

  it('refuses an unknown room with room_not_found', () => {
    expect(() => roomDetails(stateOf({}), null, ME)).toThrow(
      expect.objectContaining({ code: 'room_not_found' }),
    );
  });
});
