// Versioned migrations. The schema version is the database's user_version (read before
// anything is written, so a database from a newer Tessera is refused untouched); each applied
// migration is also recorded in schema_migrations with its name and time. Each migration runs in
// its own transaction together with the version bump, so a failure leaves the previous version.
import type { Migration } from './migrations/migration.ts';
import type { SqliteConnection } from './sqlite-driver.ts';
import { storeTooNew } from './store-errors.ts';

const HISTORY_TABLE = `
CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at INTEGER NOT NULL
)`;

export class SchemaMigrations {
  readonly #migrations: readonly Migration[];

  constructor(migrations: readonly Migration[]) {
    migrations.forEach((migration, index) => {
      if (migration.version !== index + 1)
        throw new Error(
          `Migration "${migration.name}" has version ${migration.version}, expected ${index + 1}`,
        );
    });
    this.#migrations = migrations;
  }

  get latestVersion(): number {
    return this.#migrations.length;
  }

  versionOf(db: SqliteConnection): number {
    return Number(db.pragma('user_version', { simple: true }));
  }

  /** Refuses (store_too_new) a database written by a newer Tessera. Reads only. */
  assertSupported(db: SqliteConnection): void {
    const found = this.versionOf(db);
    if (found > this.latestVersion) throw storeTooNew(found, this.latestVersion);
  }

  /** Applies what is missing; returns the versions applied. */
  migrate(db: SqliteConnection, now: () => number = Date.now): number[] {
    this.assertSupported(db);
    const applied: number[] = [];
    for (const migration of this.#migrations.slice(this.versionOf(db))) {
      db.transaction(() => {
        db.exec(HISTORY_TABLE);
        migration.up(db);
        db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
          migration.version,
          migration.name,
          now(),
        );
        // user_version lives in the database header, which the transaction covers.
        db.pragma(`user_version = ${migration.version}`);
      }).immediate();
      applied.push(migration.version);
    }
    return applied;
  }
}
