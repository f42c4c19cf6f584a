// The signed-in session: one row. The access token (and the refresh token, when the server gave
// one) is stored here, inside SQLCipher, and is never logged or sent to the renderer.
import { EngineError } from '../errors.ts';
import type { StatementCache } from './statement-cache.ts';

export interface SessionRecord {
  homeserver: string;
  userId: string;
  deviceId: string;
  accessToken: string;
  createdAt: number;
  /** Null (or absent) when the server gave no refresh token: the access token does not expire. */
  refreshToken?: string | null;
  /** When the access token expires, ms since the epoch; null when unknown or never. */
  accessTokenExpiresAt?: number | null;
}

/** A token pair from a sign-in or a refresh. */
export interface SessionTokens {
  accessToken: string;
  refreshToken: string | null;
  accessTokenExpiresAt: number | null;
}

interface SessionRow {
  homeserver: string;
  user_id: string;
  device_id: string;
  access_token: string;
  created_at: number;
  refresh_token: string | null;
  access_token_expires_at: number | null;
}

export class SessionStore {
  readonly #sql: StatementCache;

  constructor(sql: StatementCache) {
    this.#sql = sql;
  }

  get(): SessionRecord | null {
    const row = this.#sql
      .prepare(
        `SELECT homeserver, user_id, device_id, access_token, created_at, refresh_token, access_token_expires_at
         FROM session WHERE id = 1`,
      )
      .get() as SessionRow | undefined;
    if (!row) return null;
    return {
      homeserver: row.homeserver,
      userId: row.user_id,
      deviceId: row.device_id,
      accessToken: row.access_token,
      createdAt: row.created_at,
      refreshToken: row.refresh_token,
      accessTokenExpiresAt: row.access_token_expires_at,
    };
  }

  save(session: SessionRecord): void {
    this.#sql
      .prepare(
        `INSERT INTO session (id, homeserver, user_id, device_id, access_token, created_at, refresh_token,
           access_token_expires_at)
         VALUES (1, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET homeserver = excluded.homeserver, user_id = excluded.user_id,
           device_id = excluded.device_id, access_token = excluded.access_token, created_at = excluded.created_at,
           refresh_token = excluded.refresh_token, access_token_expires_at = excluded.access_token_expires_at`,
      )
      .run(
        session.homeserver,
        session.userId,
        session.deviceId,
        session.accessToken,
        session.createdAt,
        session.refreshToken ?? null,
        session.accessTokenExpiresAt ?? null,
      );
  }

  /**
   * Replaces the tokens of the stored session (a refresh, or a sign-in again after a soft logout).
   * Refresh tokens rotate: the new pair is written here before it is used.
   */
  saveTokens(tokens: SessionTokens): void {
    const changed = this.#sql
      .prepare(
        'UPDATE session SET access_token = ?, refresh_token = ?, access_token_expires_at = ? WHERE id = 1',
      )
      .run(tokens.accessToken, tokens.refreshToken, tokens.accessTokenExpiresAt).changes;
    if (changed !== 1)
      throw new EngineError('store_corrupt', 'The account database holds no session to update');
  }

  clear(): void {
    this.#sql.prepare('DELETE FROM session').run();
  }
}
