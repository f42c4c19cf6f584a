// One account's OlmMachine on its persistent crypto store (DESIGN.md §3): the in-memory
// IndexedDB journaled into the account's SQLCipher database, opened with a random 32-byte key
// (StoreHandle.openWithKey: no passphrase stretching on every start).
import { DeviceId, OlmMachine, StoreHandle, UserId } from '@matrix-org/matrix-sdk-crypto-wasm';
import { openJournaledIndexedDB, type JournaledIndexedDB } from '../crypto-store/journaled-indexeddb.ts';
import type { SqliteIdbJournal } from '../crypto-store/sqlite-idb-journal.ts';
import { EngineError } from '../errors.ts';
import { loadCryptoWasm } from './crypto-wasm.ts';

export interface CryptoMachineOptions {
  userId: string;
  deviceId: string;
  /** The journal in the account's database. */
  journal: SqliteIdbJournal;
  /**
   * The store's name, unique per account within the worker (the in-memory IndexedDB is global).
   * crypto-wasm names its databases `<storeName>::…`, and exactly those are journaled.
   */
  storeName: string;
  /** The 32-byte crypto-store key (keychain or passphrase). Zeroed once the store has it. */
  storeKey: Buffer;
  /** A committed change could not be written to disk: the store has stopped and the account must close. */
  onFatal(error: unknown): void;
  /** Longest wait of a committed change for the next barrier (the store's default when absent). */
  maxWriteDelayMs?: number;
}

/** The public halves of this device's identity keys, unpadded base64. */
export interface IdentityKeys {
  ed25519: string;
  curve25519: string;
}

export class CryptoMachine {
  readonly olm: OlmMachine;
  readonly userId: string;
  readonly deviceId: string;
  readonly identityKeys: IdentityKeys;
  readonly #store: JournaledIndexedDB;
  #closed = false;

  private constructor(olm: OlmMachine, store: JournaledIndexedDB) {
    this.olm = olm;
    this.#store = store;
    this.userId = olm.userId.toString();
    this.deviceId = olm.deviceId.toString();
    const keys = olm.identityKeys;
    this.identityKeys = { ed25519: keys.ed25519.toBase64(), curve25519: keys.curve25519.toBase64() };
    keys.free();
  }

  static async open(options: CryptoMachineOptions): Promise<CryptoMachine> {
    const key = options.storeKey;
    try {
      if (key.length !== 32) throw new EngineError('internal', 'The crypto store key has the wrong length');
      await loadCryptoWasm();
      const store = await openJournaledIndexedDB({
        journal: options.journal,
        // With the separator, a store named `a` never claims the databases of a store named `ab`.
        namePrefix: `${options.storeName}::`,
        onFatal: options.onFatal,
        ...(options.maxWriteDelayMs !== undefined ? { maxWriteDelayMs: options.maxWriteDelayMs } : {}),
      });
      try {
        const keyCopy = new Uint8Array(key);
        const handle = await StoreHandle.openWithKey(options.storeName, keyCopy).finally(() =>
          keyCopy.fill(0),
        );
        try {
          const olm = await OlmMachine.initFromStore(
            new UserId(options.userId),
            new DeviceId(options.deviceId),
            handle,
          );
          // A new account's identity keys must reach the disk before anything can publish them.
          store.flush();
          return new CryptoMachine(olm, store);
        } finally {
          handle.free();
        }
      } catch (error) {
        // Not awaited: a connection the failed open left behind blocks the in-memory database's
        // deletion until it is collected. Unregistering happens at once, which is what matters.
        void store.close().catch(() => undefined);
        throw classifyOpenFailure(error);
      }
    } finally {
      key.fill(0);
    }
  }

  /** The barrier: every committed change to the crypto store is on disk when this returns. */
  flush(): void {
    this.#store.flush();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.olm.close();
    await this.#store.close();
  }
}

function classifyOpenFailure(error: unknown): unknown {
  if (error instanceof EngineError) return error;
  // crypto-wasm reports both cases as plain Errors; their messages are the only signal.
  const text = error instanceof Error ? error.message : String(error);
  if (/doesn't match the account/i.test(text)) {
    // The store keeps the account it was created for; another user or device id is refused.
    return new EngineError(
      'crypto_store_account_mismatch',
      'The encryption keys on disk belong to another session',
      { cause: error },
    );
  }
  if (/failed to be decrypted/i.test(text)) {
    return new EngineError('store_key_mismatch', 'The stored key does not open the encryption keys on disk', {
      cause: error,
    });
  }
  return new EngineError('crypto_store_failed', 'The encryption keys on disk could not be opened', {
    cause: error,
  });
}
