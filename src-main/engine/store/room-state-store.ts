// Current room state, one row per (type, state key): the last event wins.
import { fromJsonObject, toJsonColumn, type JsonObject } from './json-column.ts';
import type { StatementCache } from './statement-cache.ts';

export interface StateEventRecord {
  type: string;
  stateKey: string;
  eventId: string | null;
  sender: string;
  content: JsonObject;
}

interface StateRow {
  type: string;
  state_key: string;
  event_id: string | null;
  sender: string;
  content: string;
}

const fromRow = (row: StateRow): StateEventRecord => ({
  type: row.type,
  stateKey: row.state_key,
  eventId: row.event_id,
  sender: row.sender,
  content: fromJsonObject(row.content),
});

export class RoomStateStore {
  readonly #sql: StatementCache;

  constructor(sql: StatementCache) {
    this.#sql = sql;
  }

  /** Applies state events in order (later ones win), in one transaction. */
  putMany(roomId: string, events: readonly StateEventRecord[]): void {
    const put = this.#sql.prepare(
      `INSERT INTO room_state (room_id, type, state_key, event_id, sender, content) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (room_id, type, state_key) DO UPDATE SET event_id = excluded.event_id,
         sender = excluded.sender, content = excluded.content`,
    );
    this.#sql.transaction(() => {
      for (const event of events)
        put.run(roomId, event.type, event.stateKey, event.eventId, event.sender, toJsonColumn(event.content));
    });
  }

  /** Replaces the room's whole state (an invite's stripped state, a fresh view of the room). */
  replaceAll(roomId: string, events: readonly StateEventRecord[]): void {
    this.#sql.transaction(() => {
      this.#sql.prepare('DELETE FROM room_state WHERE room_id = ?').run(roomId);
      this.putMany(roomId, events);
    });
  }

  get(roomId: string, type: string, stateKey = ''): StateEventRecord | null {
    const row = this.#sql
      .prepare(
        'SELECT type, state_key, event_id, sender, content FROM room_state WHERE room_id = ? AND type = ? AND state_key = ?',
      )
      .get(roomId, type, stateKey) as StateRow | undefined;
    return row ? fromRow(row) : null;
  }

  all(roomId: string): StateEventRecord[] {
    const rows = this.#sql
      .prepare('SELECT type, state_key, event_id, sender, content FROM room_state WHERE room_id = ?')
      .all(roomId) as StateRow[];
    return rows.map(fromRow);
  }
}
