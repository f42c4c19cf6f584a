// Receipts and typing from both sync APIs reduce to one `ephemeral` field per room update;
// malformed receipts and typing events are skipped and counted, the rest of the response kept.
import { describe, expect, it } from 'vitest';
import { RoomList } from '../../../src-main/engine/rooms/room-list.ts';
import { collectEphemeral, newEphemeral } from '../../../src-main/engine/sync/ephemeral-shapes.ts';
import { translateSliding } from '../../../src-main/engine/sync/sliding-sync.ts';
import { translateV3 } from '../../../src-main/engine/sync/v3-sync.ts';

const receipt = (content: Record<string, unknown>) => ({ type: 'm.receipt', content });
const typing = (userIds: unknown) => ({ type: 'm.typing', content: { user_ids: userIds } });

describe('ephemeral events', () => {
  it('keeps public and private read receipts on the main timeline, not threaded ones', () => {
    const into = newEphemeral();
    const skipped = collectEphemeral(
      [
        receipt({
          $a: {
            'm.read': { '@bob:x': { ts: 10 }, '@carol:x': { ts: 11, thread_id: 'main' } },
            'm.read.private': { '@me:x': { ts: 12 } },
          },
          $b: { 'm.read': { '@dave:x': { ts: 13, thread_id: '$thread' } } },
          $c: { 'm.fully_read': { '@me:x': { ts: 14 } } },
        }),
      ],
      into,
    );
    expect(skipped).toBe(0);
    expect(into.receipts).toEqual([
      { eventId: '$a', userId: '@bob:x', type: 'm.read', ts: 10 },
      { eventId: '$a', userId: '@carol:x', type: 'm.read', ts: 11 },
      { eventId: '$a', userId: '@me:x', type: 'm.read.private', ts: 12 },
    ]);
  });

  it('skips and counts malformed receipts entry by entry, keeping the good ones', () => {
    const into = newEphemeral();
    const skipped = collectEphemeral(
      [
        receipt({
          $good: {
            'm.read': { '@bob:x': { ts: 5 }, '@bad:x': { ts: 'yesterday' }, 'not-a-user': { ts: 1 } },
          },
          'not-an-event': { 'm.read': { '@bob:x': { ts: 5 } } },
          $list: ['m.read'],
          $users: { 'm.read': 'everyone' },
        }),
        { type: 'm.receipt' },
        'nonsense',
      ],
      into,
    );
    expect(into.receipts).toEqual([{ eventId: '$good', userId: '@bob:x', type: 'm.read', ts: 5 }]);
    expect(skipped).toBe(7);
  });

  it('reads who types, and skips a malformed typing event without clearing the list', () => {
    const into = newEphemeral();
    expect(collectEphemeral([typing(['@bob:x', '@bob:x', '@carol:x'])], into)).toBe(0);
    expect(into.typing).toEqual(['@bob:x', '@carol:x']);
    expect(collectEphemeral([typing('@bob:x'), typing([42]), typing(['bob'])], into)).toBe(3);
    expect(into.typing).toEqual(['@bob:x', '@carol:x']);
  });
});

describe('v3 sync: ephemeral events', () => {
  it('attaches receipts and typing to the joined room and counts malformed ones', () => {
    const batch = translateV3({
      next_batch: 's1',
      rooms: {
        join: {
          '!r:x': {
            ephemeral: {
              events: [
                receipt({ $e: { 'm.read': { '@bob:x': { ts: 1 }, '@eve:x': 'bad' } } }),
                typing(['@bob:x']),
              ],
            },
          },
          '!quiet:x': {},
        },
      },
    });
    const room = batch.rooms.find((update) => update.roomId === '!r:x');
    expect(room?.ephemeral).toEqual({
      receipts: [{ eventId: '$e', userId: '@bob:x', type: 'm.read', ts: 1 }],
      typing: ['@bob:x'],
    });
    expect(batch.rooms.find((update) => update.roomId === '!quiet:x')?.ephemeral).toBeUndefined();
    expect(batch.skippedEvents).toBe(1);
  });
});

describe('sliding sync: receipts and typing extensions', () => {
  it('attaches them to listed rooms and gives other rooms an update with nothing else', () => {
    const batch = translateSliding({
      pos: 'p1',
      rooms: { '!listed:x': { timeline: [], required_state: [] } },
      extensions: {
        receipts: {
          rooms: {
            '!listed:x': receipt({ $e: { 'm.read': { '@bob:x': { ts: 3 } } } }),
            '!other:x': receipt({ $f: { 'm.read.private': { '@me:x': { ts: 4 } } } }),
            '!bad:x': receipt({ $g: 'not receipts' }),
          },
        },
        typing: { rooms: { '!listed:x': typing([]), '!other:x': typing({}) } },
      },
    });
    expect(batch.rooms.find((update) => update.roomId === '!listed:x')?.ephemeral).toEqual({
      receipts: [{ eventId: '$e', userId: '@bob:x', type: 'm.read', ts: 3 }],
      typing: [],
    });
    expect(batch.rooms.find((update) => update.roomId === '!other:x')).toEqual({
      roomId: '!other:x',
      replaceState: false,
      state: [],
      ephemeral: { receipts: [{ eventId: '$f', userId: '@me:x', type: 'm.read.private', ts: 4 }] },
    });
    expect(batch.rooms.some((update) => update.roomId === '!bad:x')).toBe(false);
    expect(batch.skippedEvents).toBe(2);
  });

  it('does not add a room to the list for receipts or typing alone', () => {
    const list = new RoomList('@me:x');
    const batch = translateSliding({
      pos: 'p1',
      extensions: { typing: { rooms: { '!unknown:x': typing(['@bob:x']) } } },
    });
    expect(list.apply(batch)).toBe(false);
    expect(list.summaries()).toEqual([]);
  });
});
