import { existsSync, readdirSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { removeAccountDatabase } from '../../../src-main/engine/store/remove-account-database.ts';
import { startChildProfile } from './child-profile.ts';
import { makeProfile, message, room, type Profile } from './store-fixture.ts';

describe('removeAccountDatabase', () => {
  let profile: Profile;
  beforeEach(() => {
    profile = makeProfile();
  });
  afterEach(() => profile.cleanup());

  it('refuses while the database is open, then deletes the file, its WAL and its key check', () => {
    const db = profile.open();
    db.rooms.upsertMany([room('!r:x')]);
    db.timeline.appendBatch('!r:x', [message('$1', 'hello')]);
    expect(readdirSync(profile.dir)).toEqual(
      expect.arrayContaining(['account.db', 'account.db-wal', 'account.db.keycheck']),
    );
    expect(() => removeAccountDatabase(profile.path)).toThrow(/Close the account database/);
    expect(existsSync(profile.path)).toBe(true);

    db.close();
    const removed = removeAccountDatabase(profile.path);
    expect(removed.length).toBeGreaterThanOrEqual(2);
    expect(readdirSync(profile.dir)).toEqual([]);
  });

  it('removes the WAL a killed process left behind, and answers quietly when nothing is there', async () => {
    profile.open().close();
    const holder = startChildProfile(profile, 'write-and-hold');
    expect((await holder.report).opened).toBe(true);
    holder.child.kill('SIGKILL');
    await holder.exited;
    expect(readdirSync(profile.dir)).toContain('account.db-wal');

    removeAccountDatabase(profile.path);
    expect(readdirSync(profile.dir)).toEqual([]);
    expect(removeAccountDatabase(profile.path)).toEqual([]);
  });
});
