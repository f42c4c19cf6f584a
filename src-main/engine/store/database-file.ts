// What the bytes on disk say before SQLite is asked anything. A SQLCipher file has no plaintext
// header (its first 16 bytes are the salt) and is always a whole number of pages, so a short or
// ragged file, or one that starts with SQLite's plaintext magic, can be called damaged without
// the key. Only reads: a file that fails to open is never modified.
import { closeSync, openSync, readSync, statSync } from 'node:fs';

/** SQLCipher 4's page size (`legacy=4`); the store never changes it. */
export const DATABASE_PAGE_SIZE = 4096;

const PLAINTEXT_SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

export type DatabaseFileState =
  | { kind: 'absent' }
  | { kind: 'empty' }
  | { kind: 'plausible'; size: number }
  | { kind: 'damaged'; detail: string };

export function inspectDatabaseFile(path: string): DatabaseFileState {
  let size: number;
  try {
    const stats = statSync(path);
    if (!stats.isFile()) return { kind: 'damaged', detail: 'it is not a regular file' };
    size = stats.size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'absent' };
    throw error;
  }
  if (size === 0) return { kind: 'empty' };
  if (size % DATABASE_PAGE_SIZE !== 0)
    return { kind: 'damaged', detail: 'its size is not a whole number of pages; it may have been cut short' };
  const head = Buffer.alloc(PLAINTEXT_SQLITE_MAGIC.length);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  if (head.equals(PLAINTEXT_SQLITE_MAGIC))
    return { kind: 'damaged', detail: 'it is an unencrypted SQLite file, not an encrypted Tessera database' };
  return { kind: 'plausible', size };
}
