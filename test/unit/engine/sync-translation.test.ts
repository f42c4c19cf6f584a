// Both sync APIs reduce to one batch shape; malformed items are skipped and counted, never fatal.
import { describe, expect, it } from 'vitest';
import { RoomList } from '../../../src-main/engine/rooms/room-list.ts';
import { translateSliding } from '../../../src-main/engine/sync/sliding-sync.ts';
import { translateV3 } from '../../../src-main/engine/sync/v3-sync.ts';

const me = '@me:x';
const member = (userId: string, membership: string, extra: Record<string, unknown> = {}) => ({
  type: 'm.room.member',
  state_key: userId,
  sender: extra.sender ?? userId,
  content: { membership, ...extra },
});

describe('v3 sync translation', () => {
  it('lists joined rooms with heroes and invites with their inviter', () => {
    const batch = translateV3({
      next_batch: 's1',
      rooms: {
        join: {
          '!dm:x': {
            summary: { 'm.heroes': ['@bob:x'], 'm.joined_member_count': 2, 'm.invited_member_count': 0 },
            state: { events: [member('@bob:x', 'join', { displayname: 'Bob' }), member(me, 'join')] },
            timeline: {
              events: [{ type: 'm.room.message', sender: '@bob:x', origin_server_ts: 1000, content: {} }],
            },
            unread_notifications: { notification_count: 3, highlight_count: 1 },
          },
        },
        invite: {
          '!inv:x': {
            invite_state: {
              events: [
                { type: 'm.room.name', state_key: '', sender: '@carol:x', content: { name: 'Plans' } },
                member(me, 'invite', { sender: '@carol:x', is_direct: false }),
              ],
            },
          },
        },
      },
      account_data: { events: [{ type: 'm.direct', content: { '@bob:x': ['!dm:x'], junk: 5 } }] },
    });
    expect(batch.skippedEvents).toBe(0);
    const list = new RoomList(me);
    list.apply(batch);
    expect(list.summaries()).toEqual([
      expect.objectContaining({ roomId: '!inv:x', name: 'Plans', membership: 'invite', inviter: '@carol:x' }),
      expect.objectContaining({
        roomId: '!dm:x',
        name: 'Bob',
        isDirect: true,
        notificationCount: 3,
        highlightCount: 1,
        lastActivity: 1000,
      }),
    ]);
  });

  it('skips malformed rooms and events and keeps the rest', () => {
    const batch = translateV3({
      next_batch: 's2',
      rooms: {
        join: {
          '!bad:x': 'not an object',
          '!ok:x': {
            state: {
              events: [
                { type: 'm.room.name', state_key: '', sender: '@a:x', content: { name: 'Fine' } },
                { type: 'm.room.name', content: 'wrong' },
                null,
                42,
              ],
            },
            timeline: { events: [{ type: 5 }] },
          },
        },
      },
      account_data: { events: [{ nope: true }] },
    });
    expect(batch.skippedEvents).toBe(6);
    const list = new RoomList(me);
    list.apply(batch);
    expect(list.summaries().map((room) => room.name)).toEqual(['Fine']);
  });

  it('removes rooms we left and never lets encryption be switched off', () => {
    const list = new RoomList(me);
    list.apply(
      translateV3({
        next_batch: 'a',
        rooms: {
          join: {
            '!e:x': {
              state: {
                events: [
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
        },
      }),
    );
    list.apply(
      translateV3({
        next_batch: 'b',
        rooms: {
          join: {
            '!e:x': {
              timeline: {
                events: [{ type: 'm.room.encryption', state_key: '', sender: '@a:x', content: {} }],
              },
            },
          },
          leave: { '!gone:x': { timeline: { events: [member(me, 'leave')] } } },
        },
      }),
    );
    expect(list.summaries()).toEqual([expect.objectContaining({ roomId: '!e:x', isEncrypted: true })]);
  });
});

describe('sliding sync translation', () => {
  it('reads rooms, heroes, invites and m.direct', () => {
    const batch = translateSliding({
      pos: '1',
      lists: { all: { count: 2 } },
      rooms: {
        '!a:x': {
          initial: true,
          heroes: [{ user_id: '@bob:x', displayname: 'Bob' }, { user_id: '@carol:x' }, 'junk'],
          joined_count: 3,
          invited_count: 0,
          required_state: [member(me, 'join')],
          timeline: [{ type: 'm.room.message', sender: '@bob:x', origin_server_ts: 5, content: {} }],
          notification_count: 2,
        },
        '!i:x': {
          invite_state: [
            member(me, 'invite', { sender: '@dan:x', is_direct: true }),
            member('@dan:x', 'join', { displayname: 'Dan' }),
          ],
        },
      },
      extensions: { account_data: { global: [{ type: 'm.direct', content: { '@bob:x': ['!a:x'] } }] } },
    });
    expect(batch.skippedEvents).toBe(1);
    const list = new RoomList(me);
    list.apply(batch);
    expect(list.summaries()).toEqual([
      expect.objectContaining({
        roomId: '!i:x',
        name: 'Dan',
        isDirect: true,
        membership: 'invite',
        inviter: '@dan:x',
      }),
      expect.objectContaining({
        roomId: '!a:x',
        name: 'Bob and @carol:x',
        isDirect: true,
        notificationCount: 2,
      }),
    ]);
  });

  it('disambiguates heroes that share a display name', () => {
    const list = new RoomList(me);
    list.apply(
      translateSliding({
        pos: '1',
        rooms: {
          '!a:x': {
            initial: true,
            heroes: [
              { user_id: '@bob:x', displayname: 'Bob' },
              { user_id: '@bob:evil', displayname: 'Bob' },
            ],
            joined_count: 3,
          },
        },
      }),
    );
    expect(list.summaries()[0]?.name).toBe('Bob (@bob:x) and Bob (@bob:evil)');
  });
});

describe('timeline events in sync batches', () => {
  it('keeps complete events with the gap markers, and skips oversized ones', () => {
    const big = 'x'.repeat(70_000);
    const batch = translateV3({
      next_batch: 's',
      rooms: {
        join: {
          '!t:x': {
            timeline: {
              limited: true,
              prev_batch: 'p1',
              events: [
                {
                  type: 'm.room.message',
                  event_id: '$1',
                  sender: '@a:x',
                  origin_server_ts: 1,
                  content: { body: 'hi' },
                },
                {
                  type: 'm.room.message',
                  event_id: '$2',
                  sender: '@a:x',
                  origin_server_ts: 2,
                  content: { body: big },
                },
                { type: 'm.room.message', sender: '@a:x', origin_server_ts: 3, content: { body: 'no id' } },
              ],
            },
          },
        },
      },
    });
    const update = batch.rooms[0];
    expect(update?.timeline?.map((event) => event.eventId)).toEqual(['$1']);
    expect(update).toMatchObject({ limited: true, prevBatch: 'p1' });
    expect(batch.skippedEvents).toBe(1);
  });
});
