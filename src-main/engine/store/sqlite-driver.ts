// The one place that loads the SQLite binding: better-sqlite3 built with SQLite3 Multiple
// Ciphers, whose SQLCipher scheme encrypts every page of the database and its WAL.
import Sqlite from 'better-sqlite3-multiple-ciphers';
import type { Database, Statement } from 'better-sqlite3-multiple-ciphers';

export type SqliteConnection = Database;
export type SqliteStatement = Statement;

export interface ConnectionOptions {
  /** Fail rather than create the file. */
  fileMustExist?: boolean;
  /** How long a statement waits for another connection's lock before SQLITE_BUSY. */
  busyTimeoutMs: number;
}

export function openSqliteConnection(path: string, options: ConnectionOptions): SqliteConnection {
  return new Sqlite(path, { fileMustExist: options.fileMustExist ?? false, timeout: options.busyTimeoutMs });
}

/** SQLite3MC's sqlite3_key (better-sqlite3's typings do not have it). */
export function applyKey(db: SqliteConnection, key: Buffer): void {
  (db as SqliteConnection & { key(key: Buffer): number }).key(key);
}

/** The SQLite result code of an error thrown by the binding (`SQLITE_NOTADB`, ...), if it is one. */
export function sqliteErrorCode(error: unknown): string | null {
  if (error instanceof Sqlite.SqliteError) return error.code;
  return null;
}
