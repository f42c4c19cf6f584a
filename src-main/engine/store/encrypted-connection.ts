// Opens the account's SQLCipher file and proves the key before anything else happens. Failures
// are typed (store_key_mismatch, store_corrupt, profile_in_use) and leave the file as it was:
// a file that fails here is never deleted, recreated or migrated.
import { compareKeyCheck } from './key-check.ts';
import { assertDatabaseKey, sqlcipherRawKey } from './raw-key.ts';
import { inspectDatabaseFile } from './database-file.ts';
import { applyKey, openSqliteConnection, sqliteErrorCode, type SqliteConnection } from './sqlite-driver.ts';
import { profileInUse, storeCorrupt, storeKeyMismatch, storeMissing } from './store-errors.ts';

export interface EncryptedConnectionRequest {
  path: string;
  /** The 32-byte database key. Read here, never kept; the caller zeroes it. */
  key: Uint8Array;
  /** Where the key came from, in words for a person ("the GNOME keyring", "your passphrase"). */
  keySource: string;
  /**
   * How long to wait for another process's lock before saying profile_in_use. Short, so a second
   * instance answers at once, yet long enough to ride out a previous instance that is closing.
   */
  lockWaitMs: number;
  /** Refuse rather than create a new database when the file is absent. */
  mustExist: boolean;
}

export function openEncryptedConnection(request: EncryptedConnectionRequest): SqliteConnection {
  const { path, key, keySource } = request;
  assertDatabaseKey(key); // before SQLite creates anything
  const file = inspectDatabaseFile(path);
  if (file.kind === 'damaged') throw storeCorrupt(file.detail);
  // The key check is written after the first commit, so it says a database existed here. Without
  // it, an empty file is what a crash between creating the file and that commit leaves.
  const existed = () => compareKeyCheck(path, key) !== 'absent';
  if (file.kind === 'empty' && existed()) throw storeCorrupt('the file is empty');
  if (file.kind === 'absent' && (request.mustExist || existed())) throw storeMissing();

  const db = openSqliteConnection(path, {
    fileMustExist: file.kind !== 'absent',
    busyTimeoutMs: request.lockWaitMs,
  });
  try {
    // The cipher choice configures the key that follows; neither touches the file. The key goes
    // in before any statement that reads the database.
    db.pragma("cipher = 'sqlcipher'");
    db.pragma('legacy = 4');
    const raw = sqlcipherRawKey(key);
    try {
      applyKey(db, raw);
    } finally {
      raw.fill(0);
    }
    // Exclusive locking: the first read below takes the database lock and the connection keeps
    // it until it closes. The lock is an OS file lock, so it dies with the process (even on
    // SIGKILL): no pid file to go stale. In WAL mode it also keeps the wal-index in heap memory,
    // so no -shm file is written.
    db.pragma('locking_mode = EXCLUSIVE');
    proveKey(db, path, key, keySource);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

function proveKey(db: SqliteConnection, path: string, key: Uint8Array, keySource: string): void {
  try {
    db.prepare('SELECT count(*) FROM sqlite_master').pluck().get();
  } catch (error) {
    const code = sqliteErrorCode(error);
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') throw profileInUse(error);
    if (code === 'SQLITE_CORRUPT') throw storeCorrupt('its pages do not fit together', error);
    if (code === 'SQLITE_NOTADB') {
      const check = compareKeyCheck(path, key);
      if (check === 'match') throw storeCorrupt('its first page failed its check', error);
      throw storeKeyMismatch(keySource, { maybeDamaged: check === 'absent' });
    }
    throw error;
  }
}
