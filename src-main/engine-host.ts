// Starts the engine in a worker thread and speaks its typed protocol (engine/protocol.ts).
// No electron import: the e2e harness and the CLI tests use this same host.
import { Worker } from 'node:worker_threads';
import type {
  CommandName,
  CommandResults,
  EventName,
  EventPayloads,
  InvokeOutcome,
} from '../src-preload/contract.ts';
import type { CommandDispatcher } from './ipc-router.ts';
import type {
  EngineLogLevel,
  EngineOptions,
  MainToWorker,
  ValidArgs,
  WorkerToMain,
} from './engine/protocol.ts';
import type { MediaRequest, MediaResult } from './engine/media/media-request.ts';

export interface EngineHostOptions {
  /** The worker entry: dist/main/engine-worker.mjs when bundled, src-main/engine/worker.ts under Node 24. */
  workerUrl: URL | string;
  engineOptions: EngineOptions;
  /**
   * The worker's `process.env` (the parent's when omitted). Native libraries read the process
   * environment instead, so to change what the OS keychain sees, start another process.
   */
  env?: Record<string, string>;
  onEvent?: <E extends EventName>(name: E, payload: EventPayloads[E]) => void;
  onLog?: (level: EngineLogLevel, message: string) => void;
}

type Pending = (outcome: InvokeOutcome<unknown>) => void;

export class EngineHost implements CommandDispatcher {
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  readonly #pendingMedia = new Map<number, (result: MediaResult) => void>();
  readonly #options: EngineHostOptions;
  #nextId = 1;
  #exited = false;
  #closed: Promise<void>;

  private constructor(worker: Worker, options: EngineHostOptions) {
    this.#worker = worker;
    this.#options = options;
    this.#closed = new Promise((resolve) => worker.once('exit', () => resolve()));
    worker.on('message', (message: WorkerToMain) => this.#onMessage(message));
    worker.on('error', (error) => {
      options.onLog?.('error', `engine worker failed: ${error.name}`);
    });
    worker.on('exit', () => {
      this.#exited = true;
      for (const settle of this.#pending.values()) {
        settle({ ok: false, error: { code: 'internal', message: 'The engine stopped unexpectedly' } });
      }
      this.#pending.clear();
      for (const settle of this.#pendingMedia.values()) settle({ ok: false, reason: 'unavailable' });
      this.#pendingMedia.clear();
    });
  }

  static async start(options: EngineHostOptions): Promise<EngineHost> {
    const worker = new Worker(options.workerUrl, {
      workerData: options.engineOptions,
      ...(options.env ? { env: options.env } : {}),
    });
    const host = new EngineHost(worker, options);
    await new Promise<void>((resolve, reject) => {
      const onMessage = (message: WorkerToMain) => {
        if (message.kind === 'ready') {
          worker.off('message', onMessage);
          worker.off('exit', onExit);
          resolve();
        }
      };
      const onExit = (code: number) =>
        reject(new Error(`The engine worker exited during start (code ${code})`));
      worker.on('message', onMessage);
      worker.once('exit', onExit);
    });
    return host;
  }

  dispatch<C extends CommandName>(command: C, args: ValidArgs<C>): Promise<InvokeOutcome<CommandResults[C]>> {
    if (this.#exited) {
      return Promise.resolve({
        ok: false,
        error: { code: 'internal', message: 'The engine is not running' },
      });
    }
    const id = this.#nextId++;
    return new Promise((resolve) => {
      this.#pending.set(id, resolve as Pending);
      this.#post({ kind: 'request', id, command, args });
    });
  }

  /** Asks the engine for the bytes behind a tessera-media:// URL (engine/media). */
  fetchMedia(request: MediaRequest): Promise<MediaResult> {
    if (this.#exited) return Promise.resolve({ ok: false, reason: 'unavailable' });
    const id = this.#nextId++;
    return new Promise((resolve) => {
      this.#pendingMedia.set(id, resolve);
      this.#post({ kind: 'media', id, request });
    });
  }

  /** Asks the engine to stop its sync loop and exit; terminates it if it does not within the grace period. */
  async stop(graceMs = 5000): Promise<void> {
    if (this.#exited) return;
    this.#post({ kind: 'shutdown' });
    const timer = setTimeout(() => void this.#worker.terminate(), graceMs);
    await this.#closed;
    clearTimeout(timer);
  }

  #post(message: MainToWorker): void {
    this.#worker.postMessage(message);
  }

  #onMessage(message: WorkerToMain): void {
    switch (message.kind) {
      case 'response': {
        const settle = this.#pending.get(message.id);
        this.#pending.delete(message.id);
        settle?.(message.outcome);
        break;
      }
      case 'media': {
        const settle = this.#pendingMedia.get(message.id);
        this.#pendingMedia.delete(message.id);
        settle?.(message.result);
        break;
      }
      case 'event':
        this.#options.onEvent?.(message.name, message.payload as never);
        break;
      case 'log':
        this.#options.onLog?.(message.level, message.message);
        break;
      case 'ready':
      case 'closed':
        break;
    }
  }
}
