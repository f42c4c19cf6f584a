// The person's outgoing messages: each is stored with its transaction id before the first
// attempt, then sent in order per room by one worker per room. A failure worth retrying waits
// with backoff and tries again with the SAME transaction id (the server drops a duplicate, so a
// message is sent exactly once); a permanent one marks the message failed with a reason.
// Pending messages survive a restart: resume() picks them up. The person may retry a message
// (a failed one goes back in line, a waiting one goes now) or cancel one not yet sent.
import { randomBytes } from 'node:crypto';
import type { MessageStatus } from '../../../src-preload/contract.ts';
import { EngineError } from '../errors.ts';
import type { EngineLogLevel } from '../protocol.ts';
import type { JsonObject } from '../store/json-column.ts';
import type { OutgoingMessage, OutgoingQueue } from '../store/outgoing-queue.ts';
import { classifySendFailure } from './send-failure.ts';
import type { TransmittedMessage } from './message-transmitter.ts';

export interface SendQueueOptions {
  store: Pick<
    OutgoingQueue,
    'enqueue' | 'pending' | 'recordAttempt' | 'markSent' | 'markFailed' | 'get' | 'retry' | 'remove'
  >;
  transmit(message: TransmittedMessage, signal: AbortSignal): Promise<string>;
  emit(status: MessageStatus): void;
  log(level: EngineLogLevel, message: string): void;
  /** A message was cancelled before it was sent (its local echo goes away). */
  onCancelled?(message: { roomId: string; transactionId: string }): void;
  /** Backoff before retry n (0-based); default 1 s doubling up to 5 min, with jitter. */
  backoffMs?(attempt: number): number;
  newTransactionId?(): string;
}

function defaultBackoff(attempt: number): number {
  const jitter = 0.75 + Math.random() / 2;
  return Math.min(300_000, 1000 * 2 ** Math.min(attempt, 16) * jitter);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

export class SendQueue {
  readonly #options: SendQueueOptions;
  readonly #backoff: (attempt: number) => number;
  readonly #newTxnId: () => string;
  readonly #abort = new AbortController();
  readonly #workers = new Map<string, Promise<void>>();
  /** Rooms that got a new message while their worker was finishing. */
  readonly #again = new Set<string>();
  /** A retry waiting for its backoff, per room, so retryNow() can cut the wait short. */
  readonly #waits = new Map<string, AbortController>();
  /** The attempt under way, per transaction id: a cancel waits for its outcome. */
  readonly #inFlight = new Map<string, Promise<unknown>>();
  /** Messages being cancelled: no new attempt starts for them. */
  readonly #cancelling = new Set<string>();

  constructor(options: SendQueueOptions) {
    this.#options = options;
    this.#backoff = options.backoffMs ?? defaultBackoff;
    this.#newTxnId =
      options.newTransactionId ?? (() => `tessera-${Date.now()}-${randomBytes(8).toString('hex')}`);
  }

  /** Stores the message (pending) and starts its room's worker; returns the transaction id. */
  send(roomId: string, eventType: string, content: JsonObject): string {
    if (this.#abort.signal.aborted) throw new Error('the send queue has stopped');
    const txnId = this.#newTxnId();
    this.#options.store.enqueue({ txnId, roomId, eventType, content });
    this.#options.emit({ roomId, transactionId: txnId, state: 'pending' });
    this.#schedule(roomId);
    return txnId;
  }

  /** Starts a worker for every room with pending messages (after a restart). */
  resume(): void {
    const pending = this.#options.store.pending();
    // The UI of this run has not heard of them yet.
    for (const message of pending) {
      this.#options.emit({ roomId: message.roomId, transactionId: message.txnId, state: 'pending' });
    }
    for (const roomId of new Set(pending.map((message) => message.roomId))) this.#schedule(roomId);
  }

  /** Ends every wait for a backoff now (the network came back). */
  retryNow(): void {
    for (const wait of this.#waits.values()) wait.abort();
  }

  /**
   * The person asks to send a message again: a failed one goes back in line (same transaction id,
   * so the server still drops a duplicate) and its room's wait ends; a waiting one goes now; a
   * sent one is left as it is.
   */
  retry(txnId: string): void {
    const { store, emit } = this.#options;
    const message = store.get(txnId);
    if (!message || this.#cancelling.has(txnId)) throw messageNotFound();
    if (message.state === 'sent') return;
    if (message.state === 'failed') {
      store.retry(txnId);
      emit({ roomId: message.roomId, transactionId: txnId, state: 'pending' });
    }
    this.#waits.get(message.roomId)?.abort();
    this.#schedule(message.roomId);
  }

  /**
   * Removes a message that was not sent (pending or failed) so it never is. A message on its way
   * to the server is waited for: if the server took it, it is sent and cannot be cancelled.
   */
  async cancel(txnId: string): Promise<void> {
    const { store } = this.#options;
    const message = store.get(txnId);
    if (!message || this.#cancelling.has(txnId)) throw messageNotFound();
    if (message.state === 'sent') throw alreadySent();
    this.#cancelling.add(txnId);
    try {
      const inFlight = this.#inFlight.get(txnId);
      if (inFlight) {
        await inFlight.catch(() => undefined);
        const after = store.get(txnId);
        if (!after) throw messageNotFound();
        if (after.state === 'sent') throw alreadySent();
      }
      store.remove(txnId);
    } finally {
      this.#cancelling.delete(txnId);
    }
    // It may have been the message its room was waiting to retry: the next one goes now.
    this.#waits.get(message.roomId)?.abort();
    this.#schedule(message.roomId);
    this.#options.onCancelled?.({ roomId: message.roomId, transactionId: txnId });
  }

  /** Stops the workers (the attempt in flight is aborted); pending messages stay stored. */
  async stop(): Promise<void> {
    this.#abort.abort();
    await Promise.allSettled([...this.#workers.values()]);
  }

  /** Resolves when no worker is running (tests). */
  async whenIdle(): Promise<void> {
    while (this.#workers.size > 0) await Promise.allSettled([...this.#workers.values()]);
  }

  #schedule(roomId: string): void {
    if (this.#abort.signal.aborted) return;
    if (this.#workers.has(roomId)) {
      this.#again.add(roomId);
      return;
    }
    const worker = this.#work(roomId)
      .catch(() => {
        // The store closed under the worker (the account stopped); the messages stay pending.
        this.#options.log('warn', 'send: the queue stopped working on a room');
      })
      .finally(() => {
        this.#workers.delete(roomId);
        if (this.#again.delete(roomId)) this.#schedule(roomId);
      });
    this.#workers.set(roomId, worker);
  }

  async #work(roomId: string): Promise<void> {
    const signal = this.#abort.signal;
    let failures = 0;
    while (!signal.aborted) {
      const next = this.#options.store
        .pending()
        .find((message) => message.roomId === roomId && !this.#cancelling.has(message.txnId));
      if (!next) return;
      const attempt = this.#attempt(next, signal);
      this.#inFlight.set(next.txnId, attempt);
      const outcome = await attempt.finally(() => this.#inFlight.delete(next.txnId));
      if (outcome === 'retry') {
        const wait = new AbortController();
        this.#waits.set(roomId, wait);
        await sleep(this.#backoff(failures++), AbortSignal.any([signal, wait.signal]));
        this.#waits.delete(roomId);
      } else {
        failures = 0;
      }
    }
  }

  async #attempt(message: OutgoingMessage, signal: AbortSignal): Promise<'done' | 'retry'> {
    const { store, emit, log } = this.#options;
    const status = { roomId: message.roomId, transactionId: message.txnId };
    let eventId: string;
    try {
      eventId = await this.#options.transmit(
        {
          txnId: message.txnId,
          roomId: message.roomId,
          eventType: message.eventType,
          content: message.content,
        },
        signal,
      );
    } catch (error) {
      if (signal.aborted) return 'retry';
      const failure = classifySendFailure(error);
      if (failure.kind === 'retry') {
        store.recordAttempt(message.txnId, failure.code);
        log('warn', `send: attempt ${message.attempts + 1} failed (${failure.code}); will retry`);
        return 'retry';
      }
      store.markFailed(message.txnId, failure.error.code);
      log('warn', `send: a message failed for good (${failure.error.code})`);
      emit({ ...status, state: 'failed', error: failure.error.toView() });
      return 'done';
    }
    store.markSent(message.txnId, eventId);
    emit({ ...status, state: 'sent', eventId });
    return 'done';
  }
}

function messageNotFound(): EngineError {
  return new EngineError('message_not_found', 'This message is not waiting to be sent');
}

function alreadySent(): EngineError {
  return new EngineError('message_not_found', 'This message was already sent and cannot be cancelled');
}
