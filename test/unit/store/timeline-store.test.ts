import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AccountDatabase } from '../../../src-main/engine/store/account-database.ts';
import { GAP_SPAN } from '../../../src-main/engine/store/timeline-store.ts';
import { makeProfile, message, room, type Profile } from './store-fixture.ts';

const ROOM = '!r:example.org';
const batch = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => message(`$e${from + i}`, `text ${from + i}`));
const ids = (events: { eventId: string }[]) => events.map((event) => event.eventId);

describe('TimelineStore', () => {
  let profile: Profile;
  let db: AccountDatabase;
  beforeEach(() => {
    profile = makeProfile();
    db = profile.open();
    db.rooms.upsertMany([room(ROOM)]);
  });
  afterEach(() => {
    db.close();
    profile.cleanup();
  });

  it('appends batches in order and reads the latest oldest first', () => {
    db.timeline.appendBatch(ROOM, batch(1, 3), { prevBatch: 'start' });
    db.timeline.appendBatch(ROOM, batch(4, 6));
    expect(ids(db.timeline.latest(ROOM, 4))).toEqual(['$e3', '$e4', '$e5', '$e6']);
    const latest = db.timeline.latest(ROOM, 2);
    expect(ids(db.timeline.before(ROOM, latest[0]?.ordering ?? 0, 10))).toEqual(['$e1', '$e2', '$e3', '$e4']);
    // The first batch records where history before it can be fetched.
    expect(db.timeline.gaps(ROOM)).toEqual([{ ordering: 0, prevBatch: 'start' }]);
  });

  it('skips events already stored', () => {
    db.timeline.appendBatch(ROOM, batch(1, 3));
    expect(db.timeline.appendBatch(ROOM, batch(2, 5))).toEqual({ inserted: 2, firstOrdering: 3 });
    expect(ids(db.timeline.latest(ROOM, 10))).toEqual(['$e1', '$e2', '$e3', '$e4', '$e5']);
  });

  it('a limited batch opens a gap that backfill fills until it meets stored events', () => {
    db.timeline.appendBatch(ROOM, batch(1, 2));
    const { firstOrdering } = db.timeline.appendBatch(ROOM, batch(8, 9), {
      limited: true,
      prevBatch: 'before-8',
    });
    expect(firstOrdering).toBe(1 + GAP_SPAN);
    expect(db.timeline.gaps(ROOM)).toEqual([{ ordering: 1 + GAP_SPAN, prevBatch: 'before-8' }]);

    // /messages dir=b: newest first. First page: 7, 6, 5; more to come.
    const first = db.timeline.fillGap(ROOM, 1 + GAP_SPAN, batch(5, 7).reverse(), 'before-5');
    expect(first).toEqual({ inserted: 3, joined: false });
    expect(db.timeline.gaps(ROOM)).toEqual([{ ordering: GAP_SPAN - 2, prevBatch: 'before-5' }]);

    // Second page reaches $e2, which we hold: the gap closes.
    const second = db.timeline.fillGap(ROOM, GAP_SPAN - 2, batch(1, 4).reverse(), 'before-1');
    expect(second).toEqual({ inserted: 2, joined: true });
    expect(db.timeline.gaps(ROOM)).toEqual([]);
    expect(ids(db.timeline.latest(ROOM, 20))).toEqual([
      '$e1',
      '$e2',
      '$e3',
      '$e4',
      '$e5',
      '$e6',
      '$e7',
      '$e8',
      '$e9',
    ]);
  });

  it('backfill that reaches the start of the room leaves no gap', () => {
    db.timeline.appendBatch(ROOM, batch(5, 6), { prevBatch: 'before-5' });
    expect(db.timeline.fillGap(ROOM, 0, batch(1, 4).reverse(), null)).toEqual({ inserted: 4, joined: false });
    expect(db.timeline.gaps(ROOM)).toEqual([]);
    expect(ids(db.timeline.latest(ROOM, 10))).toEqual(['$e1', '$e2', '$e3', '$e4', '$e5', '$e6']);
  });

  it('filling a gap that does not exist is refused', () => {
    expect(() => db.timeline.fillGap(ROOM, 42, batch(1, 1), null)).toThrow(/no gap/);
  });

  it('keeps the decrypted form beside an encrypted event', () => {
    const encrypted = message('$enc', '', {
      type: 'm.room.encrypted',
      content: { algorithm: 'm.megolm.v1.aes-sha2', ciphertext: 'AwgA', session_id: 's' },
      decryption: 'pending',
    });
    db.timeline.appendBatch(ROOM, [encrypted]);
    expect(ids(db.timeline.pendingDecryption(ROOM))).toEqual(['$enc']);
    db.timeline.setDecryption(ROOM, '$enc', 'decrypted', {
      type: 'm.room.message',
      content: { body: 'clear' },
    });
    expect(db.timeline.pendingDecryption(ROOM)).toEqual([]);
    expect(db.timeline.get(ROOM, '$enc')).toMatchObject({
      decryption: 'decrypted',
      decrypted: { type: 'm.room.message', content: { body: 'clear' } },
    });
  });

  it('redaction replaces the content and drops the decrypted form', () => {
    db.timeline.appendBatch(ROOM, [
      message('$m', 'to be removed', { decrypted: { content: { body: 'x' } } }),
    ]);
    db.timeline.redact(ROOM, '$m', {}, { redacted_because: { sender: '@a:x' } });
    expect(db.timeline.get(ROOM, '$m')).toMatchObject({ content: {}, decrypted: null });
  });
});
