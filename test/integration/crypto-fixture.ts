// One account's crypto stack, as the engine will assemble it, for the crypto integration tests
// (in the test process or in a child process): a throwaway SQLCipher file holding the crypto
// journal, the CryptoMachine on it, the outgoing request loop, the sync feed, the decryptor and
// a sync source against the test homeserver.
import Database from 'better-sqlite3-multiple-ciphers';
import { SqliteIdbJournal } from '../../src-main/engine/crypto-store/sqlite-idb-journal.ts';
import { CryptoMachine } from '../../src-main/engine/crypto/crypto-machine.ts';
import { CryptoSyncFeed, type CryptoSyncOutcome } from '../../src-main/engine/crypto/crypto-sync-feed.ts';
import { OutgoingRequestLoop } from '../../src-main/engine/crypto/outgoing-request-loop.ts';
import { RoomEventDecryptor } from '../../src-main/engine/crypto/room-event-decryptor.ts';
import { MatrixHttp } from '../../src-main/engine/http/matrix-http.ts';
import type { EngineLogLevel } from '../../src-main/engine/protocol.ts';
import { SlidingSync } from '../../src-main/engine/sync/sliding-sync.ts';
import type { SyncBatch } from '../../src-main/engine/sync/sync-batch.ts';
import type { SyncSource } from '../../src-main/engine/sync/sync-source.ts';
import { V3Sync } from '../../src-main/engine/sync/v3-sync.ts';
import type { SqliteConnection } from '../../src-main/engine/store/sqlite-driver.ts';

export type SyncApi = SyncSource['api'];

/** Everything a child process needs to open the same account (test secrets only). */
export interface CryptoAccountSpec {
  baseUrl: string;
  userId: string;
  deviceId: string;
  accessToken: string;
  dbPath: string;
  /** Hex of the 32-byte SQLCipher key and crypto store key. */
  dbKey: string;
  storeKey: string;
  api: SyncApi;
}

export interface LogLine {
  level: EngineLogLevel;
  message: string;
}

export class CryptoAccount {
  readonly machine: CryptoMachine;
  readonly loop: OutgoingRequestLoop;
  readonly feed: CryptoSyncFeed;
  readonly decryptor: RoomEventDecryptor;
  readonly http: MatrixHttp;
  readonly sync: SyncSource;
  readonly logs: LogLine[];
  readonly #db: SqliteConnection;
  readonly #abort = new AbortController();

  private constructor(parts: {
    machine: CryptoMachine;
    http: MatrixHttp;
    sync: SyncSource;
    logs: LogLine[];
    db: SqliteConnection;
  }) {
    this.machine = parts.machine;
    this.http = parts.http;
    this.sync = parts.sync;
    this.logs = parts.logs;
    this.#db = parts.db;
    const log = (level: EngineLogLevel, message: string) => void this.logs.push({ level, message });
    this.loop = new OutgoingRequestLoop({
      machine: this.machine.olm,
      http: this.http,
      barrier: () => this.machine.flush(),
      log,
    });
    this.feed = new CryptoSyncFeed({
      machine: this.machine.olm,
      userId: this.machine.userId,
      kick: () => this.loop.kick(),
      barrier: () => this.machine.flush(),
      log,
    });
    this.decryptor = new RoomEventDecryptor(this.machine.olm);
  }

  static async open(
    spec: CryptoAccountSpec,
    options: { fetch?: typeof fetch; maxWriteDelayMs?: number } = {},
  ): Promise<CryptoAccount> {
    const db = openAccountDatabase(spec.dbPath, spec.dbKey);
    const logs: LogLine[] = [];
    const machine = await CryptoMachine.open({
      userId: spec.userId,
      deviceId: spec.deviceId,
      journal: new SqliteIdbJournal(db),
      storeName: `tessera-crypto-${spec.deviceId}`,
      storeKey: Buffer.from(spec.storeKey, 'hex'),
      onFatal: () => logs.push({ level: 'error', message: 'crypto store journal failed' }),
      ...(options.maxWriteDelayMs !== undefined ? { maxWriteDelayMs: options.maxWriteDelayMs } : {}),
    });
    const http = new MatrixHttp({
      baseUrl: new URL(spec.baseUrl),
      accessToken: spec.accessToken,
      backoffBaseMs: 50,
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
    const sync = spec.api === 'v3' ? new V3Sync(http, 1_000) : new SlidingSync(http, 1_000);
    return new CryptoAccount({ machine, http, sync, logs, db });
  }

  /** One sync request, fed to the crypto layer, then the request loop run dry. */
  async syncOnce(): Promise<{ batch: SyncBatch; outcome: CryptoSyncOutcome }> {
    const batch = await this.sync.next(this.#abort.signal);
    const outcome = await this.feed.receive(batch, this.sync.api);
    await this.loop.whenIdle();
    return { batch, outcome };
  }

  /** Syncs until a batch satisfies `done`. */
  async syncUntil(
    done: (batch: SyncBatch, outcome: CryptoSyncOutcome) => boolean,
    attempts = 30,
  ): Promise<{ batch: SyncBatch; outcome: CryptoSyncOutcome }> {
    for (let i = 0; i < attempts; i++) {
      const result = await this.syncOnce();
      if (done(result.batch, result.outcome)) return result;
    }
    throw new Error(`no sync batch satisfied the condition after ${attempts} requests`);
  }

  /** Failures the loop or the feed logged. */
  failures(): LogLine[] {
    return this.logs.filter((line) => line.level === 'warn' || line.level === 'error');
  }

  async close(): Promise<void> {
    this.#abort.abort();
    await this.loop.stop();
    await this.machine.close();
    this.#db.close();
  }
}

/** A SQLCipher file with the crypto journal's tables (the account database has them in migration 001). */
export function openAccountDatabase(path: string, keyHex: string): SqliteConnection {
  const db = new Database(path) as SqliteConnection;
  db.pragma(`cipher='sqlcipher'`);
  db.pragma('legacy=4');
  db.pragma(`key="x'${keyHex}'"`);
  db.pragma('journal_mode=WAL');
  db.pragma('synchronous=NORMAL');
  db.exec(`CREATE TABLE IF NOT EXISTS crypto_idb_schema (db_name TEXT PRIMARY KEY, version INTEGER NOT NULL, schema TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS crypto_idb_records (db_name TEXT NOT NULL, store_name TEXT NOT NULL, key BLOB NOT NULL,
      value BLOB NOT NULL, PRIMARY KEY (db_name, store_name, key)) WITHOUT ROWID;`);
  return db;
}

/** Another user's view of our device on the server: its published identity keys and one claimed one-time key. */
export async function publishedKeys(
  baseUrl: string,
  asToken: string,
  userId: string,
  deviceId: string,
): Promise<{ ed25519?: string; curve25519?: string }> {
  const response = await fetch(`${baseUrl}/_matrix/client/v3/keys/query`, {
    method: 'POST',
    headers: { authorization: `Bearer ${asToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ device_keys: { [userId]: [deviceId] } }),
  });
  const body = (await response.json()) as {
    device_keys?: Record<string, Record<string, { keys?: Record<string, string> }>>;
  };
  const keys = body.device_keys?.[userId]?.[deviceId]?.keys ?? {};
  return {
    ...(keys[`ed25519:${deviceId}`] ? { ed25519: keys[`ed25519:${deviceId}`] } : {}),
    ...(keys[`curve25519:${deviceId}`] ? { curve25519: keys[`curve25519:${deviceId}`] } : {}),
  };
}

export async function claimOneTimeKey(
  baseUrl: string,
  asToken: string,
  userId: string,
  deviceId: string,
): Promise<Record<string, unknown>> {
  const response = await fetch(`${baseUrl}/_matrix/client/v3/keys/claim`, {
    method: 'POST',
    headers: { authorization: `Bearer ${asToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ one_time_keys: { [userId]: { [deviceId]: 'signed_curve25519' } } }),
  });
  const body = (await response.json()) as {
    one_time_keys?: Record<string, Record<string, Record<string, unknown>>>;
  };
  return body.one_time_keys?.[userId]?.[deviceId] ?? {};
}

/** The newest m.room.encrypted event in a room, as the server sends it. */
export async function latestEncryptedEvent(
  baseUrl: string,
  asToken: string,
  roomId: string,
): Promise<Record<string, unknown>> {
  const response = await fetch(
    `${baseUrl}/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/messages?dir=b&limit=20`,
    { headers: { authorization: `Bearer ${asToken}` } },
  );
  const body = (await response.json()) as { chunk?: Record<string, unknown>[] };
  const event = body.chunk?.find((item) => item.type === 'm.room.encrypted');
  if (!event) throw new Error('no encrypted event in the room');
  return event;
}
