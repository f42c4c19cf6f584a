// Hands each sync response's e2ee part to the OlmMachine (DESIGN.md §3): to-device events,
// device list changes and key counts, then wakes the outgoing request loop and flushes the
// crypto store. The caller saves the sync position only after receive() resolves, so a crash
// before that makes the server deliver the same response again.
import {
  DeviceLists,
  ProcessedToDeviceEventType,
  UserId,
  type OlmMachine,
} from '@matrix-org/matrix-sdk-crypto-wasm';
import type { EngineLogLevel } from '../protocol.ts';
import type { E2eeUpdate, SyncBatch } from '../sync/sync-batch.ts';
import type { SyncSource } from '../sync/sync-source.ts';
import { EncryptedRoomMembers } from './encrypted-room-members.ts';
import { describeFailure } from './failure-text.ts';

export type CryptoSyncMachine = Pick<
  OlmMachine,
  'receiveSyncChanges' | 'receiveSyncChangesMsc4186' | 'updateTrackedUsers'
>;

export interface CryptoSyncFeedOptions {
  machine: CryptoSyncMachine;
  /** Our own user: tracked from the start, so our other devices are known. */
  userId: string;
  /** Wakes the outgoing request loop (keys to upload, users to query, sessions to claim). */
  kick(): void;
  /** The crypto store's barrier. */
  barrier(): void;
  log(level: EngineLogLevel, message: string): void;
}

/** What one batch did, for logs and tests (counts only). */
export interface CryptoSyncOutcome {
  toDeviceEvents: number;
  /** Processed to-device events by kind: decrypted, plain, invalid, undecryptable. */
  processed: Record<'decrypted' | 'plain' | 'invalid' | 'undecryptable', number>;
  newlyTrackedUsers: number;
}

const PROCESSED_KINDS: Record<ProcessedToDeviceEventType, keyof CryptoSyncOutcome['processed']> = {
  [ProcessedToDeviceEventType.Decrypted]: 'decrypted',
  [ProcessedToDeviceEventType.UnableToDecrypt]: 'undecryptable',
  [ProcessedToDeviceEventType.PlainText]: 'plain',
  [ProcessedToDeviceEventType.Invalid]: 'invalid',
};

export class CryptoSyncFeed {
  readonly #machine: CryptoSyncMachine;
  readonly #userId: string;
  readonly #kick: () => void;
  readonly #barrier: () => void;
  readonly #log: (level: EngineLogLevel, message: string) => void;
  readonly members = new EncryptedRoomMembers();
  /** One batch at a time: the machine must see to-device events in the server's order. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: CryptoSyncFeedOptions) {
    this.#machine = options.machine;
    this.#userId = options.userId;
    this.#kick = options.kick;
    this.#barrier = options.barrier;
    this.#log = options.log;
  }

  receive(batch: SyncBatch, api: SyncSource['api']): Promise<CryptoSyncOutcome> {
    const next = this.#queue.then(() => this.#receive(batch, api));
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async #receive(batch: SyncBatch, api: SyncSource['api']): Promise<CryptoSyncOutcome> {
    const outcome: CryptoSyncOutcome = {
      toDeviceEvents: batch.e2ee?.toDevice.length ?? 0,
      processed: { decrypted: 0, plain: 0, invalid: 0, undecryptable: 0 },
      newlyTrackedUsers: 0,
    };
    if (batch.e2ee) {
      const processed = await this.#feed(batch.e2ee, api);
      for (const event of processed) {
        const kind = PROCESSED_KINDS[event.type];
        outcome.processed[kind]++;
        // The wasm objects hold memory outside the JS heap until freed.
        event.free();
      }
    }
    const users = [...this.members.untracked([this.#userId]), ...this.members.newMembers(batch)];
    const valid = users.flatMap((userId) => parseUserId(userId) ?? []);
    if (valid.length > 0) await this.#machine.updateTrackedUsers(valid);
    outcome.newlyTrackedUsers = valid.length;
    if (outcome.processed.undecryptable > 0 || outcome.processed.invalid > 0) {
      this.#log(
        'warn',
        `crypto sync: ${outcome.processed.undecryptable} undecryptable and ${outcome.processed.invalid} invalid to-device event(s)`,
      );
    }
    this.#kick();
    // What this batch changed is on disk before the caller saves the sync position.
    this.#barrier();
    return outcome;
  }

  async #feed(e2ee: E2eeUpdate, api: SyncSource['api']) {
    const lists = new DeviceLists(
      e2ee.changedDevices.flatMap((userId) => parseUserId(userId) ?? []),
      e2ee.leftDevices.flatMap((userId) => parseUserId(userId) ?? []),
    );
    const counts = new Map(Object.entries(e2ee.oneTimeKeyCounts));
    const fallback = e2ee.unusedFallbackKeys ? new Set(e2ee.unusedFallbackKeys) : undefined;
    const toDevice = JSON.stringify(e2ee.toDevice);
    try {
      // Sliding sync leaves out unchanged counts; /v3/sync leaves out zero counts.
      return api === 'sliding'
        ? await this.#machine.receiveSyncChangesMsc4186(toDevice, lists, counts, fallback)
        : await this.#machine.receiveSyncChanges(toDevice, lists, counts, fallback);
    } catch (error) {
      this.#log('error', `crypto sync: the crypto layer refused a sync response (${describeFailure(error)})`);
      throw error;
    }
  }
}

function parseUserId(userId: string): UserId | undefined {
  try {
    return new UserId(userId);
  } catch {
    return undefined;
  }
}
