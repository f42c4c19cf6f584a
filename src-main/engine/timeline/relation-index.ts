// Finds the events that point at a target: its edits and reactions (m.relates_to) and the
// redactions of it. Served by migration 003's expression index; RELATION_TARGET must stay
// byte-identical to the indexed expression.
import type { AccountDatabase } from '../store/account-database.ts';
import { StatementCache } from '../store/statement-cache.ts';
import type { TimelineEventRecord } from '../store/timeline-store.ts';

export const RELATION_TARGET = `coalesce(
          json_extract(content, '$."m.relates_to".event_id'),
          json_extract(content, '$.redacts'),
          json_extract(decrypted, '$.content."m.relates_to".event_id')
        )`;

const SELECT_RELATED = `SELECT event_id FROM timeline_events WHERE room_id = ? AND ${RELATION_TARGET} = ?`;

export class RelationIndex {
  readonly #db: AccountDatabase;
  readonly #sql: StatementCache;

  constructor(db: AccountDatabase) {
    this.#db = db;
    this.#sql = new StatementCache(db.connection);
  }

  /** The stored events pointing at `targetId` (relations and redactions), oldest first. */
  relatedTo(roomId: string, targetId: string): TimelineEventRecord[] {
    const ids = this.#sql.prepare(SELECT_RELATED).pluck().all(roomId, targetId) as string[];
    const records: TimelineEventRecord[] = [];
    for (const id of ids) {
      const record = this.#db.timeline.get(roomId, id);
      if (record) records.push(record);
    }
    return records.sort((a, b) => a.ordering - b.ordering);
  }

  /** The query plan of relatedTo (tests check the index serves it). */
  plan(): string[] {
    return (
      this.#sql.connection.prepare(`EXPLAIN QUERY PLAN ${SELECT_RELATED}`).all('!r', '$e') as {
        detail: string;
      }[]
    ).map((row) => row.detail);
  }
}
