// The CryptoAccount of an open account, backed by its OlmMachine on the persistent store.
import { CryptoMachine } from '../crypto/crypto-machine.ts';
import { CryptoSyncFeed } from '../crypto/crypto-sync-feed.ts';
import { OutgoingRequestLoop } from '../crypto/outgoing-request-loop.ts';
import { SqliteIdbJournal } from '../crypto-store/sqlite-idb-journal.ts';
import type { MatrixHttp } from '../http/matrix-http.ts';
import type { EngineLogLevel } from '../protocol.ts';
import type { AccountDatabase } from '../store/account-database.ts';
import type { SyncApi } from '../store/sync-position-store.ts';
import type { SyncBatch } from '../sync/sync-batch.ts';
import type { CryptoAccount } from './crypto-account.ts';

export interface OlmCryptoAccountOptions {
  db: AccountDatabase;
  http: MatrixHttp;
  userId: string;
  deviceId: string;
  /** Zeroed once the store has it. */
  storeKey: Buffer;
  onFatal(error: unknown): void;
  log(level: EngineLogLevel, message: string): void;
}

/** The crypto store's name: one per device, so a new sign-in never meets an old store. */
export function cryptoStoreName(userId: string, deviceId: string): string {
  return `tessera:${userId}:${deviceId}`;
}

export class OlmCryptoAccount implements CryptoAccount {
  readonly #machine: CryptoMachine;
  readonly #requests: OutgoingRequestLoop;
  readonly #feed: CryptoSyncFeed;

  private constructor(machine: CryptoMachine, options: OlmCryptoAccountOptions) {
    this.#machine = machine;
    const barrier = () => machine.flush();
    this.#requests = new OutgoingRequestLoop({
      machine: machine.olm,
      http: options.http,
      barrier,
      log: options.log,
    });
    this.#feed = new CryptoSyncFeed({
      machine: machine.olm,
      userId: options.userId,
      kick: () => this.#requests.kick(),
      barrier,
      log: options.log,
    });
    // Members of the rooms already known to be encrypted are tracked from the start.
    this.#feed.members.markEncrypted(
      options.db.rooms
        .list()
        .filter((room) => room.isEncrypted)
        .map((room) => room.roomId),
    );
  }

  /** The OlmMachine, for decryption (issue 4 builds the timeline on it). */
  get machine(): CryptoMachine {
    return this.#machine;
  }

  /** For tests: resolves when no outgoing request is being sent. */
  whenIdle(): Promise<void> {
    return this.#requests.whenIdle();
  }

  /** Sends what the machine has queued (key queries after updateTrackedUsers) and waits until done. */
  async sendOutgoingRequests(): Promise<void> {
    this.#requests.kick();
    await this.#requests.whenIdle();
  }

  static async open(options: OlmCryptoAccountOptions): Promise<OlmCryptoAccount> {
    const machine = await CryptoMachine.open({
      userId: options.userId,
      deviceId: options.deviceId,
      journal: new SqliteIdbJournal(options.db.connection),
      storeName: cryptoStoreName(options.userId, options.deviceId),
      storeKey: options.storeKey,
      onFatal: options.onFatal,
    });
    return new OlmCryptoAccount(machine, options);
  }

  get identityKeys(): { ed25519: string; curve25519: string } {
    return this.#machine.identityKeys;
  }

  start(): void {
    // Uploads the device keys of a new device, and anything a previous run left unsent.
    this.#requests.kick();
  }

  async receive(batch: SyncBatch, api: SyncApi): Promise<void> {
    await this.#feed.receive(batch, api);
  }

  async close(): Promise<void> {
    await this.#requests.stop();
    await this.#machine.close();
  }
}
