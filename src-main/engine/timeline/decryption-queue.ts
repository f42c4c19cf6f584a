// The queries behind decryption: which stored m.room.encrypted events wait, which failed for a
// reason a later key can cure, and the one write that records an outcome. The write never
// touches an event already decrypted, so an event is decrypted once, ever.
import type { AccountDatabase } from '../store/account-database.ts';
import { toJsonColumn, type JsonObject } from '../store/json-column.ts';
import type { SqliteStatement } from '../store/sqlite-driver.ts';
import type { DecryptionState } from '../store/timeline-store.ts';

/** What decryption needs of a stored event: enough to rebuild it as the server sent it. */
export interface EncryptedEventRow {
  /** The row's id: later rows were stored later. */
  id: number;
  roomId: string;
  eventId: string;
  sender: string;
  originServerTs: number;
  content: string;
  unsigned: string | null;
}

/** Failures a room key arriving later can cure. */
export const RETRYABLE_REASONS = ['missing_room_key', 'unknown_message_index'] as const;

interface Row {
  id: number;
  room_id: string;
  event_id: string;
  sender: string;
  origin_server_ts: number;
  content: string;
  unsigned: string | null;
}

const COLUMNS = 'id, room_id, event_id, sender, origin_server_ts, content, unsigned';
const RETRYABLE = `decryption = 'failed' AND json_extract(decrypted, '$.reason') IN (${RETRYABLE_REASONS.map((r) => `'${r}'`).join(', ')})`;

// The newest waiting event of each room: what the room list shows.
const SELECT_PENDING_HEADS = `SELECT ${COLUMNS} FROM timeline_events
  WHERE (room_id, ordering) IN (
    SELECT room_id, max(ordering) FROM timeline_events WHERE decryption = 'pending' GROUP BY room_id)
  LIMIT ?`;
// The rest, newest stored first.
const SELECT_PENDING = `SELECT ${COLUMNS} FROM timeline_events WHERE decryption = 'pending'
  ORDER BY id DESC LIMIT ?`;
const SELECT_PENDING_IN_ROOM = `SELECT ${COLUMNS} FROM timeline_events
  WHERE room_id = ? AND decryption = 'pending' ORDER BY ordering DESC LIMIT ?`;
// INDEXED BY: without statistics the planner walks the whole table by rowid or by ordering
// instead of the few failed rows (migration 005).
export const SELECT_FAILED_BY_SESSION = `SELECT ${COLUMNS} FROM timeline_events
  INDEXED BY timeline_events_failed_decryption WHERE room_id = ? AND ${RETRYABLE} AND json_extract(content, '$.session_id') = ?
  ORDER BY ordering DESC`;
export const SELECT_FAILED_RETRYABLE = `SELECT ${COLUMNS} FROM timeline_events
  INDEXED BY timeline_events_failed_decryption WHERE id < ? AND ${RETRYABLE}
  ORDER BY id DESC LIMIT ?`;
const RECORD = `UPDATE timeline_events SET decryption = ?, decrypted = ?
  WHERE room_id = ? AND event_id = ? AND decryption IN ('pending', 'failed')`;

function fromRow(row: Row): EncryptedEventRow {
  return {
    id: row.id,
    roomId: row.room_id,
    eventId: row.event_id,
    sender: row.sender,
    originServerTs: row.origin_server_ts,
    content: row.content,
    unsigned: row.unsigned,
  };
}

export interface DecryptionOutcome {
  roomId: string;
  eventId: string;
  state: Extract<DecryptionState, 'decrypted' | 'failed'>;
  decrypted: JsonObject;
}

export class DecryptionQueue {
  readonly #db: AccountDatabase;
  readonly #statements = new Map<string, SqliteStatement>();

  constructor(db: AccountDatabase) {
    this.#db = db;
  }

  pendingHeads(limit: number): EncryptedEventRow[] {
    return this.#all(SELECT_PENDING_HEADS, limit);
  }

  pending(limit: number): EncryptedEventRow[] {
    return this.#all(SELECT_PENDING, limit);
  }

  /** One room's waiting events, newest first. */
  pendingInRoom(roomId: string, limit: number): EncryptedEventRow[] {
    return this.#all(SELECT_PENDING_IN_ROOM, roomId, limit);
  }

  /** Events of one megolm session that failed for want of its key. */
  failedForSession(roomId: string, sessionId: string): EncryptedEventRow[] {
    return this.#all(SELECT_FAILED_BY_SESSION, roomId, sessionId);
  }

  /**
   * Events that failed for want of a key, stored before row `beforeId`, newest first, a page at
   * a time (at start: keys may have come while Tessera was stopped).
   */
  failedRetryable(beforeId: number, limit: number): EncryptedEventRow[] {
    return this.#all(SELECT_FAILED_RETRYABLE, beforeId, limit);
  }

  /** Writes outcomes in one transaction; an event already decrypted is left as it is. */
  record(outcomes: readonly DecryptionOutcome[]): void {
    if (outcomes.length === 0) return;
    const statement = this.#prepare(RECORD);
    this.#db.transaction(() => {
      for (const outcome of outcomes)
        statement.run(outcome.state, toJsonColumn(outcome.decrypted), outcome.roomId, outcome.eventId);
    });
  }

  #all(sql: string, ...params: (string | number)[]): EncryptedEventRow[] {
    return (this.#prepare(sql).all(...params) as Row[]).map(fromRow);
  }

  #prepare(sql: string): SqliteStatement {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#db.connection.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }
}
