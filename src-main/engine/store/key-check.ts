// A small sidecar beside the database holding HMAC-SHA256(key, label). SQLCipher answers
// "file is not a database" both for a wrong key and for a damaged first page; the sidecar tells
// the two apart, so a person is not sent to their keychain when the disk is at fault.
// It reveals nothing usable: checking a guessed key against it costs what checking the guess
// against the database's own first page costs, and the key is 256 random bits (or a
// memory-hard KDF's output).
import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';

const LABEL = 'tessera account database key check v1';
const PREFIX = 'tessera-key-check-v1 ';

export function keyCheckPath(databasePath: string): string {
  return `${databasePath}.keycheck`;
}

function tagOf(key: Uint8Array): Buffer {
  return createHmac('sha256', key).update(LABEL, 'utf8').digest();
}

export type KeyCheckResult = 'match' | 'mismatch' | 'absent';

export function compareKeyCheck(databasePath: string, key: Uint8Array): KeyCheckResult {
  let text: string;
  try {
    text = readFileSync(keyCheckPath(databasePath), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'absent';
    throw error;
  }
  if (!text.startsWith(PREFIX)) return 'absent';
  const stored = Buffer.from(text.slice(PREFIX.length).trim(), 'base64');
  const expected = tagOf(key);
  if (stored.length !== expected.length) return 'absent';
  return timingSafeEqual(stored, expected) ? 'match' : 'mismatch';
}

export function writeKeyCheck(databasePath: string, key: Uint8Array): void {
  const target = keyCheckPath(databasePath);
  const temporary = `${target}.tmp`;
  writeFileSync(temporary, `${PREFIX}${tagOf(key).toString('base64')}\n`, { mode: 0o600 });
  renameSync(temporary, target);
}
