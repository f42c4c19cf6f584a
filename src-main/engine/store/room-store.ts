// The rooms table: what the room list needs, so a cold start shows the list from one query.
// display_name caches the name the room model computed; the raw parts it came from are kept too.
import type { Membership } from '../../../src-preload/contract.ts';
import { toJsonColumn } from './json-column.ts';
import type { StatementCache } from './statement-cache.ts';

export interface StoredHero {
  userId: string;
  displayName?: string | null;
}

export interface RoomRecord {
  roomId: string;
  membership: Membership;
  displayName: string | null;
  name: string | null;
  canonicalAlias: string | null;
  topic: string | null;
  avatarUrl: string | null;
  isDirect: boolean;
  /** Sticky: once stored as true it stays true (an upsert keeps the maximum; a trigger refuses 1→0). */
  isEncrypted: boolean;
  inviter: string | null;
  heroes: StoredHero[] | null;
  joinedMemberCount: number | null;
  invitedMemberCount: number | null;
  notificationCount: number;
  highlightCount: number;
  lastActivity: number;
}

interface RoomRow {
  room_id: string;
  membership: Membership;
  display_name: string | null;
  name: string | null;
  canonical_alias: string | null;
  topic: string | null;
  avatar_url: string | null;
  is_direct: number;
  is_encrypted: number;
  inviter: string | null;
  heroes: string | null;
  joined_member_count: number | null;
  invited_member_count: number | null;
  notification_count: number;
  highlight_count: number;
  last_activity: number;
}

const COLUMNS = `room_id, membership, display_name, name, canonical_alias, topic, avatar_url, is_direct,
  is_encrypted, inviter, heroes, joined_member_count, invited_member_count, notification_count,
  highlight_count, last_activity`;

function fromRow(row: RoomRow): RoomRecord {
  return {
    roomId: row.room_id,
    membership: row.membership,
    displayName: row.display_name,
    name: row.name,
    canonicalAlias: row.canonical_alias,
    topic: row.topic,
    avatarUrl: row.avatar_url,
    isDirect: row.is_direct === 1,
    isEncrypted: row.is_encrypted === 1,
    inviter: row.inviter,
    heroes: row.heroes === null ? null : (JSON.parse(row.heroes) as StoredHero[]),
    joinedMemberCount: row.joined_member_count,
    invitedMemberCount: row.invited_member_count,
    notificationCount: row.notification_count,
    highlightCount: row.highlight_count,
    lastActivity: row.last_activity,
  };
}

const UPSERT_ROOM = `INSERT INTO rooms (${COLUMNS}, updated_at)
  VALUES (@roomId, @membership, @displayName, @name, @canonicalAlias, @topic, @avatarUrl, @isDirect,
    @isEncrypted, @inviter, @heroes, @joinedMemberCount, @invitedMemberCount, @notificationCount,
    @highlightCount, @lastActivity, @now)
  ON CONFLICT (room_id) DO UPDATE SET membership = excluded.membership,
    display_name = excluded.display_name, name = excluded.name,
    canonical_alias = excluded.canonical_alias, topic = excluded.topic, avatar_url = excluded.avatar_url,
    is_direct = excluded.is_direct, is_encrypted = max(is_encrypted, excluded.is_encrypted),
    inviter = excluded.inviter, heroes = excluded.heroes,
    joined_member_count = excluded.joined_member_count,
    invited_member_count = excluded.invited_member_count,
    notification_count = excluded.notification_count, highlight_count = excluded.highlight_count,
    last_activity = excluded.last_activity, updated_at = excluded.updated_at`;
const SELECT_ONE = `SELECT ${COLUMNS} FROM rooms WHERE room_id = ?`;
const SELECT_ALL = `SELECT ${COLUMNS} FROM rooms ORDER BY last_activity DESC`;

export class RoomStore {
  readonly #sql: StatementCache;

  constructor(sql: StatementCache) {
    this.#sql = sql;
  }

  /** Inserts or replaces each room, in one transaction. */
  upsertMany(rooms: readonly RoomRecord[], now: number = Date.now()): void {
    const upsert = this.#sql.prepare(UPSERT_ROOM);
    this.#sql.transaction(() => {
      for (const room of rooms)
        upsert.run({
          ...room,
          isDirect: room.isDirect ? 1 : 0,
          isEncrypted: room.isEncrypted ? 1 : 0,
          heroes: room.heroes === null ? null : toJsonColumn(room.heroes),
          now,
        });
    });
  }

  get(roomId: string): RoomRecord | null {
    const row = this.#sql.prepare(SELECT_ONE).get(roomId) as RoomRow | undefined;
    return row ? fromRow(row) : null;
  }

  /** Every stored room, most recent activity first: the room list's source at start. */
  list(): RoomRecord[] {
    const rows = this.#sql.prepare(SELECT_ALL).all() as RoomRow[];
    return rows.map(fromRow);
  }

  /** Forgets a room and, by cascade, its state, members, timeline and gaps. */
  remove(roomId: string): void {
    this.#sql.prepare('DELETE FROM rooms WHERE room_id = ?').run(roomId);
  }
}
