// Messages the person sent that the server has not yet acknowledged. They survive a restart and
// are retried in the order they were written; the transaction id makes a retry idempotent.
import { fromJsonObject, toJsonColumn, type JsonObject } from './json-column.ts';
import type { StatementCache } from './statement-cache.ts';

export type OutgoingState = 'pending' | 'sent' | 'failed';

export interface OutgoingMessage {
  txnId: string;
  roomId: string;
  eventType: string;
  content: JsonObject;
  state: OutgoingState;
  attempts: number;
  /** An error code, never server text or content. */
  lastError: string | null;
  eventId: string | null;
  createdAt: number;
}

interface OutgoingRow {
  txn_id: string;
  room_id: string;
  event_type: string;
  content: string;
  state: OutgoingState;
  attempts: number;
  last_error: string | null;
  event_id: string | null;
  created_at: number;
}

const COLUMNS = 'txn_id, room_id, event_type, content, state, attempts, last_error, event_id, created_at';

const fromRow = (row: OutgoingRow): OutgoingMessage => ({
  txnId: row.txn_id,
  roomId: row.room_id,
  eventType: row.event_type,
  content: fromJsonObject(row.content),
  state: row.state,
  attempts: row.attempts,
  lastError: row.last_error,
  eventId: row.event_id,
  createdAt: row.created_at,
});

export class OutgoingQueue {
  readonly #sql: StatementCache;

  constructor(sql: StatementCache) {
    this.#sql = sql;
  }

  enqueue(
    message: { txnId: string; roomId: string; eventType: string; content: JsonObject },
    now = Date.now(),
  ): void {
    this.#sql
      .prepare(
        `INSERT INTO outgoing_queue (txn_id, room_id, event_type, content, state, attempts, created_at, updated_at)
         VALUES (?, ?, ?, ?, 'pending', 0, ?, ?)`,
      )
      .run(message.txnId, message.roomId, message.eventType, toJsonColumn(message.content), now, now);
  }

  get(txnId: string): OutgoingMessage | null {
    const row = this.#sql.prepare(`SELECT ${COLUMNS} FROM outgoing_queue WHERE txn_id = ?`).get(txnId) as
      OutgoingRow | undefined;
    return row ? fromRow(row) : null;
  }

  /** Everything still to send, oldest first. */
  pending(): OutgoingMessage[] {
    const rows = this.#sql
      .prepare(`SELECT ${COLUMNS} FROM outgoing_queue WHERE state = 'pending' ORDER BY created_at, rowid`)
      .all() as OutgoingRow[];
    return rows.map(fromRow);
  }

  /**
   * The room's messages whose event is not stored in its timeline yet (pending, failed, or sent
   * but not yet back from sync), oldest first: the timeline's local echoes.
   */
  unstoredInRoom(roomId: string): OutgoingMessage[] {
    const rows = this.#sql
      .prepare(
        `SELECT ${COLUMNS} FROM outgoing_queue WHERE room_id = ? AND (state != 'sent' OR event_id IS NULL
           OR NOT EXISTS (SELECT 1 FROM timeline_events WHERE timeline_events.room_id = outgoing_queue.room_id
             AND timeline_events.event_id = outgoing_queue.event_id))
         ORDER BY created_at, rowid`,
      )
      .all(roomId) as OutgoingRow[];
    return rows.map(fromRow);
  }

  /** A try that did not succeed but may later: the message stays pending. */
  recordAttempt(txnId: string, errorCode: string, now = Date.now()): void {
    this.#sql
      .prepare(
        'UPDATE outgoing_queue SET attempts = attempts + 1, last_error = ?, updated_at = ? WHERE txn_id = ?',
      )
      .run(errorCode, now, txnId);
  }

  markSent(txnId: string, eventId: string, now = Date.now()): void {
    this.#sql
      .prepare(
        `UPDATE outgoing_queue SET state = 'sent', event_id = ?, attempts = attempts + 1, last_error = NULL,
           updated_at = ? WHERE txn_id = ?`,
      )
      .run(eventId, now, txnId);
  }

  /** Given up on until the person retries it. */
  markFailed(txnId: string, errorCode: string, now = Date.now()): void {
    this.#sql
      .prepare(
        `UPDATE outgoing_queue SET state = 'failed', attempts = attempts + 1, last_error = ?, updated_at = ?
         WHERE txn_id = ?`,
      )
      .run(errorCode, now, txnId);
  }

  /** Puts a failed message back in line. */
  retry(txnId: string, now = Date.now()): void {
    this.#sql
      .prepare(
        `UPDATE outgoing_queue SET state = 'pending', updated_at = ? WHERE txn_id = ? AND state = 'failed'`,
      )
      .run(now, txnId);
  }

  remove(txnId: string): void {
    this.#sql.prepare('DELETE FROM outgoing_queue WHERE txn_id = ?').run(txnId);
  }
}
