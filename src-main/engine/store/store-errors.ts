// The typed failures of opening the account database. Messages are for a person: they say what
// happened and that nothing was changed, and never carry a key or a path's contents.
import { EngineError } from '../errors.ts';

export function storeKeyMismatch(keySource: string, options?: { maybeDamaged?: boolean }): EngineError {
  const tail = options?.maybeDamaged
    ? ' Either the key is not the one this database was created with, or the file is damaged.'
    : ' The key is not the one this database was created with.';
  return new EngineError(
    'store_key_mismatch',
    `Your account's database could not be unlocked with the key from ${keySource}.${tail} ` +
      'The file was left as it is.',
  );
}

export function storeCorrupt(detail: string, cause?: unknown): EngineError {
  return new EngineError(
    'store_corrupt',
    `Your account's database is damaged (${detail}). Tessera did not change or replace the file.`,
    cause === undefined ? undefined : { cause },
  );
}

/** The database file is gone although the profile had one: never replaced by an empty one. */
export function storeMissing(): EngineError {
  return new EngineError(
    'store_corrupt',
    "Your account's database file is missing from its profile folder. Tessera did not create a new, " +
      'empty one in its place.',
  );
}

export function storeTooNew(found: number, supported: number): EngineError {
  return new EngineError(
    'store_too_new',
    `Your account's database was written by a newer version of Tessera (schema ${found}; this version ` +
      `understands up to ${supported}). Update Tessera to open it; the file was left as it is.`,
  );
}

export function profileInUse(cause?: unknown): EngineError {
  return new EngineError(
    'profile_in_use',
    'This account is already open in another Tessera process. Close it there and try again.',
    cause === undefined ? undefined : { cause },
  );
}

/**
 * Maps a SQLite failure met after opening (a damaged page read later, a lock lost) to a typed
 * error; anything else is returned as null for the caller to treat as a bug.
 */
export function storeErrorFromSqlite(code: string | null, cause: unknown): EngineError | null {
  if (code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB')
    return storeCorrupt('a page failed its check', cause);
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') return profileInUse(cause);
  return null;
}
