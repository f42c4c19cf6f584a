// The security log: an append-only, hash-chained record of what happened to the account's
// security (sign-ins, devices, verification, key backup, key storage). Details are small
// structured facts, never message content or secrets; append() refuses anything that looks like
// either. verify() walks the chain and names the first entry that does not hold.
//
// Limit: the chain is not keyed, so someone who can write the (encrypted) database can rebuild
// it from the point they change; and removing entries from the end leaves a valid shorter chain.
// It catches edits that were not made with that care, and accidental damage.
import { EngineError } from '../errors.ts';
import { canonicalJson } from './canonical-json.ts';
import { fromJsonObject } from './json-column.ts';
import { GENESIS_HASH, entryHash } from './security-log-chain.ts';
import type { StatementCache } from './statement-cache.ts';

/** What each kind of entry records. Values are identifiers, counts and codes only. */
export interface SecurityEventDetails {
  sign_in: { userId: string; deviceId: string; homeserver: string };
  new_device_seen: { userId: string; deviceId: string };
  verification_done: { userId: string; deviceId?: string; method: string };
  verification_cancelled: { userId: string; deviceId?: string; reason: string };
  keys_backed_up: { backupVersion: string; count: number };
  keys_restored: { backupVersion: string; count: number };
  key_backend_changed: { from: string; to: string };
  sign_out: { userId: string; deviceId: string; localDataRemoved: boolean };
  /** The access token was renewed with the refresh token (which rotated). No token is recorded. */
  token_refreshed: { userId: string; deviceId: string };
  /** The server ended the session but kept the device (soft logout). */
  soft_logout: { userId: string; deviceId: string };
  /** The same device signed in again after a soft logout. */
  reauthenticated: { userId: string; deviceId: string };
  /** Room keys go only to cross-signed devices (MSC4153), or to every device again. */
  key_sharing_policy_changed: { crossSignedOnly: boolean };
}

export type SecurityEventKind = keyof SecurityEventDetails;

export const securityEventKinds: readonly SecurityEventKind[] = [
  'sign_in',
  'new_device_seen',
  'verification_done',
  'verification_cancelled',
  'keys_backed_up',
  'keys_restored',
  'key_backend_changed',
  'sign_out',
  'token_refreshed',
  'soft_logout',
  'reauthenticated',
  'key_sharing_policy_changed',
];

export interface SecurityLogEntry {
  seq: number;
  time: number;
  kind: string;
  details: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

export type SecurityLogProblem = 'missing' | 'broken_link' | 'edited' | 'malformed';

export type SecurityLogVerdict =
  | { ok: true; entries: number; head: string }
  | { ok: false; seq: number; problem: SecurityLogProblem; reason: string };

/** Names a detail must not have: they would hold a secret or message content. */
const FORBIDDEN_DETAIL = /password|passphrase|token|secret|private|recovery|ciphertext|body|content|^key$/i;
const MAX_DETAIL_LENGTH = 512;

function assertSafeDetails(details: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(details)) {
    const allowed =
      value === undefined ||
      value === null ||
      typeof value === 'boolean' ||
      (typeof value === 'number' && Number.isFinite(value)) ||
      (typeof value === 'string' && value.length <= MAX_DETAIL_LENGTH);
    if (FORBIDDEN_DETAIL.test(name) || !allowed)
      throw new EngineError('internal', `A security log detail was refused (${name.slice(0, 40)})`);
  }
}

interface EntryRow {
  seq: number;
  time: number;
  kind: string;
  details: string;
  prev_hash: string;
  hash: string;
}

export class SecurityLog {
  readonly #sql: StatementCache;

  constructor(sql: StatementCache) {
    this.#sql = sql;
  }

  append<K extends SecurityEventKind>(
    kind: K,
    details: SecurityEventDetails[K],
    now = Date.now(),
  ): SecurityLogEntry {
    const facts = details as unknown as Record<string, unknown>;
    assertSafeDetails(facts);
    return this.#sql.transaction(() => {
      const last = this.#sql.prepare('SELECT seq, hash FROM security_log ORDER BY seq DESC LIMIT 1').get() as
        { seq: number; hash: string } | undefined;
      const stored = fromJsonObject(canonicalJson(facts));
      const entry = {
        seq: (last?.seq ?? 0) + 1,
        time: now,
        kind,
        details: stored,
        prevHash: last?.hash ?? GENESIS_HASH,
      };
      const hash = entryHash(entry);
      this.#sql
        .prepare(
          'INSERT INTO security_log (seq, time, kind, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?)',
        )
        .run(entry.seq, entry.time, entry.kind, canonicalJson(stored), entry.prevHash, hash);
      return { ...entry, hash };
    });
  }

  /** Entries oldest first; `afterSeq` pages on. */
  entries(options: { afterSeq?: number; limit?: number } = {}): SecurityLogEntry[] {
    const rows = this.#sql
      .prepare(
        'SELECT seq, time, kind, details, prev_hash, hash FROM security_log WHERE seq > ? ORDER BY seq LIMIT ?',
      )
      .all(options.afterSeq ?? 0, options.limit ?? -1) as EntryRow[];
    return rows.map((row) => ({
      seq: row.seq,
      time: row.time,
      kind: row.kind,
      details: fromJsonObject(row.details),
      prevHash: row.prev_hash,
      hash: row.hash,
    }));
  }

  verify(): SecurityLogVerdict {
    const rows = this.#sql
      .prepare('SELECT seq, time, kind, details, prev_hash, hash FROM security_log ORDER BY seq')
      .iterate() as IterableIterator<EntryRow>;
    let expectedSeq = 1;
    let previousHash = GENESIS_HASH;
    for (const row of rows) {
      if (row.seq !== expectedSeq)
        return fail(expectedSeq, 'missing', `entry ${expectedSeq} is missing (the next one is ${row.seq})`);
      if (row.prev_hash !== previousHash)
        return fail(
          row.seq,
          'broken_link',
          'it does not follow the entry before it (one was removed, inserted or moved)',
        );
      let details: Record<string, unknown>;
      try {
        details = fromJsonObject(row.details);
      } catch {
        return fail(row.seq, 'malformed', 'its details are not a JSON object');
      }
      const hash = entryHash({
        seq: row.seq,
        time: row.time,
        kind: row.kind,
        details,
        prevHash: row.prev_hash,
      });
      if (hash !== row.hash) return fail(row.seq, 'edited', 'its contents do not match its hash');
      previousHash = row.hash;
      expectedSeq += 1;
    }
    return { ok: true, entries: expectedSeq - 1, head: previousHash };
  }
}

function fail(seq: number, problem: SecurityLogProblem, reason: string): SecurityLogVerdict {
  return { ok: false, seq, problem, reason };
}
