// Finding a linked event (a matrix: link's `/e/$event`) in a room's stored timeline. The server is
// asked first whether the event exists and is visible to us (GET /rooms/{id}/event/{id}): a
// missing one costs one request, not pages of history. Then the existing back-pagination fills
// the room's gaps, newest first, until the event is stored, for a bounded number of pages. The
// event is only ever read from the store, so an encrypted one is decrypted like any other (once,
// on store), never passed on from the network.
import { z } from 'zod';
import { describeFailure } from '../crypto/failure-text.ts';
import { MatrixApiError } from '../http/matrix-api-error.ts';
import type { MatrixHttp } from '../http/matrix-http.ts';
import type { EngineLogLevel } from '../protocol.ts';
import type { AccountDatabase } from '../store/account-database.ts';
import type { TimelineEventRecord } from '../store/timeline-store.ts';
import type { PaginationResult } from './pagination.ts';

/** `missing`: the server says no such event, or not one we may see; `unknown`: no answer. */
export type EventOnServer = 'exists' | 'missing' | 'unknown';

export interface EventSearchOptions {
  db: Pick<AccountDatabase, 'timeline'>;
  paginate(roomId: string, limit: number): Promise<PaginationResult>;
  eventOnServer?(roomId: string, eventId: string): Promise<EventOnServer>;
  log(level: EngineLogLevel, message: string): void;
}

/** Pages of history fetched to find one event, at most, and events asked for per page. */
export const MAX_SEARCH_PAGES = 10;
export const SEARCH_PAGE_SIZE = 100;

const eventSchema = z.looseObject({ event_id: z.string(), room_id: z.string() });

export async function eventOnServer(
  http: Pick<MatrixHttp, 'request'>,
  roomId: string,
  eventId: string,
): Promise<EventOnServer> {
  try {
    const event = await http.request(
      'GET',
      `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/event/${encodeURIComponent(eventId)}`,
      { schema: eventSchema },
    );
    return event.event_id === eventId && event.room_id === roomId ? 'exists' : 'missing';
  } catch (error) {
    // Synapse answers 404 both for an unknown event and for one our history visibility hides.
    if (error instanceof MatrixApiError && (error.status === 404 || error.status === 403)) return 'missing';
    return 'unknown';
  }
}

/** The stored event, after paginating back for it if needed; null when it cannot be found. */
export async function findEvent(
  options: EventSearchOptions,
  roomId: string,
  eventId: string,
): Promise<TimelineEventRecord | null> {
  const { db } = options;
  const stored = db.timeline.get(roomId, eventId);
  if (stored) return stored;
  const onServer = options.eventOnServer ? await options.eventOnServer(roomId, eventId) : 'unknown';
  if (onServer === 'missing') return null;
  for (let pages = 0; pages < MAX_SEARCH_PAGES && db.timeline.gaps(roomId).length > 0; pages++) {
    let result: PaginationResult;
    try {
      result = await options.paginate(roomId, SEARCH_PAGE_SIZE);
    } catch (error) {
      options.log('warn', `timeline: looking back for a linked event failed (${describeFailure(error)})`);
      return null;
    }
    const found = db.timeline.get(roomId, eventId);
    if (found) return found;
    if (result.reachedStart) return null;
  }
  return null;
}
