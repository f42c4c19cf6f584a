import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AccountDatabase } from '../../../src-main/engine/store/account-database.ts';
import { keyCheckPath } from '../../../src-main/engine/store/key-check.ts';
import { migrations } from '../../../src-main/engine/store/migrations/index.ts';
import { KEY_SOURCE, makeProfile, room, type Profile } from './store-fixture.ts';

describe('AccountDatabase.open', () => {
  let profile: Profile;
  beforeEach(() => {
    profile = makeProfile();
  });
  afterEach(() => profile.cleanup());

  it('creates an encrypted database with the expected settings', () => {
    const db = profile.open();
    const pragma = (name: string) => db.connection.pragma(name, { simple: true });
    expect(pragma('cipher')).toBe('sqlcipher');
    expect(pragma('journal_mode')).toBe('wal');
    expect(pragma('foreign_keys')).toBe(1);
    expect(pragma('secure_delete')).toBe(1);
    expect(pragma('locking_mode')).toBe('exclusive');
    expect(pragma('temp_store')).toBe(2);
    expect(pragma('synchronous')).toBe(2);
    expect(db.schemaVersion).toBe(migrations.length);
    db.close();
    // No plaintext SQLite header: the file starts with SQLCipher's random salt.
    expect(readFileSync(profile.path).subarray(0, 16).toString('latin1')).not.toBe('SQLite format 3\0');
  });

  it('zeroes the key it was given, on success and on failure', () => {
    const key = Buffer.from(profile.key);
    AccountDatabase.open({ path: profile.path, key, keySource: KEY_SOURCE }).close();
    expect(key.every((byte) => byte === 0)).toBe(true);

    const wrong = Buffer.alloc(32, 7);
    expect(() => AccountDatabase.open({ path: profile.path, key: wrong, keySource: KEY_SOURCE })).toThrow();
    expect(wrong.every((byte) => byte === 0)).toBe(true);
  });

  it('keeps data across a close and reopen with the same key', () => {
    const first = profile.open();
    first.rooms.upsertMany([room('!a:example.org', { lastActivity: 10 })]);
    first.close();
    const second = profile.open();
    expect(second.rooms.list().map((r) => r.roomId)).toEqual(['!a:example.org']);
    expect(second.schemaVersion).toBe(migrations.length);
    second.close();
  });

  it('writes the key check beside the database', () => {
    profile.open().close();
    expect(readFileSync(keyCheckPath(profile.path), 'utf8')).toMatch(
      /^tessera-key-check-v1 [A-Za-z0-9+/=]+\n$/,
    );
  });

  it('refuses a key of the wrong length', () => {
    expect(() =>
      AccountDatabase.open({ path: profile.path, key: Buffer.alloc(16, 1), keySource: KEY_SOURCE }),
    ).toThrow(/32 bytes/);
  });
});
