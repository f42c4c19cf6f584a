// timeline.open at a linked event (a matrix: link's /e/…): a stored event opens with what lies
// before and after it; a missing one is looked for by paginating back, bounded, and only then is
// the room opened; one the server does not have (or hides) costs no pages; not found: the newest
// page with `found: false`.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MatrixHttp } from '../../../src-main/engine/http/matrix-http.ts';
import type { TimelineEventInput } from '../../../src-main/engine/store/timeline-store.ts';
import { eventOnServer, MAX_SEARCH_PAGES } from '../../../src-main/engine/timeline/event-search.ts';
import type { PaginationResult } from '../../../src-main/engine/timeline/pagination.ts';
import { ROOM, reaction, text, timelineFixture, type TimelineFixture } from './timeline-fixture.ts';

let fixture: TimelineFixture | undefined;
afterEach(() => {
  fixture?.close();
  fixture = undefined;
});

const keys = (items: readonly { key: string }[]) => items.map((item) => item.key);
const texts = (prefix: string, from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, index) =>
    text(`$${prefix}${from + index}`, `${prefix} ${from + index}`),
  );

/** A paginate that writes the next scripted page (newest first) into the room's newest gap. */
function pagesOf(pages: TimelineEventInput[][], calls: { count: number }) {
  return (roomId: string): Promise<PaginationResult> => {
    calls.count += 1;
    const db = fixture!.db;
    const gap = db.timeline.gaps(roomId).at(-1);
    const page = pages.shift();
    if (!gap || !page) return Promise.resolve({ added: 0, reachedStart: true, skipped: 0 });
    const next = pages.length > 0 ? `token${pages.length}` : null;
    const filled = db.timeline.fillGap(roomId, gap.ordering, page, next);
    return Promise.resolve({ added: filled.inserted, reachedStart: next === null, skipped: 0 });
  };
}

describe('timeline.open around an event', () => {
  it('opens at a stored event: items before it, it, and everything after it', async () => {
    const asked: string[] = [];
    const calls = { count: 0 };
    fixture = timelineFixture({
      paginate: pagesOf([], calls),
      eventOnServer: (_room, eventId) => (asked.push(eventId), Promise.resolve('exists')),
    });
    fixture.db.timeline.appendBatch(ROOM, texts('m', 0, 9));
    const page = await fixture.timelines.openAround(ROOM, '$m3', 2);
    expect(keys(page.items)).toEqual(['$m1', '$m2', '$m3', '$m4', '$m5', '$m6', '$m7', '$m8', '$m9']);
    expect(page.hasOlder).toBe(true);
    expect(page.aroundEvent).toEqual({ eventId: '$m3', found: true });
    expect(asked).toEqual([]);
    expect(calls.count).toBe(0);
    expect(fixture.timelines.isOpen(ROOM)).toBe(true);
  });

  it('pages back for an event that is not stored, and opens the room only once it is found', async () => {
    const calls = { count: 0 };
    fixture = timelineFixture({
      paginate: pagesOf([texts('o', 4, 6).reverse(), texts('o', 1, 3).reverse()], calls),
      eventOnServer: () => Promise.resolve('exists'),
    });
    fixture.db.timeline.appendBatch(ROOM, texts('n', 1, 3), { prevBatch: 'token' });
    const page = await fixture.timelines.openAround(ROOM, '$o2', 1);
    expect(calls.count).toBe(2);
    expect(keys(page.items)).toEqual(['$o1', '$o2', '$o3', '$o4', '$o5', '$o6', '$n1', '$n2', '$n3']);
    expect(page.hasOlder).toBe(false);
    expect(page.aroundEvent).toEqual({ eventId: '$o2', found: true });
    // The pages on the way were not sent as changes: the answer holds them.
    expect(fixture.changes).toEqual([]);
    fixture.store([text('$new', 'new')]);
    expect(fixture.changes.at(-1)?.upserted.map((item) => item.key)).toEqual(['$new']);
  });

  it('fetches no pages for an event the server does not have or hides, and opens at the newest', async () => {
    const calls = { count: 0 };
    fixture = timelineFixture({
      paginate: pagesOf([texts('o', 1, 3).reverse()], calls),
      eventOnServer: () => Promise.resolve('missing'),
    });
    fixture.db.timeline.appendBatch(ROOM, texts('n', 1, 3), { prevBatch: 'token' });
    const page = await fixture.timelines.openAround(ROOM, '$nowhere', 2);
    expect(calls.count).toBe(0);
    expect(keys(page.items)).toEqual(['$n2', '$n3']);
    expect(page.aroundEvent).toEqual({ eventId: '$nowhere', found: false });
    expect(fixture.timelines.isOpen(ROOM)).toBe(true);
  });

  it('gives up after a bounded number of pages', async () => {
    const calls = { count: 0 };
    const endless = Array.from({ length: 50 }, (_, index) => [text(`$old${index}`, 'old')]);
    fixture = timelineFixture({
      paginate: pagesOf(endless, calls),
      eventOnServer: () => Promise.resolve('exists'),
    });
    fixture.db.timeline.appendBatch(ROOM, texts('n', 1, 3), { prevBatch: 'token' });
    const page = await fixture.timelines.openAround(ROOM, '$far', 2);
    expect(calls.count).toBe(MAX_SEARCH_PAGES);
    expect(keys(page.items)).toEqual(['$n2', '$n3']);
    expect(page.aroundEvent).toEqual({ eventId: '$far', found: false });
  });

  it('ends the search when a page fails, and opens at the newest', async () => {
    let calls = 0;
    fixture = timelineFixture({
      paginate: () => {
        calls += 1;
        return Promise.reject(new Error('offline'));
      },
    });
    fixture.db.timeline.appendBatch(ROOM, texts('n', 1, 2), { prevBatch: 'token' });
    const page = await fixture.timelines.openAround(ROOM, '$far', 5);
    expect(calls).toBe(1);
    expect(keys(page.items)).toEqual(['$n1', '$n2']);
    expect(page.aroundEvent).toEqual({ eventId: '$far', found: false });
  });

  it('does not land on an event that is not shown by itself (a reaction)', async () => {
    fixture = timelineFixture();
    fixture.db.timeline.appendBatch(ROOM, [text('$m', 'm'), reaction('$r', '$m', '👍')]);
    const page = await fixture.timelines.openAround(ROOM, '$r', 5);
    expect(page.aroundEvent).toEqual({ eventId: '$r', found: false });
    expect(keys(page.items)).toEqual(['$m']);
  });

  it('leaves the room closed when it was closed while the search ran', async () => {
    let release: (() => void) | null = null;
    fixture = timelineFixture({
      paginate: () =>
        new Promise((resolve) => {
          release = () => resolve({ added: 0, reachedStart: true, skipped: 0 });
        }),
      eventOnServer: () => Promise.resolve('exists'),
    });
    fixture.db.timeline.appendBatch(ROOM, texts('n', 1, 2), { prevBatch: 'token' });
    const opening = fixture.timelines.openAround(ROOM, '$far', 5);
    await vi.waitFor(() => expect(release).not.toBeNull());
    fixture.timelines.close(ROOM);
    release!();
    expect((await opening).aroundEvent).toEqual({ eventId: '$far', found: false });
    expect(fixture.timelines.isOpen(ROOM)).toBe(false);
  });

  it('refuses a room it does not know', async () => {
    fixture = timelineFixture();
    await expect(fixture.timelines.openAround('!unknown:x', '$e', 5)).rejects.toMatchObject({
      code: 'room_not_found',
    });
  });
});

describe('eventOnServer', () => {
  function httpAnswering(status: number, body: unknown) {
    const fetchFake: typeof fetch = () =>
      Promise.resolve(
        new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } }),
      );
    return new MatrixHttp({
      baseUrl: new URL('http://127.0.0.1:1'),
      accessToken: 'token',
      fetch: fetchFake,
      backoffBaseMs: 1,
    });
  }

  it('tells an event we may see from one the server does not have or hides', async () => {
    const event = { event_id: '$e', room_id: ROOM, type: 'm.room.encrypted', content: {} };
    await expect(eventOnServer(httpAnswering(200, event), ROOM, '$e')).resolves.toBe('exists');
    await expect(
      eventOnServer(httpAnswering(200, { ...event, room_id: '!other:x' }), ROOM, '$e'),
    ).resolves.toBe('missing');
    const notFound = { errcode: 'M_NOT_FOUND', error: 'Event not found.' };
    await expect(eventOnServer(httpAnswering(404, notFound), ROOM, '$e')).resolves.toBe('missing');
    await expect(eventOnServer(httpAnswering(403, { errcode: 'M_FORBIDDEN' }), ROOM, '$e')).resolves.toBe(
      'missing',
    );
    await expect(eventOnServer(httpAnswering(200, 'not an event'), ROOM, '$e')).resolves.toBe('unknown');
  });
});
