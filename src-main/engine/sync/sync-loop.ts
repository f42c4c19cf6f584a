// Runs a SyncSource until stopped: applies each batch, reports whether we are live or
// offline, backs off while the server cannot be reached, and stops on a revoked token.
import type { SyncState } from '../../../src-preload/contract.ts';
import { EngineError } from '../errors.ts';
import { MatrixApiError } from '../http/matrix-api-error.ts';
import type { EngineLogLevel } from '../protocol.ts';
import type { SyncBatch } from './sync-batch.ts';
import type { SyncSource } from './sync-source.ts';

export interface SyncLoopHandlers {
  /** Awaited before the next request: the batch is handled (and stored) first. */
  onBatch(batch: SyncBatch): void | Promise<void>;
  onState(state: SyncState): void;
  /** The server no longer accepts our access token. The loop has stopped. */
  onUnauthorized(error: MatrixApiError): void;
  log(level: EngineLogLevel, message: string): void;
}

const MAX_BACKOFF_MS = 30_000;

export class SyncLoop {
  readonly #source: SyncSource;
  readonly #handlers: SyncLoopHandlers;
  readonly #abort = new AbortController();
  #running: Promise<void> | undefined;
  #state: SyncState = 'starting';

  constructor(source: SyncSource, handlers: SyncLoopHandlers) {
    this.#source = source;
    this.#handlers = handlers;
  }

  get state(): SyncState {
    return this.#state;
  }

  start(): void {
    this.#running ??= this.#run();
  }

  async stop(): Promise<void> {
    this.#abort.abort(new DOMException('sync stopped', 'AbortError'));
    await this.#running;
  }

  #setState(state: SyncState): void {
    if (state === this.#state) return;
    this.#state = state;
    this.#handlers.onState(state);
  }

  async #run(): Promise<void> {
    const signal = this.#abort.signal;
    let failures = 0;
    while (!signal.aborted) {
      try {
        const batch = await this.#source.next(signal);
        failures = 0;
        if (batch.skippedEvents > 0) {
          this.#handlers.log('warn', `sync: skipped ${batch.skippedEvents} malformed item(s)`);
        }
        await this.#handlers.onBatch(batch);
        this.#setState('live');
      } catch (error) {
        if (signal.aborted) return;
        if (error instanceof MatrixApiError && error.status === 401) {
          this.#handlers.log('warn', `sync: access token refused (${error.errcode})`);
          this.#handlers.onUnauthorized(error);
          return;
        }
        if (error instanceof MatrixApiError && error.errcode === 'M_UNKNOWN_POS') {
          this.#handlers.log('info', `sync: ${this.#source.api} position expired, starting afresh`);
          this.#source.reset();
          continue;
        }
        failures++;
        const reason =
          error instanceof EngineError || error instanceof MatrixApiError
            ? error.message
            : 'unexpected error';
        this.#handlers.log('warn', `sync: request failed (${reason}); retry ${failures}`);
        this.#setState('offline');
        const wait = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.min(failures - 1, 5));
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, wait);
          signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
        });
      }
    }
  }
}
