// One account's encrypted database: opened with the key from the key backend, migrated, and
// exposed as typed stores. The crypto store shares the connection (its tables are in the schema),
// so one transaction can cover crypto state and the sync position.
import { applyConnectionSettings, holdExclusiveLock } from './connection-settings.ts';
import { openEncryptedConnection } from './encrypted-connection.ts';
import { compareKeyCheck, writeKeyCheck } from './key-check.ts';
import { MemberStore } from './member-store.ts';
import { migrations } from './migrations/index.ts';
import { openDatabases } from './open-databases.ts';
import { OutgoingQueue } from './outgoing-queue.ts';
import { ReceiptStore } from './receipt-store.ts';
import { RoomStateStore } from './room-state-store.ts';
import { RoomStore } from './room-store.ts';
import { SchemaMigrations } from './schema-migrations.ts';
import { SecurityLog } from './security-log.ts';
import { SessionStore } from './session-store.ts';
import { SettingsStore } from './settings-store.ts';
import type { SqliteConnection } from './sqlite-driver.ts';
import { StatementCache } from './statement-cache.ts';
import { storeCorrupt } from './store-errors.ts';
import { SyncPositionStore } from './sync-position-store.ts';
import { TimelineStore } from './timeline-store.ts';

export interface OpenAccountDatabaseOptions {
  /** The database file; its folder must exist. Created when absent. */
  path: string;
  /** The 32-byte key. open() zeroes it before returning, whether it succeeds or not. */
  key: Buffer;
  /** Where the key came from, in words for a person, for the wrong-key message. */
  keySource: string;
  /**
   * Open an existing database only (store_corrupt when the file is gone). Without it a missing
   * file is created, unless the key check beside it says a database was there.
   */
  mustExist?: boolean;
  /** How long to wait for another process to let go of the profile; default 1 s. */
  lockWaitMs?: number;
  now?: () => number;
}

export const schemaMigrations = new SchemaMigrations(migrations);

export class AccountDatabase {
  readonly path: string;
  readonly session: SessionStore;
  readonly sync: SyncPositionStore;
  readonly rooms: RoomStore;
  readonly roomState: RoomStateStore;
  readonly members: MemberStore;
  readonly timeline: TimelineStore;
  readonly outgoing: OutgoingQueue;
  readonly receipts: ReceiptStore;
  readonly settings: SettingsStore;
  readonly securityLog: SecurityLog;
  readonly #db: SqliteConnection;
  readonly #sql: StatementCache;

  /**
   * Opens (or creates) the database: key first and proven, then the schema version checked,
   * then WAL and the other settings, the exclusive lock, and the migrations.
   */
  static open(options: OpenAccountDatabaseOptions): AccountDatabase {
    const { path, key } = options;
    try {
      const db = openEncryptedConnection({
        path,
        key,
        keySource: options.keySource,
        lockWaitMs: options.lockWaitMs ?? 1000,
        mustExist: options.mustExist ?? false,
      });
      try {
        schemaMigrations.assertSupported(db);
        applyConnectionSettings(db);
        holdExclusiveLock(db);
        schemaMigrations.migrate(db, options.now);
        if (compareKeyCheck(path, key) !== 'match') writeKeyCheck(path, key);
      } catch (error) {
        db.close();
        throw error;
      }
      return new AccountDatabase(db, path);
    } finally {
      key.fill(0);
    }
  }

  /**
   * Wraps a connection that is already open, configured and migrated. Product code uses open();
   * this exists for the benchmark's unencrypted baseline.
   */
  constructor(db: SqliteConnection, path: string) {
    this.#db = db;
    this.path = path;
    this.#sql = new StatementCache(db);
    this.session = new SessionStore(this.#sql);
    this.sync = new SyncPositionStore(this.#sql);
    this.rooms = new RoomStore(this.#sql);
    this.roomState = new RoomStateStore(this.#sql);
    this.members = new MemberStore(this.#sql);
    this.timeline = new TimelineStore(this.#sql);
    this.outgoing = new OutgoingQueue(this.#sql);
    this.receipts = new ReceiptStore(this.#sql);
    this.settings = new SettingsStore(this.#sql);
    this.securityLog = new SecurityLog(this.#sql);
    openDatabases.add(path);
  }

  /** The raw connection, for stores that own their tables (the crypto store). */
  get connection(): SqliteConnection {
    return this.#db;
  }

  get isOpen(): boolean {
    return this.#db.open;
  }

  get schemaVersion(): number {
    return schemaMigrations.versionOf(this.#db);
  }

  /** Runs `work` in one transaction: everything it writes lands, or nothing does. */
  transaction<T>(work: () => T): T {
    return this.#sql.transaction(work);
  }

  /**
   * Reads every page and checks the structure (SQLCipher checks each page's HMAC as it reads).
   * Too slow for every start; for a "check my data" action or after a crash report.
   */
  checkIntegrity(): void {
    let problems: unknown[];
    try {
      problems = this.#db.pragma('quick_check', { simple: false }) as unknown[];
    } catch (error) {
      throw storeCorrupt('a page failed its check', error);
    }
    const first = problems[0] as { quick_check?: unknown } | undefined;
    if (problems.length !== 1 || first?.quick_check !== 'ok')
      throw storeCorrupt('its structure check failed');
  }

  /** Checkpoints the WAL into the file, closes, and releases the profile lock. */
  close(): void {
    if (this.#db.open) this.#db.close();
    openDatabases.delete(this.path);
  }
}
