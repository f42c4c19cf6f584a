// The room list survives a restart: what takeChanges() hands the store rebuilds the same list.
import { describe, expect, it } from 'vitest';
import { RoomList } from '../../../src-main/engine/rooms/room-list.ts';
import type { MemberRecord } from '../../../src-main/engine/store/member-store.ts';
import type { RoomRecord } from '../../../src-main/engine/store/room-store.ts';
import { translateV3 } from '../../../src-main/engine/sync/v3-sync.ts';

const me = '@me:x';
const member = (userId: string, membership: string, extra: Record<string, unknown> = {}) => ({
  type: 'm.room.member',
  state_key: userId,
  sender: (extra.sender as string | undefined) ?? userId,
  content: { membership, ...extra },
});

describe('RoomList persistence', () => {
  it('restores the same summaries from the changes it reported', () => {
    const live = new RoomList(me);
    live.apply(
      translateV3({
        next_batch: 's1',
        rooms: {
          join: {
            '!dm:x': {
              summary: { 'm.heroes': ['@bob:x'], 'm.joined_member_count': 2, 'm.invited_member_count': 0 },
              state: { events: [member('@bob:x', 'join', { displayname: 'Bob' }), member(me, 'join')] },
              timeline: {
                events: [{ type: 'm.room.message', sender: '@bob:x', origin_server_ts: 10, content: {} }],
              },
            },
            '!enc:x': {
              state: {
                events: [
                  { type: 'm.room.name', state_key: '', sender: '@a:x', content: { name: 'Secret' } },
                  {
                    type: 'm.room.encryption',
                    state_key: '',
                    sender: '@a:x',
                    content: { algorithm: 'm.megolm.v1.aes-sha2' },
                  },
                ],
              },
            },
            '!gone:x': {},
          },
          invite: {
            '!inv:x': {
              invite_state: {
                events: [
                  member(me, 'invite', { sender: '@carol:x', is_direct: true }),
                  member('@carol:x', 'join', { displayname: 'Carol' }),
                ],
              },
            },
          },
        },
        account_data: { events: [{ type: 'm.direct', content: { '@bob:x': ['!dm:x'] } }] },
      }),
    );
    live.apply(
      translateV3({
        next_batch: 's2',
        rooms: { leave: { '!gone:x': { timeline: { events: [member(me, 'leave')] } } } },
      }),
    );

    const stored = new Map<string, RoomRecord>();
    const members = new Map<string, MemberRecord[]>();
    const first = live.takeChanges();
    const second = live.takeChanges();
    expect(second.rooms).toEqual([]);
    for (const room of first.rooms) stored.set(room.roomId, room);
    for (const [roomId, list] of first.members) members.set(roomId, list);
    for (const roomId of first.removed) stored.delete(roomId);
    const direct = first.direct;
    expect(first.removed).toEqual(['!gone:x']);

    const restored = RoomList.restore(
      me,
      [...stored.values()],
      (roomId) => members.get(roomId) ?? [],
      direct,
    );
    expect(restored.summaries()).toEqual(live.summaries());
    expect(restored.summaries().map((room) => room.name)).toEqual(['Carol', 'Bob', 'Secret']);
  });
});
