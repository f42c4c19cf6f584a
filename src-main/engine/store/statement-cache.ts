// Prepared statements, compiled on first use and kept for the connection's life: opening stays
// cheap (nothing is compiled that the session never runs) and hot paths never recompile.
import type { SqliteConnection, SqliteStatement } from './sqlite-driver.ts';

export class StatementCache {
  readonly #db: SqliteConnection;
  readonly #statements = new Map<string, SqliteStatement>();

  constructor(db: SqliteConnection) {
    this.#db = db;
  }

  get connection(): SqliteConnection {
    return this.#db;
  }

  prepare(sql: string): SqliteStatement {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  /** Runs `work` in one transaction (a savepoint when already inside one): all of it or none. */
  transaction<T>(work: () => T): T {
    return this.#db.transaction(work)();
  }
}
