// A room's timeline: events in `ordering` order, with gaps where history is missing.
//
// Orderings are integers. A forward batch continues after the newest stored event; a batch
// after a gap (a `limited` sync) starts GAP_SPAN further on, leaving room below it for the
// missing events, which backfill (fillGap) writes downwards from the gap. A gap row says: the
// events just before `ordering` can be fetched with /messages from `prevBatch`. An encrypted
// event's decrypted form is stored beside it, so a restart never decrypts again.
import { fromJsonObject, fromNullableJsonObject, toJsonColumn, type JsonObject } from './json-column.ts';
import type { StatementCache } from './statement-cache.ts';

/** Room left below a chunk that follows a gap; 2^24 missing events fit before fillGap gives up. */
export const GAP_SPAN = 2 ** 24;

/** none: plaintext event; pending: waiting for its room key; decrypted; failed: will not decrypt. */
export type DecryptionState = 'none' | 'pending' | 'decrypted' | 'failed';

export interface TimelineEventInput {
  eventId: string;
  sender: string;
  type: string;
  stateKey?: string | null;
  originServerTs: number;
  content: JsonObject;
  unsigned?: JsonObject | null;
  decryption: DecryptionState;
  /** The decrypted event ({type, content}) of an m.room.encrypted event. */
  decrypted?: JsonObject | null;
}

export interface TimelineEventRecord {
  roomId: string;
  ordering: number;
  eventId: string;
  sender: string;
  type: string;
  stateKey: string | null;
  originServerTs: number;
  content: JsonObject;
  unsigned: JsonObject | null;
  decryption: DecryptionState;
  decrypted: JsonObject | null;
}

export interface TimelineGap {
  ordering: number;
  prevBatch: string;
}

export interface AppendOptions {
  /** The sync response said `limited`: events between the stored ones and this batch are missing. */
  limited?: boolean;
  /** The batch's prev_batch token, for fetching what lies before it. */
  prevBatch?: string | null;
}

export interface AppendResult {
  inserted: number;
  /** Ordering of the first event written, null when every event was already stored. */
  firstOrdering: number | null;
}

export interface FillResult {
  inserted: number;
  /** The backfill reached events already stored: the gap is closed. */
  joined: boolean;
}

interface EventRow {
  room_id: string;
  ordering: number;
  event_id: string;
  sender: string;
  type: string;
  state_key: string | null;
  origin_server_ts: number;
  content: string;
  unsigned: string | null;
  decryption: DecryptionState;
  decrypted: string | null;
}

const COLUMNS =
  'room_id, ordering, event_id, sender, type, state_key, origin_server_ts, content, unsigned, decryption, decrypted';

// Built once, so the statement cache hashes the same string objects on the hot path.
const INSERT_EVENT = `INSERT INTO timeline_events (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (room_id, event_id) DO NOTHING`;
const SELECT_LATEST = `SELECT ${COLUMNS} FROM timeline_events WHERE room_id = ? ORDER BY ordering DESC LIMIT ?`;
const SELECT_BEFORE = `SELECT ${COLUMNS} FROM timeline_events WHERE room_id = ? AND ordering < ?
  ORDER BY ordering DESC LIMIT ?`;
const SELECT_ONE = `SELECT ${COLUMNS} FROM timeline_events WHERE room_id = ? AND event_id = ?`;
const SELECT_PENDING = `SELECT ${COLUMNS} FROM timeline_events WHERE room_id = ? AND decryption = 'pending'
  ORDER BY ordering`;

function fromRow(row: EventRow): TimelineEventRecord {
  return {
    roomId: row.room_id,
    ordering: row.ordering,
    eventId: row.event_id,
    sender: row.sender,
    type: row.type,
    stateKey: row.state_key,
    originServerTs: row.origin_server_ts,
    content: fromJsonObject(row.content),
    unsigned: fromNullableJsonObject(row.unsigned),
    decryption: row.decryption,
    decrypted: fromNullableJsonObject(row.decrypted),
  };
}

export class TimelineStore {
  readonly #sql: StatementCache;

  constructor(sql: StatementCache) {
    this.#sql = sql;
  }

  /**
   * Appends one sync response's events (oldest first) in one transaction: all are written or none.
   * Events already stored are skipped.
   */
  appendBatch(
    roomId: string,
    events: readonly TimelineEventInput[],
    options: AppendOptions = {},
  ): AppendResult {
    return this.#sql.transaction(() => {
      const newest = this.#newestOrdering(roomId);
      let next = newest === null ? 0 : options.limited ? newest + GAP_SPAN : newest + 1;
      let firstOrdering: number | null = null;
      let inserted = 0;
      let firstWasStored = false;
      events.forEach((event, index) => {
        if (this.#insert(roomId, next, event)) {
          firstOrdering ??= next;
          next += 1;
          inserted += 1;
        } else if (index === 0) firstWasStored = true;
      });
      // History before this batch is missing when the server says so, or when it is the first we hold.
      const opensGap = options.limited === true || newest === null;
      if (opensGap && options.prevBatch && firstOrdering !== null && !firstWasStored)
        this.#addGap(roomId, firstOrdering, options.prevBatch);
      return { inserted, firstOrdering };
    });
  }

  /**
   * Writes backfilled events (newest first, as /messages dir=b returns them) into the gap at
   * `gapOrdering`, in one transaction. Meeting a stored event closes the gap; otherwise the gap
   * moves below the written events with `nextPrevBatch` (null: the room's start was reached).
   */
  fillGap(
    roomId: string,
    gapOrdering: number,
    eventsNewestFirst: readonly TimelineEventInput[],
    nextPrevBatch: string | null,
  ): FillResult {
    return this.#sql.transaction(() => {
      const removed = this.#sql
        .prepare('DELETE FROM timeline_gaps WHERE room_id = ? AND ordering = ?')
        .run(roomId, gapOrdering);
      if (removed.changes === 0) throw new Error('There is no gap at that position in this room');
      const floor = this.#sql
        .prepare('SELECT max(ordering) FROM timeline_events WHERE room_id = ? AND ordering < ?')
        .pluck()
        .get(roomId, gapOrdering) as number | null;
      let cursor = gapOrdering - 1;
      let inserted = 0;
      let joined = false;
      for (const event of eventsNewestFirst) {
        if (this.#has(roomId, event.eventId)) {
          joined = true;
          break;
        }
        if (floor !== null && cursor <= floor)
          throw new Error('The gap has no room left for more events; the older part must be dropped first');
        this.#insert(roomId, cursor, event);
        cursor -= 1;
        inserted += 1;
      }
      if (!joined && nextPrevBatch !== null) this.#addGap(roomId, cursor + 1, nextPrevBatch);
      return { inserted, joined };
    });
  }

  /** The newest `limit` events, oldest first. */
  latest(roomId: string, limit: number): TimelineEventRecord[] {
    const rows = this.#sql.prepare(SELECT_LATEST).all(roomId, limit) as EventRow[];
    return rows.reverse().map(fromRow);
  }

  /** Up to `limit` events before `ordering`, oldest first (scrolling back). */
  before(roomId: string, ordering: number, limit: number): TimelineEventRecord[] {
    const rows = this.#sql.prepare(SELECT_BEFORE).all(roomId, ordering, limit) as EventRow[];
    return rows.reverse().map(fromRow);
  }

  get(roomId: string, eventId: string): TimelineEventRecord | null {
    const row = this.#sql.prepare(SELECT_ONE).get(roomId, eventId) as EventRow | undefined;
    return row ? fromRow(row) : null;
  }

  gaps(roomId: string): TimelineGap[] {
    const rows = this.#sql
      .prepare('SELECT ordering, prev_batch FROM timeline_gaps WHERE room_id = ? ORDER BY ordering')
      .all(roomId) as { ordering: number; prev_batch: string }[];
    return rows.map((row) => ({ ordering: row.ordering, prevBatch: row.prev_batch }));
  }

  count(roomId: string): number {
    return this.#sql
      .prepare('SELECT count(*) FROM timeline_events WHERE room_id = ?')
      .pluck()
      .get(roomId) as number;
  }

  /** Records the outcome of decrypting an event. */
  setDecryption(roomId: string, eventId: string, state: DecryptionState, decrypted: JsonObject | null): void {
    this.#sql
      .prepare('UPDATE timeline_events SET decryption = ?, decrypted = ? WHERE room_id = ? AND event_id = ?')
      .run(state, decrypted === null ? null : toJsonColumn(decrypted), roomId, eventId);
  }

  /** Events still waiting for a room key, oldest first. */
  pendingDecryption(roomId: string): TimelineEventRecord[] {
    const rows = this.#sql.prepare(SELECT_PENDING).all(roomId) as EventRow[];
    return rows.map(fromRow);
  }

  /** Replaces a redacted event's content (and drops its decrypted form); secure_delete wipes the old bytes. */
  redact(roomId: string, eventId: string, redactedContent: JsonObject, unsigned: JsonObject | null): void {
    this.#sql
      .prepare(
        'UPDATE timeline_events SET content = ?, unsigned = ?, decrypted = NULL WHERE room_id = ? AND event_id = ?',
      )
      .run(toJsonColumn(redactedContent), unsigned === null ? null : toJsonColumn(unsigned), roomId, eventId);
  }

  #newestOrdering(roomId: string): number | null {
    return this.#sql
      .prepare('SELECT max(ordering) FROM timeline_events WHERE room_id = ?')
      .pluck()
      .get(roomId) as number | null;
  }

  #has(roomId: string, eventId: string): boolean {
    return (
      this.#sql
        .prepare('SELECT 1 FROM timeline_events WHERE room_id = ? AND event_id = ?')
        .pluck()
        .get(roomId, eventId) !== undefined
    );
  }

  /** Writes one event; false when the room already holds it. */
  #insert(roomId: string, ordering: number, event: TimelineEventInput): boolean {
    const result = this.#sql
      .prepare(INSERT_EVENT)
      .run(
        roomId,
        ordering,
        event.eventId,
        event.sender,
        event.type,
        event.stateKey ?? null,
        event.originServerTs,
        toJsonColumn(event.content),
        event.unsigned ? toJsonColumn(event.unsigned) : null,
        event.decryption,
        event.decrypted ? toJsonColumn(event.decrypted) : null,
      );
    return result.changes === 1;
  }

  #addGap(roomId: string, ordering: number, prevBatch: string): void {
    this.#sql
      .prepare('INSERT INTO timeline_gaps (room_id, ordering, prev_batch) VALUES (?, ?, ?)')
      .run(roomId, ordering, prevBatch);
  }
}
