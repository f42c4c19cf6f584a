// Read receipts, one row per (room, user, receipt type): the latest one wins. Whether a receipt
// is newer than the stored one is decided by the caller (it knows the timeline's order).
import type { StatementCache } from './statement-cache.ts';

export type ReceiptType = 'm.read' | 'm.read.private';

export interface ReceiptRecord {
  userId: string;
  type: ReceiptType;
  eventId: string;
  ts: number;
}

interface ReceiptRow {
  user_id: string;
  receipt_type: ReceiptType;
  event_id: string;
  ts: number;
}

const fromRow = (row: ReceiptRow): ReceiptRecord => ({
  userId: row.user_id,
  type: row.receipt_type,
  eventId: row.event_id,
  ts: row.ts,
});

const UPSERT = `INSERT INTO receipts (room_id, user_id, receipt_type, event_id, ts) VALUES (?, ?, ?, ?, ?)
  ON CONFLICT (room_id, user_id, receipt_type) DO UPDATE SET event_id = excluded.event_id, ts = excluded.ts`;
const SELECT_ROOM = 'SELECT user_id, receipt_type, event_id, ts FROM receipts WHERE room_id = ?';
const SELECT_USER =
  'SELECT user_id, receipt_type, event_id, ts FROM receipts WHERE room_id = ? AND user_id = ?';

export class ReceiptStore {
  readonly #sql: StatementCache;

  constructor(sql: StatementCache) {
    this.#sql = sql;
  }

  /** Writes each receipt over the user's stored one of the same type, in one transaction. */
  putMany(roomId: string, receipts: readonly ReceiptRecord[]): void {
    const upsert = this.#sql.prepare(UPSERT);
    this.#sql.transaction(() => {
      for (const receipt of receipts)
        upsert.run(roomId, receipt.userId, receipt.type, receipt.eventId, receipt.ts);
    });
  }

  /** Every receipt stored for the room. */
  forRoom(roomId: string): ReceiptRecord[] {
    return (this.#sql.prepare(SELECT_ROOM).all(roomId) as ReceiptRow[]).map(fromRow);
  }

  /** One user's receipts in the room (public and private). */
  forUser(roomId: string, userId: string): ReceiptRecord[] {
    return (this.#sql.prepare(SELECT_USER).all(roomId, userId) as ReceiptRow[]).map(fromRow);
  }
}
