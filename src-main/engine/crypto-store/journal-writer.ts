// Write-behind for the crypto store's journal, with barriers.
//
// Committed IndexedDB transactions queue here in commit order and reach SQLite together, as one
// SQLite transaction, either shortly after (a timer) or at a barrier: `flush()` must be called
// before anything that makes the crypto state visible outside this process — an HTTP request
// carrying keys, signatures or ciphertext, or saving the sync position that says "this sync
// response's keys are handled". A crash therefore loses at most a suffix of transactions that
// nobody outside has seen: the OlmMachine restarts from a consistent, earlier state, and the
// server re-delivers what the unsaved sync position had not acknowledged.
//
// Why not one SQLite commit per IndexedDB transaction: the OlmMachine commits after every
// encrypt, and a synchronous commit there cost more than the encryption itself (bench/crypto-store).
import type { IdbSchema } from './idb-schema.ts';
import type { JournalOp, SqliteIdbJournal } from './sqlite-idb-journal.ts';

export interface QueuedCommit {
  dbName: string;
  ops: JournalOp[];
  schema: IdbSchema | undefined;
}

export interface JournalWriterOptions {
  journal: SqliteIdbJournal;
  /** Longest time a committed transaction waits for the next barrier. */
  maxDelayMs?: number;
  onFatal: (error: unknown) => void;
}

export class JournalWriter {
  readonly #journal: SqliteIdbJournal;
  readonly #maxDelayMs: number;
  readonly #onFatal: (error: unknown) => void;
  #queue: QueuedCommit[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #failed: unknown;

  constructor(options: JournalWriterOptions) {
    this.#journal = options.journal;
    this.#maxDelayMs = options.maxDelayMs ?? 100;
    this.#onFatal = options.onFatal;
  }

  get journal(): SqliteIdbJournal {
    return this.#journal;
  }

  /** Queues one committed IndexedDB transaction. Schema changes are written at once. */
  enqueue(dbName: string, ops: JournalOp[], schema: IdbSchema | undefined): void {
    this.#queue.push({ dbName, ops, schema });
    if (schema) {
      this.flush();
      return;
    }
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      this.#flushOrReport();
    }, this.#maxDelayMs);
  }

  get pending(): number {
    return this.#queue.length;
  }

  /** The barrier: everything committed so far is in SQLite when this returns. Throws if a write failed. */
  flush(): void {
    if (this.#failed !== undefined) throw this.#failed;
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    if (this.#queue.length === 0) return;
    const batch = coalesce(this.#queue);
    this.#queue = [];
    try {
      this.#journal.commitAll(batch);
    } catch (error) {
      // The journal is now behind memory with no way to catch up: stop the store for good.
      this.#failed = error;
      this.#onFatal(error);
      throw error;
    }
  }

  #flushOrReport(): void {
    try {
      this.flush();
    } catch {
      // Reported through onFatal.
    }
  }
}

/**
 * Keeps only the last write of each record across the queued transactions: the OlmMachine
 * rewrites the same outbound session after every encrypt, and the batch is written as one
 * SQLite transaction anyway, so the intermediate versions would be overwritten inside it.
 * A clear drops the earlier writes of its store. Batches with a schema change are left as
 * they are (they are rare and written at once).
 */
export function coalesce(batch: QueuedCommit[]): QueuedCommit[] {
  if (batch.length < 2 || batch.some((commit) => commit.schema !== undefined)) return batch;
  const byDatabase = new Map<string, Map<string, JournalOp>>();
  for (const commit of batch) {
    let ops = byDatabase.get(commit.dbName);
    if (!ops) {
      ops = new Map();
      byDatabase.set(commit.dbName, ops);
    }
    for (const op of commit.ops) {
      if (op.kind === 'clear') {
        for (const [id, earlier] of ops) if (earlier.store === op.store) ops.delete(id);
        ops.set(`clear\u0000${op.store}`, op);
        continue;
      }
      const id = `${op.store}\u0000${op.key.toString('base64')}`;
      // Delete first so the surviving write moves to the end, after any clear of its store.
      ops.delete(id);
      ops.set(id, op);
    }
  }
  return [...byDatabase].map(([dbName, ops]) => ({ dbName, ops: [...ops.values()], schema: undefined }));
}
