// What an open room's view is given around gaps and history it has not loaded: a page stops at a
// gap (the stretch under it is not shown as if it followed on); changes to events below what the
// renderer loaded wait for timeline.back; a limited sync while the room is open starts the view
// again from the newest. Each would otherwise leave a hole the renderer can never fill.
import { afterEach, describe, expect, it } from 'vitest';
import type { TimelineEventInput } from '../../../src-main/engine/store/timeline-store.ts';
import type { PaginationResult } from '../../../src-main/engine/timeline/pagination.ts';
import { ROOM, text, timelineFixture, type TimelineFixture } from './timeline-fixture.ts';

let fixture: TimelineFixture | undefined;
afterEach(() => {
  fixture?.close();
  fixture = undefined;
});

const keys = (items: readonly { key: string }[]) => items.map((item) => item.key);
const ids = (prefix: string, from: number, to: number) =>
  texts(prefix, from, to).map((event) => event.eventId);
const texts = (prefix: string, from: number, to: number): TimelineEventInput[] =>
  Array.from({ length: to - from + 1 }, (_, index) =>
    text(`$${prefix}${from + index}`, `${prefix} ${from + index}`),
  );

/** A paginate that writes the next scripted page (newest first) into the room's newest gap. */
function pagesOf(pages: TimelineEventInput[][]) {
  return (roomId: string): Promise<PaginationResult> => {
    const db = fixture!.db;
    const gap = db.timeline.gaps(roomId).at(-1);
    const page = pages.shift();
    if (!gap || !page) return Promise.resolve({ added: 0, reachedStart: true, skipped: 0 });
    const filled = db.timeline.fillGap(roomId, gap.ordering, page, pages.length > 0 ? 'older' : null);
    fixture!.timelines.onStored({ roomId, eventIds: page.map((event) => event.eventId), cause: 'paginated' });
    return Promise.resolve({ added: filled.inserted, reachedStart: filled.joined, skipped: 0 });
  };
}

describe('an open room and the history it has not loaded', () => {
  it('changes to events below the loaded page wait for timeline.back', async () => {
    fixture = timelineFixture();
    fixture.db.timeline.appendBatch(ROOM, texts('a', 0, 29));
    const page = fixture.timelines.open(ROOM, 10);
    expect(keys(page.items)).toEqual(ids('a', 20, 29));

    // An older event changes (it decrypted, say): the renderer has not loaded it.
    fixture.timelines.onStored({ roomId: ROOM, eventIds: ['$a5'], cause: 'decrypted' });
    expect(fixture.changes).toEqual([]);
    // A loaded one, and a new one, do reach it.
    fixture.timelines.onStored({ roomId: ROOM, eventIds: ['$a25'], cause: 'decrypted' });
    fixture.store(texts('b', 0, 0));
    expect(fixture.changes.flatMap((change) => keys(change.upserted))).toEqual(['$a25', '$b0']);

    const older = await fixture.timelines.back(ROOM, '$a20', 10);
    expect(keys(older.items)).toEqual(ids('a', 10, 19));
    fixture.changes.length = 0;
    fixture.timelines.onStored({ roomId: ROOM, eventIds: ['$a15', '$a5'], cause: 'decrypted' });
    expect(fixture.changes.flatMap((change) => keys(change.upserted))).toEqual(['$a15']);
  });

  it('a page stops at a gap, and scrolling back fills the gap before older stored events', async () => {
    const fillers = texts('g', 0, 4).reverse();
    fixture = timelineFixture({ paginate: pagesOf([fillers]) });
    fixture.db.timeline.appendBatch(ROOM, texts('a', 0, 9));
    fixture.db.timeline.appendBatch(ROOM, texts('c', 0, 2), { limited: true, prevBatch: 'gap-token' });

    const page = fixture.timelines.open(ROOM, 10);
    expect(keys(page.items)).toEqual(['$c0', '$c1', '$c2']);
    expect(page.hasOlder).toBe(true);

    const older = await fixture.timelines.back(ROOM, '$c0', 10);
    // The gap's own events first, then (the gap closed onto $a9) the older stored ones.
    expect(keys(older.items)).toEqual([...ids('a', 5, 9), ...ids('g', 0, 4)]);
  });

  it('a limited sync while the room is open starts the view again from the newest', () => {
    fixture = timelineFixture();
    fixture.db.timeline.appendBatch(ROOM, texts('a', 0, 9));
    fixture.timelines.open(ROOM, 10);
    const batch = texts('n', 0, 2);
    fixture.db.timeline.appendBatch(ROOM, batch, { limited: true, prevBatch: 'gap-token' });
    fixture.timelines.onStored({
      roomId: ROOM,
      eventIds: batch.map((event) => event.eventId),
      cause: 'sync',
      gapBefore: true,
    });
    expect(fixture.changes).toHaveLength(1);
    expect(fixture.changes[0]?.reset).toEqual({ hasOlder: true });
    expect(keys(fixture.changes[0]?.upserted ?? [])).toEqual(['$n0', '$n1', '$n2']);
  });

  it('a closed room hears nothing, and reopening it starts a new loaded range', () => {
    fixture = timelineFixture();
    fixture.db.timeline.appendBatch(ROOM, texts('a', 0, 29));
    fixture.timelines.open(ROOM, 5);
    fixture.timelines.close(ROOM);
    fixture.timelines.onStored({ roomId: ROOM, eventIds: ['$a28'], cause: 'decrypted' });
    expect(fixture.changes).toEqual([]);
    fixture.timelines.open(ROOM, 20);
    fixture.timelines.onStored({ roomId: ROOM, eventIds: ['$a12'], cause: 'decrypted' });
    expect(fixture.changes.flatMap((change) => keys(change.upserted))).toEqual(['$a12']);
  });
});
