// Back-pagination: fetches the history a room's timeline is missing with
// GET /rooms/{roomId}/messages?dir=b and writes it into the store's gap (TimelineStore.fillGap).
// The newest gap is filled first (what the person sees when scrolling back). A page that meets
// events already stored closes the gap; otherwise the gap moves below the page with the
// server's new token, and no `end` token means the room's start was reached. When a room has no
// gap, its stored history is complete: appendBatch opens a gap with the prev_batch of the first
// batch a room ever gets, and only reaching the start (or meeting stored events) removes one.
// Calls for one room run one after another, so two pages never race for the same gap.
import { EngineError } from '../errors.ts';
import { MatrixApiError } from '../http/matrix-api-error.ts';
import type { MatrixHttp } from '../http/matrix-http.ts';
import type { EngineLogLevel } from '../protocol.ts';
import type { AccountDatabase } from '../store/account-database.ts';
import type { TimelineGap } from '../store/timeline-store.ts';
import { z } from 'zod';
import { messagesResponseSchema, readMessagesPage } from './pagination-response.ts';

export interface PaginationResult {
  /** Events written into the timeline. */
  added: number;
  /** Nothing older exists: the room's first event is stored. */
  reachedStart: boolean;
  /** Events the server sent that were malformed or oversized, never stored. */
  skipped: number;
}

/** The server no longer accepts the gap's token (and a fresh one could not be had). */
export class PaginationTokenExpired extends EngineError {
  constructor(cause: unknown) {
    super('server_error', 'The server no longer has this part of the room history', { cause });
    this.name = 'PaginationTokenExpired';
  }
}

export interface RoomPaginationOptions {
  db: AccountDatabase;
  http: MatrixHttp;
  /** Events were stored: encrypted ones wait for decryption. */
  /** Older events of the room were stored (their ids). */
  onStored(roomId: string, eventIds: readonly string[]): void;
  log(level: EngineLogLevel, message: string): void;
}

export const MAX_PAGE = 1000;

const contextSchema = z.looseObject({ start: z.string().min(1) });

const roomPath = (roomId: string) => `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}`;

export class RoomPagination {
  readonly #options: RoomPaginationOptions;
  /** Room id → the call in flight; the next call for the room waits for it. */
  readonly #rooms = new Map<string, Promise<unknown>>();
  readonly #abort = new AbortController();
  #stopped = false;

  constructor(options: RoomPaginationOptions) {
    this.#options = options;
  }

  /** Fetches up to `limit` events before the room's newest gap and stores them. */
  paginate(roomId: string, limit: number): Promise<PaginationResult> {
    const previous = this.#rooms.get(roomId) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.#paginate(roomId, limit));
    this.#rooms.set(roomId, next);
    void next
      .catch(() => undefined)
      .finally(() => {
        if (this.#rooms.get(roomId) === next) this.#rooms.delete(roomId);
      });
    return next;
  }

  /** Whether the room's stored timeline still misses history. */
  hasGap(roomId: string): boolean {
    return this.#options.db.timeline.gaps(roomId).length > 0;
  }

  /** Cancels requests in flight and writes nothing more; resolves when all calls settled. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#abort.abort(new Error('stopped'));
    await Promise.allSettled([...this.#rooms.values()]);
  }

  async #paginate(roomId: string, limit: number): Promise<PaginationResult> {
    if (this.#stopped) throw new EngineError('not_signed_in', 'Tessera is signing out');
    const pageSize = Math.min(MAX_PAGE, Math.max(1, Math.floor(limit)));
    const gap = this.#options.db.timeline.gaps(roomId).at(-1);
    if (!gap) return { added: 0, reachedStart: true, skipped: 0 };
    const response = await this.#fetchPage(roomId, gap, pageSize);
    if (this.#stopped) throw new EngineError('not_signed_in', 'Tessera is signing out');
    const page = readMessagesPage(roomId, response);
    const { db } = this.#options;
    const filled = db.transaction(() => {
      // History's member events never replace the current ones: only senders not yet known.
      const unknown = page.members.filter(
        (member) => db.roomState.get(roomId, member.type, member.stateKey) === null,
      );
      if (unknown.length > 0) db.roomState.putMany(roomId, unknown);
      return db.timeline.fillGap(roomId, gap.ordering, page.events, page.end);
    });
    if (page.skipped > 0)
      this.#options.log('warn', `pagination: skipped ${page.skipped} malformed or oversized event(s)`);
    if (filled.inserted > 0)
      this.#options.onStored(
        roomId,
        page.events.map((event) => event.eventId),
      );
    const reachedStart = !filled.joined && page.end === null && !this.hasGap(roomId);
    return { added: filled.inserted, reachedStart, skipped: page.skipped };
  }

  async #fetchPage(roomId: string, gap: TimelineGap, limit: number) {
    try {
      return await this.#messages(roomId, gap.prevBatch, limit);
    } catch (error) {
      if (!isExpiredToken(error)) throw error;
      // The token is gone (the server forgot it); the event just above the gap gives a fresh one.
      const fresh = await this.#freshToken(roomId, gap).catch(() => null);
      if (fresh === null) throw new PaginationTokenExpired(error);
      try {
        return await this.#messages(roomId, fresh, limit);
      } catch (retryError) {
        throw isExpiredToken(retryError) ? new PaginationTokenExpired(retryError) : retryError;
      }
    }
  }

  #messages(roomId: string, from: string, limit: number) {
    return this.#options.http.request('GET', `${roomPath(roomId)}/messages`, {
      schema: messagesResponseSchema,
      query: { dir: 'b', from, limit, filter: JSON.stringify({ lazy_load_members: true }) },
      signal: this.#abort.signal,
    });
  }

  async #freshToken(roomId: string, gap: TimelineGap): Promise<string | null> {
    const [above] = this.#options.db.timeline.before(roomId, gap.ordering + 1, 1);
    if (!above || above.ordering !== gap.ordering) return null;
    const context = await this.#options.http.request(
      'GET',
      `${roomPath(roomId)}/context/${encodeURIComponent(above.eventId)}`,
      { schema: contextSchema, query: { limit: 0 }, signal: this.#abort.signal },
    );
    return context.start;
  }
}

/** A refused pagination token; a 401 M_UNKNOWN_TOKEN is the access token instead. */
function isExpiredToken(error: unknown): boolean {
  return error instanceof MatrixApiError && error.status !== 401 && error.errcode === 'M_UNKNOWN_TOKEN';
}
