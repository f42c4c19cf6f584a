// Per-account settings as JSON values. Reading returns `unknown`: the caller validates the shape
// it expects (a setting written by another version may differ).
import { toJsonColumn } from './json-column.ts';
import type { StatementCache } from './statement-cache.ts';

export class SettingsStore {
  readonly #sql: StatementCache;

  constructor(sql: StatementCache) {
    this.#sql = sql;
  }

  get(key: string): unknown {
    const text = this.#sql.prepare('SELECT value FROM settings WHERE key = ?').pluck().get(key);
    return typeof text === 'string' ? (JSON.parse(text) as unknown) : undefined;
  }

  set(key: string, value: unknown): void {
    this.#sql
      .prepare(
        'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      )
      .run(key, toJsonColumn(value));
  }

  delete(key: string): void {
    this.#sql.prepare('DELETE FROM settings WHERE key = ?').run(key);
  }
}
