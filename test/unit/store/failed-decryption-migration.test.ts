// Migration 005: the start-up look for events a new key may cure, and the look per megolm
// session when a key arrives, use the partial index of failed events instead of reading every
// stored event.
import Sqlite from 'better-sqlite3-multiple-ciphers';
import { describe, expect, it } from 'vitest';
import { migrations } from '../../../src-main/engine/store/migrations/index.ts';
import { SchemaMigrations } from '../../../src-main/engine/store/schema-migrations.ts';
import {
  SELECT_FAILED_BY_SESSION,
  SELECT_FAILED_RETRYABLE,
} from '../../../src-main/engine/timeline/decryption-queue.ts';

function plan(db: Sqlite.Database, sql: string, ...params: (string | number)[]): string {
  const rows = db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[];
  return rows.map((row) => row.detail).join('\n');
}

describe('005 failed decryption index', () => {
  it('serves both failed-event queries from the partial index', () => {
    const db = new Sqlite(':memory:');
    new SchemaMigrations(migrations).migrate(db);
    const retryable = plan(db, SELECT_FAILED_RETRYABLE, Number.MAX_SAFE_INTEGER, 50);
    expect(retryable).toContain('timeline_events_failed_decryption');
    expect(retryable).not.toMatch(/SCAN timeline_events(?! USING)/);
    const bySession = plan(db, SELECT_FAILED_BY_SESSION, '!r', 'session');
    expect(bySession).toContain('timeline_events_failed_decryption');
    db.close();
  });
});
