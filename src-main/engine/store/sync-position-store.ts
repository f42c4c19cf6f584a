// Where sync resumes: sliding sync's `pos` or /v3/sync's `since`. The engine saves a position
// only after everything the response carried (crypto included) is committed, ideally in the
// same transaction.
import type { StatementCache } from './statement-cache.ts';

export type SyncApi = 'sliding' | 'v3';

export class SyncPositionStore {
  readonly #sql: StatementCache;

  constructor(sql: StatementCache) {
    this.#sql = sql;
  }

  position(api: SyncApi): string | null {
    const row = this.#sql.prepare('SELECT position FROM sync_state WHERE api = ?').pluck().get(api);
    return typeof row === 'string' ? row : null;
  }

  savePosition(api: SyncApi, position: string, now: number = Date.now()): void {
    this.#sql
      .prepare(
        `INSERT INTO sync_state (api, position, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (api) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at`,
      )
      .run(api, position, now);
  }

  /** Forgets every position: the next sync starts afresh. */
  clear(): void {
    this.#sql.prepare('DELETE FROM sync_state').run();
  }
}
