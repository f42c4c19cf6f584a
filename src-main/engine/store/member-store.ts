// Room members as the member list shows them.
import type { Membership } from '../../../src-preload/contract.ts';
import type { StatementCache } from './statement-cache.ts';

export interface MemberRecord {
  userId: string;
  membership: Membership;
  displayName: string | null;
  avatarUrl: string | null;
}

interface MemberRow {
  user_id: string;
  membership: Membership;
  display_name: string | null;
  avatar_url: string | null;
}

const fromRow = (row: MemberRow): MemberRecord => ({
  userId: row.user_id,
  membership: row.membership,
  displayName: row.display_name,
  avatarUrl: row.avatar_url,
});

export class MemberStore {
  readonly #sql: StatementCache;

  constructor(sql: StatementCache) {
    this.#sql = sql;
  }

  upsertMany(roomId: string, members: readonly MemberRecord[]): void {
    const upsert = this.#sql.prepare(
      `INSERT INTO members (room_id, user_id, membership, display_name, avatar_url) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (room_id, user_id) DO UPDATE SET membership = excluded.membership,
         display_name = excluded.display_name, avatar_url = excluded.avatar_url`,
    );
    this.#sql.transaction(() => {
      for (const member of members)
        upsert.run(roomId, member.userId, member.membership, member.displayName, member.avatarUrl);
    });
  }

  list(roomId: string): MemberRecord[] {
    const rows = this.#sql
      .prepare(
        'SELECT user_id, membership, display_name, avatar_url FROM members WHERE room_id = ? ORDER BY user_id',
      )
      .all(roomId) as MemberRow[];
    return rows.map(fromRow);
  }

  get(roomId: string, userId: string): MemberRecord | null {
    const row = this.#sql
      .prepare(
        'SELECT user_id, membership, display_name, avatar_url FROM members WHERE room_id = ? AND user_id = ?',
      )
      .get(roomId, userId) as MemberRow | undefined;
    return row ? fromRow(row) : null;
  }
}
