// A write that fails part-way leaves nothing of itself behind, and what was there before intact.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AccountDatabase } from '../../../src-main/engine/store/account-database.ts';
import type { DecryptionState } from '../../../src-main/engine/store/timeline-store.ts';
import { makeProfile, message, room, type Profile } from './store-fixture.ts';

const ROOM = '!r:example.org';

function snapshot(db: AccountDatabase) {
  return {
    events: db.timeline.latest(ROOM, 1000),
    gaps: db.timeline.gaps(ROOM),
    rooms: db.rooms.list(),
    position: db.sync.position('v3'),
  };
}

describe('a failed write mid-transaction', () => {
  let profile: Profile;
  let db: AccountDatabase;
  beforeEach(() => {
    profile = makeProfile();
    db = profile.open();
    db.rooms.upsertMany([room(ROOM, { lastActivity: 1 })]);
    db.timeline.appendBatch(ROOM, [message('$before1', 'one'), message('$before2', 'two')], {
      prevBatch: 'p0',
    });
    db.sync.savePosition('v3', 's_before');
  });
  afterEach(() => {
    db.close();
    profile.cleanup();
  });

  it('a constraint violation in the middle of a timeline batch writes none of the batch', () => {
    const before = snapshot(db);
    const events = Array.from({ length: 100 }, (_, i) => message(`$new${i}`, `new ${i}`));
    // Event 50 breaks the decryption CHECK constraint, after 49 rows have been inserted.
    events[50] = message('$bad', 'bad', { decryption: 'garbled' as DecryptionState });
    expect(() => db.timeline.appendBatch(ROOM, events, { limited: true, prevBatch: 'p1' })).toThrow(
      /CHECK constraint/,
    );
    expect(snapshot(db)).toEqual(before);
  });

  it('a value with no JSON form in the middle of a batch writes none of the batch', () => {
    const before = snapshot(db);
    const events = Array.from({ length: 10 }, (_, i) => message(`$new${i}`, `new ${i}`));
    events[5] = message('$big', 'x', { content: { size: 10n } as unknown as Record<string, unknown> });
    expect(() => db.timeline.appendBatch(ROOM, events)).toThrow(/BigInt/);
    expect(snapshot(db)).toEqual(before);
  });

  it('a throwing step inside one sync transaction undoes every store it touched', () => {
    const before = snapshot(db);
    expect(() =>
      db.transaction(() => {
        db.rooms.upsertMany([room(ROOM, { lastActivity: 99 }), room('!other:example.org')]);
        db.timeline.appendBatch(ROOM, [message('$new', 'new')]);
        db.sync.savePosition('v3', 's_after');
        throw new Error('crypto layer failed');
      }),
    ).toThrow('crypto layer failed');
    expect(snapshot(db)).toEqual(before);
  });

  it('a failed batch leaves the database usable and its earlier data intact after reopening', () => {
    const before = snapshot(db);
    const events = [message('$a', 'a'), message('$b', 'b', { sender: null as unknown as string })];
    expect(() => db.timeline.appendBatch(ROOM, events)).toThrow(/NOT NULL/);
    db.close();
    db = profile.open();
    expect(snapshot(db)).toEqual(before);
    db.timeline.appendBatch(ROOM, [message('$after', 'after')]);
    expect(db.timeline.count(ROOM)).toBe(3);
  });
});
