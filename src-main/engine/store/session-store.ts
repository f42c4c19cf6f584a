// The signed-in session: one row. The access token is stored here, inside SQLCipher, and is
// never logged or sent to the renderer.
import type { StatementCache } from './statement-cache.ts';

export interface SessionRecord {
  homeserver: string;
  userId: string;
  deviceId: string;
  accessToken: string;
  createdAt: number;
}

interface SessionRow {
  homeserver: string;
  user_id: string;
  device_id: string;
  access_token: string;
  created_at: number;
}

export class SessionStore {
  readonly #sql: StatementCache;

  constructor(sql: StatementCache) {
    this.#sql = sql;
  }

  get(): SessionRecord | null {
    const row = this.#sql
      .prepare('SELECT homeserver, user_id, device_id, access_token, created_at FROM session WHERE id = 1')
      .get() as SessionRow | undefined;
    if (!row) return null;
    return {
      homeserver: row.homeserver,
      userId: row.user_id,
      deviceId: row.device_id,
      accessToken: row.access_token,
      createdAt: row.created_at,
    };
  }

  save(session: SessionRecord): void {
    this.#sql
      .prepare(
        `INSERT INTO session (id, homeserver, user_id, device_id, access_token, created_at)
         VALUES (1, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET homeserver = excluded.homeserver, user_id = excluded.user_id,
           device_id = excluded.device_id, access_token = excluded.access_token, created_at = excluded.created_at`,
      )
      .run(session.homeserver, session.userId, session.deviceId, session.accessToken, session.createdAt);
  }

  clear(): void {
    this.#sql.prepare('DELETE FROM session').run();
  }
}
