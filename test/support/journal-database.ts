// A throwaway SQLite connection with the crypto journal's two tables, for crypto-store tests.
// (The account database creates the same tables in its first migration.)
import Sqlite from 'better-sqlite3-multiple-ciphers';
import type { SqliteConnection } from '../../src-main/engine/store/sqlite-driver.ts';

export function openJournalDatabase(path = ':memory:'): SqliteConnection {
  const db = new Sqlite(path) as SqliteConnection;
  if (path !== ':memory:') db.pragma('journal_mode=WAL');
  db.exec(`CREATE TABLE IF NOT EXISTS crypto_idb_schema (db_name TEXT PRIMARY KEY, version INTEGER NOT NULL, schema TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS crypto_idb_records (db_name TEXT NOT NULL, store_name TEXT NOT NULL, key BLOB NOT NULL,
      value BLOB NOT NULL, PRIMARY KEY (db_name, store_name, key)) WITHOUT ROWID;`);
  return db;
}
