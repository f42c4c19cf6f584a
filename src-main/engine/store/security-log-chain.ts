// The hash chain of the security log: each entry's hash is SHA-256 over the canonical JSON of
// [seq, time, kind, details, prev_hash], and prev_hash is the hash of the entry before it (the
// genesis value for the first). Changing, removing, inserting or moving an entry breaks a link.
import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json.ts';

export const GENESIS_HASH = '0'.repeat(64);

export interface ChainedEntry {
  seq: number;
  time: number;
  kind: string;
  details: Record<string, unknown>;
  prevHash: string;
}

export function entryHash(entry: ChainedEntry): string {
  const encoded = canonicalJson([entry.seq, entry.time, entry.kind, entry.details, entry.prevHash]);
  return createHash('sha256').update(encoded, 'utf8').digest('hex');
}
