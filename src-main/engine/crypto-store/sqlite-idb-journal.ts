// Where the in-memory IndexedDB's committed transactions land: two tables in the account's
// SQLCipher database. One IndexedDB transaction becomes one SQLite transaction, so a crash
// leaves the journal at a transaction boundary, never in between.
import type { SqliteConnection as Database, SqliteStatement as Statement } from '../store/sqlite-driver.ts';
import { idbSchemaSchema, type IdbSchema } from './idb-schema.ts';

export type JournalOp =
  | { kind: 'put'; store: string; key: Buffer; value: Buffer }
  | { kind: 'delete'; store: string; key: Buffer }
  | { kind: 'clear'; store: string };

export interface StoredRecord {
  store: string;
  key: Buffer;
  value: Buffer;
}

export class SqliteIdbJournal {
  readonly #db: Database;
  readonly #put: Statement;
  readonly #delete: Statement;
  readonly #clear: Statement;
  readonly #saveSchema: Statement;
  readonly #dropRecords: Statement;
  readonly #dropSchema: Statement;
  readonly #commit: (dbName: string, ops: readonly JournalOp[], schema: IdbSchema | undefined) => void;
  readonly #commitAll: (
    batch: readonly { dbName: string; ops: readonly JournalOp[]; schema: IdbSchema | undefined }[],
  ) => void;

  constructor(db: Database) {
    this.#db = db;
    this.#put = db.prepare(
      `INSERT INTO crypto_idb_records (db_name, store_name, key, value) VALUES (?, ?, ?, ?)
       ON CONFLICT (db_name, store_name, key) DO UPDATE SET value = excluded.value`,
    );
    this.#delete = db.prepare(
      'DELETE FROM crypto_idb_records WHERE db_name = ? AND store_name = ? AND key = ?',
    );
    this.#clear = db.prepare('DELETE FROM crypto_idb_records WHERE db_name = ? AND store_name = ?');
    this.#saveSchema = db.prepare(
      `INSERT INTO crypto_idb_schema (db_name, version, schema) VALUES (?, ?, ?)
       ON CONFLICT (db_name) DO UPDATE SET version = excluded.version, schema = excluded.schema`,
    );
    this.#dropRecords = db.prepare('DELETE FROM crypto_idb_records WHERE db_name = ?');
    this.#dropSchema = db.prepare('DELETE FROM crypto_idb_schema WHERE db_name = ?');
    this.#commit = db.transaction(
      (dbName: string, ops: readonly JournalOp[], schema: IdbSchema | undefined) => {
        for (const op of ops) {
          if (op.kind === 'put') this.#put.run(dbName, op.store, op.key, op.value);
          else if (op.kind === 'delete') this.#delete.run(dbName, op.store, op.key);
          else this.#clear.run(dbName, op.store);
        }
        if (schema) {
          // Stores the upgrade dropped take their records with them.
          const kept = new Set(schema.stores.map((store) => store.name));
          for (const { store_name: store } of this.#db
            .prepare('SELECT DISTINCT store_name FROM crypto_idb_records WHERE db_name = ?')
            .all(dbName) as { store_name: string }[]) {
            if (!kept.has(store)) this.#clear.run(dbName, store);
          }
          this.#saveSchema.run(dbName, schema.version, JSON.stringify(schema));
        }
      },
    );
    // Nested: better-sqlite3 turns the inner transactions into savepoints of this one.
    this.#commitAll = db.transaction(
      (batch: readonly { dbName: string; ops: readonly JournalOp[]; schema: IdbSchema | undefined }[]) => {
        for (const item of batch) this.#commit(item.dbName, item.ops, item.schema);
      },
    );
  }

  /** Writes several committed IndexedDB transactions, in order, as one SQLite transaction. */
  commitAll(
    batch: readonly { dbName: string; ops: readonly JournalOp[]; schema: IdbSchema | undefined }[],
  ): void {
    this.#commitAll(batch);
  }

  /** Writes one committed IndexedDB transaction, all or nothing. */
  commit(dbName: string, ops: readonly JournalOp[], schema?: IdbSchema): void {
    this.#commit(dbName, ops, schema);
  }

  deleteDatabase(dbName: string): void {
    this.#db.transaction(() => {
      this.#dropRecords.run(dbName);
      this.#dropSchema.run(dbName);
    })();
  }

  /** The databases whose names start with `prefix`, with their schemas. */
  databases(prefix: string): Map<string, IdbSchema> {
    const rows = this.#db
      .prepare('SELECT db_name, schema FROM crypto_idb_schema WHERE substr(db_name, 1, ?) = ?')
      .all(prefix.length, prefix) as { db_name: string; schema: string }[];
    return new Map(rows.map((row) => [row.db_name, idbSchemaSchema.parse(JSON.parse(row.schema))]));
  }

  /** The records of one store. */
  storeRecords(dbName: string, store: string): IterableIterator<StoredRecord> {
    const statement = this.#db.prepare(
      'SELECT store_name AS store, key, value FROM crypto_idb_records WHERE db_name = ? AND store_name = ?',
    );
    return statement.iterate(dbName, store) as IterableIterator<StoredRecord>;
  }

  /** One record's value, or undefined. */
  record(dbName: string, store: string, key: Buffer): Buffer | undefined {
    const row = this.#db
      .prepare('SELECT value FROM crypto_idb_records WHERE db_name = ? AND store_name = ? AND key = ?')
      .get(dbName, store, key) as { value: Buffer } | undefined;
    return row?.value;
  }
}
