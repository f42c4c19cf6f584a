// Fills recent gaps in the background: after a restart or a busy period the room list's one
// event per room leaves most new messages behind a gap. Rooms are taken most recent first, a
// few at a time, one page each per request to fill, so the room list and sync never wait; a room
// the person opens goes to the front.
import { describeFailure } from '../crypto/failure-text.ts';
import type { EngineLogLevel } from '../protocol.ts';
import type { PaginationResult } from './pagination.ts';

export interface PaginationBackfillOptions {
  paginate(roomId: string, limit: number): Promise<PaginationResult>;
  hasGap(roomId: string): boolean;
  log(level: EngineLogLevel, message: string): void;
  /** Events per page; default 50. */
  pageSize?: number;
  /** Rooms paginated at once; default 3. */
  concurrency?: number;
}

export class PaginationBackfill {
  readonly #options: PaginationBackfillOptions;
  readonly #pageSize: number;
  readonly #concurrency: number;
  /** Rooms waiting, in the order they will be paginated. */
  readonly #queue: string[] = [];
  readonly #active = new Map<string, Promise<void>>();
  #stopped = false;

  constructor(options: PaginationBackfillOptions) {
    this.#options = options;
    this.#pageSize = options.pageSize ?? 50;
    this.#concurrency = Math.max(1, options.concurrency ?? 3);
  }

  /** Queues one page for each room (most recent first) that has a gap. */
  schedule(roomIds: readonly string[]): void {
    for (const roomId of roomIds)
      if (!this.#queue.includes(roomId) && !this.#active.has(roomId)) this.#queue.push(roomId);
    this.#pump();
  }

  /** The person opened the room: its page goes before every other room's. */
  prioritize(roomId: string): void {
    const index = this.#queue.indexOf(roomId);
    if (index >= 0) this.#queue.splice(index, 1);
    if (!this.#active.has(roomId)) this.#queue.unshift(roomId);
    this.#pump();
  }

  /** Resolves when nothing is queued or running (tests). */
  async whenIdle(): Promise<void> {
    while (this.#active.size > 0) await Promise.allSettled([...this.#active.values()]);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#queue.length = 0;
    await Promise.allSettled([...this.#active.values()]);
  }

  #pump(): void {
    while (!this.#stopped && this.#active.size < this.#concurrency) {
      const roomId = this.#queue.shift();
      if (roomId === undefined) return;
      const run = this.#fill(roomId).finally(() => {
        this.#active.delete(roomId);
        this.#pump();
      });
      this.#active.set(roomId, run);
    }
  }

  async #fill(roomId: string): Promise<void> {
    // Let the caller (a sync response's handler) finish before the first request.
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (this.#stopped || !this.#options.hasGap(roomId)) return;
    try {
      await this.#options.paginate(roomId, this.#pageSize);
    } catch (error) {
      // The person scrolling back, or the next busy period, tries again.
      if (!this.#stopped)
        this.#options.log('warn', `pagination: a background page failed (${describeFailure(error)})`);
    }
  }
}
