// Deletes an account database and everything SQLite or the store keeps beside it. The bytes
// left on disk are ciphertext whose key the caller deletes from the key backend next.
import { rmSync } from 'node:fs';
import { keyCheckPath } from './key-check.ts';
import { openDatabases } from './open-databases.ts';

export function accountDatabaseFiles(path: string): string[] {
  const check = keyCheckPath(path);
  return [path, `${path}-wal`, `${path}-shm`, `${path}-journal`, check, `${check}.tmp`];
}

/** Removes the database files (close the database first); returns those that existed. */
export function removeAccountDatabase(path: string): string[] {
  if (openDatabases.has(path)) throw new Error('Close the account database before removing it');
  const removed: string[] = [];
  for (const file of accountDatabaseFiles(path)) {
    try {
      rmSync(file);
      removed.push(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return removed;
}
