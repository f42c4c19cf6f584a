// Migration 4 (receipts) and the ReceiptStore: one row per room, user and receipt type; a later
// write replaces it; the receipts go with their room; only the two read receipt types fit.
import Sqlite from 'better-sqlite3-multiple-ciphers';
import { afterEach, describe, expect, it } from 'vitest';
import { migrations } from '../../../src-main/engine/store/migrations/index.ts';
import { SchemaMigrations } from '../../../src-main/engine/store/schema-migrations.ts';
import { makeProfile, room, type Profile } from './store-fixture.ts';

describe('migration 4: receipts', () => {
  let profile: Profile | undefined;
  afterEach(() => {
    profile?.cleanup();
    profile = undefined;
  });

  it('adds the receipts table to a database at version 3, keeping its rooms', () => {
    const db = new Sqlite(':memory:');
    db.pragma('foreign_keys = ON');
    new SchemaMigrations(migrations.slice(0, 3)).migrate(db);
    db.prepare("INSERT INTO rooms (room_id, membership, updated_at) VALUES ('!r:x', 'join', 1)").run();
    new SchemaMigrations(migrations.slice(0, 4)).migrate(db);
    expect(db.pragma('user_version', { simple: true })).toBe(4);
    db.prepare("INSERT INTO receipts VALUES ('!r:x', '@bob:x', 'm.read', '$e', 5)").run();
    expect(db.prepare('SELECT room_id FROM rooms').pluck().all()).toEqual(['!r:x']);
    expect(() =>
      db.prepare("INSERT INTO receipts VALUES ('!r:x', '@bob:x', 'm.fully_read', '$e', 5)").run(),
    ).toThrow();
    // A receipt needs its room.
    expect(() =>
      db.prepare("INSERT INTO receipts VALUES ('!none:x', '@bob:x', 'm.read', '$e', 5)").run(),
    ).toThrow();
    db.close();
  });

  it('keeps the latest receipt per user and type, and forgets them with the room', () => {
    profile = makeProfile();
    const db = profile.open();
    db.rooms.upsertMany([room('!r:x')]);
    db.receipts.putMany('!r:x', [
      { userId: '@bob:x', type: 'm.read', eventId: '$1', ts: 1 },
      { userId: '@me:x', type: 'm.read.private', eventId: '$1', ts: 2 },
    ]);
    db.receipts.putMany('!r:x', [{ userId: '@bob:x', type: 'm.read', eventId: '$2', ts: 3 }]);
    expect(db.receipts.forUser('!r:x', '@bob:x')).toEqual([
      { userId: '@bob:x', type: 'm.read', eventId: '$2', ts: 3 },
    ]);
    expect(db.receipts.forRoom('!r:x')).toHaveLength(2);
    db.close();
    const reopened = profile.open();
    expect(reopened.receipts.forUser('!r:x', '@me:x')).toEqual([
      { userId: '@me:x', type: 'm.read.private', eventId: '$1', ts: 2 },
    ]);
    reopened.rooms.remove('!r:x');
    expect(reopened.receipts.forRoom('!r:x')).toEqual([]);
    reopened.close();
  });
});
