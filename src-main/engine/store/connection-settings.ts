// The settings every account connection runs with, applied after the key is proven and the
// schema version accepted (so a database we refuse is never switched to WAL).
import type { SqliteConnection } from './sqlite-driver.ts';
import { profileInUse } from './store-errors.ts';
import { sqliteErrorCode } from './sqlite-driver.ts';

/**
 * FULL: every commit is fsynced to the WAL before it returns. NORMAL in WAL mode survives an
 * app crash but may lose the last commits on power loss, and the crypto store lives in this file:
 * losing a commit that held a new Olm session or one-time key the server already has means
 * undecryptable messages. bench/store.bench.ts measures both (see bench/README.md); FULL costs one
 * fsync per transaction, which batching per sync response absorbs.
 */
export const SYNCHRONOUS_MODE = 'FULL';

export function applyConnectionSettings(db: SqliteConnection): void {
  const journal = db.pragma('journal_mode = WAL', { simple: true });
  if (journal !== 'wal') throw new Error(`The database refused WAL mode (${String(journal)})`);
  db.pragma(`synchronous = ${SYNCHRONOUS_MODE}`);
  db.pragma('foreign_keys = ON');
  // Deleted rows (a redacted message, a signed-out session) are overwritten, not left in free pages.
  db.pragma('secure_delete = ON');
  // Sorts and temporary tables stay in memory: SQLite3MC writes temporary files unencrypted.
  db.pragma('temp_store = MEMORY');
  // Checkpoint every 4,000 pages (16 MiB of WAL) rather than 1,000: each checkpoint decrypts and
  // re-encrypts every page it copies, and the hot pages (indexes, the newest timeline pages)
  // change in nearly every sync response, so fewer checkpoints copy them fewer times.
  db.pragma('wal_autocheckpoint = 4000');
}

/** Takes the exclusive lock now rather than at the first write, and keeps it (locking_mode). */
export function holdExclusiveLock(db: SqliteConnection): void {
  try {
    db.exec('BEGIN EXCLUSIVE; COMMIT');
  } catch (error) {
    const code = sqliteErrorCode(error);
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') throw profileInUse(error);
    throw error;
  }
}
