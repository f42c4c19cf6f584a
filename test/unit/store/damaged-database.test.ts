// Wrong key, damaged and foreign files: each is refused with a typed error and left byte for
// byte as it was (never deleted, recreated or migrated).
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, rmSync, statSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import Sqlite from 'better-sqlite3-multiple-ciphers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AccountDatabase } from '../../../src-main/engine/store/account-database.ts';
import { keyCheckPath } from '../../../src-main/engine/store/key-check.ts';
import { sqliteErrorCode } from '../../../src-main/engine/store/sqlite-driver.ts';
import { storeErrorFromSqlite } from '../../../src-main/engine/store/store-errors.ts';
import { DATABASE_PAGE_SIZE } from '../../../src-main/engine/store/database-file.ts';
import { fingerprint, makeProfile, message, room, thrownBy, type Profile } from './store-fixture.ts';

function overwrite(path: string, offset: number, bytes: Buffer): void {
  const fd = openSync(path, 'r+');
  try {
    writeSync(fd, bytes, 0, bytes.length, offset);
  } finally {
    closeSync(fd);
  }
}

describe('opening a database that cannot be opened', () => {
  let profile: Profile;

  beforeEach(() => {
    profile = makeProfile();
    const db = profile.open();
    db.rooms.upsertMany([room('!r:example.org')]);
    db.timeline.appendBatch(
      '!r:example.org',
      Array.from({ length: 400 }, (_, i) => message(`$e${i}`, `message number ${i} `.repeat(10))),
    );
    db.close();
  });
  afterEach(() => profile.cleanup());

  /** Opens, expects the code, and checks that no file in the profile changed. */
  function expectRefusal(code: string, key?: Buffer): Error {
    const before = fingerprint(profile.dir);
    const error = thrownBy(() => profile.open(key));
    expect(error.code).toBe(code);
    expect(fingerprint(profile.dir)).toEqual(before);
    return error;
  }

  it('a wrong key: store_key_mismatch naming the key source, file untouched', () => {
    const error = expectRefusal('store_key_mismatch', randomBytes(32));
    expect(error.message).toContain('could not be unlocked with the key from the test keyring');
    expect(error.message).not.toMatch(/[0-9a-f]{32}/);
    // And the right key still opens it afterwards.
    profile.open().close();
  });

  it('a wrong key with the key check missing: store_key_mismatch that allows for damage', () => {
    rmSync(keyCheckPath(profile.path));
    const error = expectRefusal('store_key_mismatch', randomBytes(32));
    expect(error.message).toMatch(/or the file is damaged/);
  });

  it('a truncated file (ragged size): store_corrupt', () => {
    truncateSync(profile.path, Math.floor(statSync(profile.path).size / 2) + 100);
    expect(expectRefusal('store_corrupt').message).toMatch(/cut short/);
  });

  it('a truncated file (whole pages): store_corrupt', () => {
    truncateSync(profile.path, DATABASE_PAGE_SIZE * 3);
    expectRefusal('store_corrupt');
  });

  it('a file emptied to zero bytes after it held data: store_corrupt', () => {
    truncateSync(profile.path, 0);
    expectRefusal('store_corrupt');
  });

  it('a corrupted header (first page): store_corrupt, not a key problem', () => {
    overwrite(profile.path, 100, randomBytes(16));
    expectRefusal('store_corrupt');
  });

  it('a corrupted salt: store_corrupt', () => {
    overwrite(profile.path, 0, randomBytes(8));
    expectRefusal('store_corrupt');
  });

  it('a corrupted page further in: the integrity check and the reads report store_corrupt', () => {
    const pages = statSync(profile.path).size / DATABASE_PAGE_SIZE;
    overwrite(profile.path, DATABASE_PAGE_SIZE * Math.floor(pages / 2) + 200, randomBytes(32));
    const db = profile.open();
    try {
      expect(thrownBy(() => db.checkIntegrity()).code).toBe('store_corrupt');
      const readError = thrownBy(() => db.timeline.latest('!r:example.org', 1000));
      expect(storeErrorFromSqlite(sqliteErrorCode(readError), readError)?.code).toBe('store_corrupt');
    } finally {
      db.close();
    }
  });

  it('a database file that is gone while its key check remains: store_corrupt, nothing created', () => {
    rmSync(profile.path);
    const before = fingerprint(profile.dir);
    expect(thrownBy(() => profile.open()).message).toMatch(/missing/);
    expect(fingerprint(profile.dir)).toEqual(before);
  });

  it('mustExist refuses to create a database that is not there', () => {
    profile.cleanup();
    const fresh = makeProfile();
    try {
      const error = thrownBy(() =>
        AccountDatabase.open({
          path: fresh.path,
          key: Buffer.from(fresh.key),
          keySource: 'k',
          mustExist: true,
        }),
      );
      expect(error.code).toBe('store_corrupt');
      expect(fingerprint(fresh.dir)).toEqual({});
    } finally {
      fresh.cleanup();
    }
  });

  it('a file that is not a database: store_corrupt', () => {
    writeFileSync(profile.path, 'these are my notes, not a database\n'.repeat(50));
    expectRefusal('store_corrupt');
  });

  it('a page-sized file of random bytes: refused without change', () => {
    writeFileSync(profile.path, randomBytes(DATABASE_PAGE_SIZE * 2));
    // Random pages look exactly like ciphertext under another key; the key check says the key is ours.
    expectRefusal('store_corrupt');
  });

  it('an unencrypted SQLite database: store_corrupt', () => {
    rmSync(profile.path);
    rmSync(keyCheckPath(profile.path));
    const plain = new Sqlite(profile.path);
    plain.exec('CREATE TABLE t (x); INSERT INTO t VALUES (1)');
    plain.close();
    expect(expectRefusal('store_corrupt').message).toMatch(/unencrypted/);
  });
});
