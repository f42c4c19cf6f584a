import { describe, expect, it } from 'vitest';
import type { TimelineItem } from '../../../src-preload/contract.ts';
import {
  applyItemChange,
  lastEditable,
  newestEventId,
  oldestEventId,
  startsNewDay,
} from '../../../src-renderer/lib/timeline-items.ts';

function item(key: string, position: number, overrides: Partial<TimelineItem> = {}): TimelineItem {
  return {
    key,
    eventId: key.startsWith('$') ? key : null,
    position,
    transactionId: null,
    sender: '@bob:example.org',
    senderName: 'Bob',
    timestamp: 1_700_000_000_000 + position,
    content: { kind: 'message', msgtype: 'm.text', body: `body ${key}`, formattedBody: null, edited: false },
    encrypted: false,
    shield: { level: 'none', message: null },
    replyTo: null,
    reactions: [],
    sendState: null,
    sendError: null,
    canEdit: false,
    canRedact: false,
    readBy: [],
    highlight: false,
    ...overrides,
  };
}

const keys = (items: readonly TimelineItem[]) => items.map((entry) => entry.key);

describe('applyItemChange', () => {
  it('appends new items and keeps the list sorted by position', () => {
    const start = [item('$a', 1), item('$b', 2)];
    const next = applyItemChange(start, { upserted: [item('$c', 3)], removed: [] });
    expect(keys(next)).toEqual(['$a', '$b', '$c']);
    expect(keys(start)).toEqual(['$a', '$b']);
  });

  it('places older items (a back page) before the newer ones', () => {
    const start = [item('$c', 10), item('$d', 11)];
    const next = applyItemChange(start, { upserted: [item('$a', 1), item('$b', 2)], removed: [] });
    expect(keys(next)).toEqual(['$a', '$b', '$c', '$d']);
  });

  it('replaces an item with the same key in place', () => {
    const start = [item('$a', 1), item('$b', 2)];
    const edited = item('$a', 1, {
      content: { kind: 'message', msgtype: 'm.text', body: 'new', formattedBody: null, edited: true },
    });
    const next = applyItemChange(start, { upserted: [edited], removed: [] });
    expect(next).toHaveLength(2);
    expect(next[0]?.content).toMatchObject({ body: 'new', edited: true });
  });

  it('re-sorts when an upsert moves an item', () => {
    const start = [item('$a', 1), item('$b', 2), item('$c', 3)];
    const next = applyItemChange(start, { upserted: [item('$a', 4)], removed: [] });
    expect(keys(next)).toEqual(['$b', '$c', '$a']);
  });

  it('removes keys, such as a local echo replaced by its event', () => {
    const echo = item('txn:1', 1_000_000, { transactionId: '1', sendState: 'pending' });
    const start = [item('$a', 1), echo];
    const next = applyItemChange(start, {
      upserted: [item('$sent', 2, { transactionId: '1', sendState: 'sent' })],
      removed: ['txn:1'],
    });
    expect(keys(next)).toEqual(['$a', '$sent']);
  });

  it('ignores an upsert of a key removed in the same change', () => {
    const next = applyItemChange([item('$a', 1)], { upserted: [item('$b', 2)], removed: ['$b'] });
    expect(keys(next)).toEqual(['$a']);
  });

  it('orders equal positions by key, so the order is stable', () => {
    const next = applyItemChange([], { upserted: [item('$b', 1), item('$a', 1)], removed: [] });
    expect(keys(next)).toEqual(['$a', '$b']);
  });

  it('handles ten thousand items', () => {
    const many = Array.from({ length: 10_000 }, (_, index) => item(`$e${index}`, index * 2));
    const start = applyItemChange([], { upserted: many, removed: [] });
    const next = applyItemChange(start, { upserted: [item('$middle', 9_999)], removed: ['$e0'] });
    expect(next).toHaveLength(10_000);
    expect(next[0]?.key).toBe('$e1');
    expect(next[4_999]?.key).toBe('$middle');
  });
});

describe('item lookups', () => {
  const echo = item('txn:9', 100, { transactionId: '9', sendState: 'pending' });
  const list = [item('txn:0', 0), item('$a', 1), item('$b', 2, { canEdit: true }), item('$c', 3), echo];

  it('finds the oldest and newest event ids, skipping local echoes', () => {
    expect(oldestEventId(list)).toBe('$a');
    expect(newestEventId(list)).toBe('$c');
    expect(oldestEventId([echo])).toBeNull();
    expect(newestEventId([])).toBeNull();
  });

  it('finds our newest message when we may edit it', () => {
    const me = '@alice:example.org';
    const mine = (key: string, position: number, canEdit: boolean) =>
      item(key, position, { sender: me, senderName: 'Alice', canEdit });
    expect(lastEditable([mine('$a', 1, true), item('$b', 2)], me)?.key).toBe('$a');
    // A newer message of ours that cannot be edited yet (a sent echo) is not skipped over.
    const echo = { ...mine('txn:1', 100, false), eventId: null };
    expect(lastEditable([mine('$a', 1, true), echo], me)).toBeNull();
    // Nor is our own newest event while it is still being decrypted (it arrives as undecryptable).
    const opening = {
      ...mine('$b', 2, false),
      content: {
        kind: 'undecryptable' as const,
        reason: 'pending',
        message: 'Decrypting…',
        waitingForKey: false,
      },
    };
    expect(lastEditable([mine('$a', 1, true), opening], me)).toBeNull();
    expect(lastEditable([item('$x', 1)], me)).toBeNull();
  });

  it('starts a new day when the calendar date changes', () => {
    const morning = item('$m', 1, { timestamp: new Date(2026, 0, 5, 9).getTime() });
    const evening = item('$e', 2, { timestamp: new Date(2026, 0, 5, 21).getTime() });
    const nextDay = item('$n', 3, { timestamp: new Date(2026, 0, 6, 8).getTime() });
    expect(startsNewDay(undefined, morning)).toBe(true);
    expect(startsNewDay(morning, evening)).toBe(false);
    expect(startsNewDay(evening, nextDay)).toBe(true);
  });
});

describe('a reset from the engine', () => {
  it('replaces every item with the new page, sorted', () => {
    const before = applyItemChange([], { upserted: [item('a', 1), item('b', 2)], removed: [] });
    const after = applyItemChange(before, {
      upserted: [item('z', 9), item('y', 8)],
      removed: [],
      reset: { hasOlder: true },
    });
    expect(after.map((entry) => entry.key)).toEqual(['y', 'z']);
  });
});
