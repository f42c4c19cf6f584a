import Sqlite from 'better-sqlite3-multiple-ciphers';
import type { Database } from 'better-sqlite3-multiple-ciphers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrations } from '../../../src-main/engine/store/migrations/index.ts';
import type { Migration } from '../../../src-main/engine/store/migrations/migration.ts';
import { SchemaMigrations } from '../../../src-main/engine/store/schema-migrations.ts';
import type { SqliteConnection } from '../../../src-main/engine/store/sqlite-driver.ts';
import { fingerprint, makeProfile, thrownBy, type Profile } from './store-fixture.ts';

const memory = (): SqliteConnection => new Sqlite(':memory:');

function tables(db: Database): string[] {
  return (
    db
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
      )
      .all() as {
      name: string;
    }[]
  ).map((row) => row.name);
}

function rowCounts(db: Database): Record<string, number> {
  return Object.fromEntries(
    tables(db).map((name) => [name, db.prepare(`SELECT count(*) FROM "${name}"`).pluck().get() as number]),
  );
}

describe('each migration', () => {
  for (const migration of migrations) {
    describe(`${migration.version}: ${migration.name}`, () => {
      it('applies on a database at the previous version and keeps what was written there', () => {
        const db = memory();
        db.pragma('foreign_keys = ON');
        new SchemaMigrations(migrations.slice(0, migration.version - 1)).migrate(db);
        // Data written under the previous version: a table outside the schema and every row so far.
        db.exec("CREATE TABLE canary (note TEXT); INSERT INTO canary VALUES ('written before')");
        const before = rowCounts(db);

        const applied = new SchemaMigrations(migrations.slice(0, migration.version)).migrate(db);
        expect(applied).toEqual([migration.version]);
        expect(db.pragma('user_version', { simple: true })).toBe(migration.version);
        expect(db.prepare('SELECT note FROM canary').pluck().get()).toBe('written before');
        const after = rowCounts(db);
        for (const [table, count] of Object.entries(before))
          if (table !== 'schema_migrations') expect(after[table]).toBe(count);
        expect(
          db.prepare('SELECT name FROM schema_migrations WHERE version = ?').pluck().get(migration.version),
        ).toBe(migration.name);
        expect(db.pragma('foreign_key_check')).toEqual([]);
        db.close();
      });
    });
  }

  it('1 creates every table the engine needs', () => {
    const db = memory();
    new SchemaMigrations(migrations).migrate(db);
    expect(tables(db)).toEqual(
      [
        'crypto_idb_records',
        'crypto_idb_schema',
        'members',
        'outgoing_queue',
        'receipts',
        'room_state',
        'rooms',
        'schema_migrations',
        'security_log',
        'session',
        'settings',
        'sync_state',
        'timeline_events',
        'timeline_gaps',
      ].sort(),
    );
    db.close();
  });
});

describe('SchemaMigrations', () => {
  const step = (version: number, sql: string): Migration => ({
    version,
    name: `step ${version}`,
    up: (db) => db.exec(sql),
  });

  it('does nothing when the database is current', () => {
    const db = memory();
    const runner = new SchemaMigrations([step(1, 'CREATE TABLE a (x)')]);
    expect(runner.migrate(db)).toEqual([1]);
    expect(runner.migrate(db)).toEqual([]);
    db.close();
  });

  it('rolls a failing migration back whole, leaving the previous version', () => {
    const db = memory();
    const runner = new SchemaMigrations([
      step(1, 'CREATE TABLE a (x)'),
      step(2, 'CREATE TABLE b (x); INSERT INTO a VALUES (1); CREATE TABLE a (y)'),
    ]);
    expect(() => runner.migrate(db)).toThrow(/already exists/);
    expect(runner.versionOf(db)).toBe(1);
    expect(tables(db)).toEqual(['a', 'schema_migrations']);
    expect(db.prepare('SELECT count(*) FROM a').pluck().get()).toBe(0);
    db.close();
  });

  it('refuses a list with a gap in its versions', () => {
    expect(() => new SchemaMigrations([step(1, ''), step(3, '')])).toThrow(/expected 2/);
  });

  it('refuses a database from a newer version with store_too_new', () => {
    const db = memory();
    db.pragma('user_version = 7');
    const error = thrownBy(() => new SchemaMigrations([step(1, 'CREATE TABLE a (x)')]).migrate(db));
    expect(error.code).toBe('store_too_new');
    expect(tables(db)).toEqual([]);
    db.close();
  });
});

describe('opening a database written by a newer Tessera', () => {
  let profile: Profile;
  beforeEach(() => {
    profile = makeProfile();
  });
  afterEach(() => profile.cleanup());

  it('refuses with store_too_new and leaves the file untouched', () => {
    const db = profile.open();
    db.connection.pragma(`user_version = ${migrations.length + 1}`);
    db.close();
    const before = fingerprint(profile.dir);
    const error = thrownBy(() => profile.open());
    expect(error.code).toBe('store_too_new');
    expect(error.message).toMatch(/newer version of Tessera/);
    expect(fingerprint(profile.dir)).toEqual(before);
  });
});
