// Refresh tokens (Matrix v1.3): the session row keeps the refresh token next to the access
// token, inside SQLCipher, and when the access token expires (ms since the epoch) so the engine
// can refresh shortly before. Both are null for a server that gave no refresh token.
import type { Migration } from './migration.ts';

export const refreshTokenSchema: Migration = {
  version: 2,
  name: 'refresh token',
  up(db) {
    db.exec(`
      ALTER TABLE session ADD COLUMN refresh_token TEXT;
      ALTER TABLE session ADD COLUMN access_token_expires_at INTEGER;
    `);
  },
};
