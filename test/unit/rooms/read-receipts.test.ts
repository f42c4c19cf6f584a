// Receipts never move back, the later of a user's public and private receipts counts, and
// readersAt names the users (not us) whose latest receipt is at each event.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { latestReceipt, readersAt, storeReceipts } from '../../../src-main/engine/rooms/read-receipts.ts';
import type { AccountDatabase } from '../../../src-main/engine/store/account-database.ts';
import { makeProfile, message, room, type Profile } from '../store/store-fixture.ts';

const ROOM = '!r:x';
const ME = '@me:x';
let profile: Profile;
let db: AccountDatabase;

beforeEach(() => {
  profile = makeProfile();
  db = profile.open();
  db.rooms.upsertMany([room(ROOM)]);
  db.timeline.appendBatch(ROOM, [message('$1', 'one'), message('$2', 'two'), message('$3', 'three')]);
});

afterEach(() => {
  db.close();
  profile.cleanup();
});

describe('read receipts', () => {
  it('ignores a receipt for an earlier event than the stored one', () => {
    storeReceipts(db, ROOM, [{ userId: '@bob:x', type: 'm.read', eventId: '$2', ts: 100 }]);
    const moved = storeReceipts(db, ROOM, [{ userId: '@bob:x', type: 'm.read', eventId: '$1', ts: 200 }]);
    expect(moved.size).toBe(0);
    expect(latestReceipt(db, ROOM, '@bob:x')?.eventId).toBe('$2');
    expect(storeReceipts(db, ROOM, [{ userId: '@bob:x', type: 'm.read', eventId: '$3', ts: 50 }])).toEqual(
      new Set(['@bob:x']),
    );
    expect(latestReceipt(db, ROOM, '@bob:x')?.eventId).toBe('$3');
  });

  it('orders by the time sent when an event is not stored', () => {
    storeReceipts(db, ROOM, [{ userId: '@bob:x', type: 'm.read', eventId: '$3', ts: 100 }]);
    storeReceipts(db, ROOM, [{ userId: '@bob:x', type: 'm.read', eventId: '$unknown', ts: 99 }]);
    expect(latestReceipt(db, ROOM, '@bob:x')?.eventId).toBe('$3');
    storeReceipts(db, ROOM, [{ userId: '@bob:x', type: 'm.read', eventId: '$newer', ts: 101 }]);
    expect(latestReceipt(db, ROOM, '@bob:x')?.eventId).toBe('$newer');
  });

  it('takes the later of the public and private receipts as ours', () => {
    storeReceipts(db, ROOM, [
      { userId: ME, type: 'm.read', eventId: '$1', ts: 1 },
      { userId: ME, type: 'm.read.private', eventId: '$2', ts: 2 },
    ]);
    expect(latestReceipt(db, ROOM, ME)).toMatchObject({ eventId: '$2', type: 'm.read.private' });
  });

  it('names the readers at each event, by their latest receipt, leaving us out', () => {
    storeReceipts(db, ROOM, [
      { userId: '@bob:x', type: 'm.read', eventId: '$1', ts: 1 },
      { userId: '@bob:x', type: 'm.read.private', eventId: '$3', ts: 2 },
      { userId: '@carol:x', type: 'm.read', eventId: '$2', ts: 1 },
      { userId: '@dave:x', type: 'm.read', eventId: '$2', ts: 1 },
      { userId: ME, type: 'm.read', eventId: '$2', ts: 1 },
    ]);
    const readers = readersAt(db, ROOM, ['$1', '$2', '$3'], ME);
    expect(readers.get('$1')).toBeUndefined();
    expect(readers.get('$2')).toEqual(['@carol:x', '@dave:x']);
    expect(readers.get('$3')).toEqual(['@bob:x']);
    expect(readersAt(db, ROOM, ['$1'], ME).size).toBe(0);
  });
});
