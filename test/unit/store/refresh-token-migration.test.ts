// Migration 2 (refresh tokens) and the session row's token pair: a session written before the
// migration keeps its access token and gains empty refresh columns; a refresh replaces the pair
// in place and survives closing and reopening the encrypted database.
import Sqlite from 'better-sqlite3-multiple-ciphers';
import { afterEach, describe, expect, it } from 'vitest';
import { migrations } from '../../../src-main/engine/store/migrations/index.ts';
import { SchemaMigrations } from '../../../src-main/engine/store/schema-migrations.ts';
import { makeProfile, type Profile } from './store-fixture.ts';

const session = {
  homeserver: 'https://matrix.example.org',
  userId: '@alice:example.org',
  deviceId: 'DEVICE1',
  accessToken: 'syt_access_1',
  createdAt: 1,
};

describe('migration 2: refresh token', () => {
  let profile: Profile | undefined;
  afterEach(() => {
    profile?.cleanup();
    profile = undefined;
  });

  it('keeps a session stored before it, with no refresh token and no expiry', () => {
    const db = new Sqlite(':memory:');
    new SchemaMigrations(migrations.slice(0, 1)).migrate(db);
    db.prepare(
      `INSERT INTO session (id, homeserver, user_id, device_id, access_token, created_at)
       VALUES (1, ?, ?, ?, ?, ?)`,
    ).run(session.homeserver, session.userId, session.deviceId, session.accessToken, session.createdAt);
    new SchemaMigrations(migrations.slice(0, 2)).migrate(db);
    expect(db.prepare('SELECT * FROM session').get()).toEqual({
      id: 1,
      homeserver: session.homeserver,
      user_id: session.userId,
      device_id: session.deviceId,
      access_token: session.accessToken,
      created_at: 1,
      refresh_token: null,
      access_token_expires_at: null,
    });
    db.close();
  });

  it('stores the token pair and its expiry, replaces it on refresh, and keeps it across a reopen', () => {
    profile = makeProfile();
    let db = profile.open();
    db.session.save({ ...session, refreshToken: 'syr_refresh_1', accessTokenExpiresAt: 5_000 });
    expect(db.session.get()).toMatchObject({ refreshToken: 'syr_refresh_1', accessTokenExpiresAt: 5_000 });
    db.session.saveTokens({
      accessToken: 'syt_access_2',
      refreshToken: 'syr_refresh_2',
      accessTokenExpiresAt: 9_000,
    });
    db.close();
    db = profile.open();
    expect(db.session.get()).toEqual({
      ...session,
      accessToken: 'syt_access_2',
      refreshToken: 'syr_refresh_2',
      accessTokenExpiresAt: 9_000,
    });
    db.close();
  });

  it('refuses to save tokens when no session is stored', () => {
    profile = makeProfile();
    const db = profile.open();
    expect(() =>
      db.session.saveTokens({ accessToken: 'a', refreshToken: null, accessTokenExpiresAt: null }),
    ).toThrow(expect.objectContaining({ code: 'store_corrupt' }));
    db.close();
  });
});
