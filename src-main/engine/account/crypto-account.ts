// What an open account needs from its crypto layer. The OlmMachine-backed implementation is
// built from src-main/engine/crypto; tests of the storage path may use a stand-in.
import type { SyncApi } from '../store/sync-position-store.ts';
import type { SyncBatch } from '../sync/sync-batch.ts';

export interface CryptoAccount {
  /** Public identity keys of this device (base64). */
  readonly identityKeys: { ed25519: string; curve25519: string };
  /** Starts the outgoing request loop (key upload, queries, claims, to-device). */
  start(): void;
  /**
   * Takes a sync response's to-device events, device list changes and key counts, then writes
   * the crypto store to disk. The sync position may be saved only after this resolves.
   */
  receive(batch: SyncBatch, api: SyncApi): Promise<void>;
  /** Stops the loop, writes the crypto store, and closes it. */
  close(): Promise<void>;
}
