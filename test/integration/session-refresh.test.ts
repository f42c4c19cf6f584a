// Refresh tokens and soft logout against a real Synapse of their own, whose access tokens live
// 3 seconds and refresh tokens 12: Tessera keeps syncing and sending across several expiries,
// a restart uses the rotated pair, and once the refresh token has expired too (a real soft
// logout) session.reauthenticate signs the same device in again and decryption goes on.
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { MessageStatus, SessionView } from '../../src-preload/contract.ts';
import { MatrixPeer } from '../homeserver/matrix-peer.ts';
import { OlmPeer } from '../homeserver/olm-peer.ts';
import { registerUser, startSynapse, type TestHomeserver } from '../homeserver/synapse.ts';
import { startEngine, type RecordedEngine } from './engine-harness.ts';
import { until } from '../support/until.ts';

const ACCESS_LIFETIME_MS = 3_000;
const REFRESH_LIFETIME_MS = 12_000;

let homeserver: TestHomeserver;
const cleanup: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  homeserver = await startSynapse({
    extraConfig: {
      refreshable_access_token_lifetime: `${ACCESS_LIFETIME_MS / 1000}s`,
      refresh_token_lifetime: `${REFRESH_LIFETIME_MS / 1000}s`,
    },
  });
});

afterAll(async () => {
  await homeserver?.stop();
});

afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function statusOf(tessera: RecordedEngine, transactionId: string, state: MessageStatus['state']) {
  return until(`message ${state}`, () =>
    tessera.events
      .filter((event) => event.name === 'message.status')
      .map((event) => event.payload as MessageStatus)
      .find((status) => status.transactionId === transactionId && status.state === state),
  );
}

/** Waits until Tessera has stored (and, if encrypted, decrypted) a message with this body. */
function received(tessera: RecordedEngine, roomId: string, body: string) {
  return until(`Tessera to receive a message`, () =>
    tessera.engine.session?.timeline(roomId, 100).find((item) => item.content.body === body),
  );
}

async function signIn(tessera: RecordedEngine, user: { localpart: string; password: string }) {
  const login = await tessera.invoke('session.login', {
    homeserver: homeserver.baseUrl,
    user: user.localpart,
    password: user.password,
  });
  if (!login.ok) throw new Error(`sign-in failed: ${login.error.code}`);
  return login.value as SessionView;
}

function storedTokens(tessera: RecordedEngine) {
  const record = tessera.engine.session?.db.session.get();
  if (!record) throw new Error('no open session');
  return record;
}

function securityKinds(tessera: RecordedEngine): string[] {
  return tessera.engine.session?.db.securityLog.entries().map((entry) => entry.kind) ?? [];
}

describe('refresh tokens (short-lived access tokens)', () => {
  it('keeps syncing and sending across several expiries, and a restart uses the rotated pair', async () => {
    const alice = await registerUser(homeserver);
    const bob = await registerUser(homeserver);
    const tessera = startEngine({ forceSyncV3: true });
    const profileDir = tessera.profileDir;
    await signIn(tessera, alice);
    const first = storedTokens(tessera);
    expect(first.refreshToken).toEqual(expect.any(String));
    expect(first.accessTokenExpiresAt).toBeGreaterThan(Date.now());

    const bobPeer = new MatrixPeer({ baseUrl: homeserver.baseUrl, ...bob });
    const roomId = await bobPeer.createRoom({ name: 'Refresh', invite: [alice.userId] });
    await new MatrixPeer({ baseUrl: homeserver.baseUrl, ...alice }).join(roomId);
    await tessera.waitForRooms((rooms) =>
      rooms.some((room) => room.roomId === roomId && room.membership === 'join'),
    );

    const seen: string[] = [first.accessToken, first.refreshToken ?? ''];
    for (let round = 0; round < 3; round++) {
      await sleep(ACCESS_LIFETIME_MS + 1_000);
      const ping = `ping ${round} ${randomBytes(4).toString('hex')}`;
      await bobPeer.sendText(roomId, ping);
      await received(tessera, roomId, ping);
      const sent = await tessera.invoke('message.send', { roomId, body: `pong ${round}` });
      if (!sent.ok) throw new Error(sent.error.code);
      await statusOf(tessera, (sent.value as { transactionId: string }).transactionId, 'sent');
      const now = storedTokens(tessera);
      seen.push(now.accessToken, now.refreshToken ?? '');
    }
    const latest = storedTokens(tessera);
    expect(latest.refreshToken).not.toBe(first.refreshToken);
    expect(latest.accessToken).not.toBe(first.accessToken);
    expect(securityKinds(tessera).filter((kind) => kind === 'token_refreshed').length).toBeGreaterThanOrEqual(
      3,
    );
    expect(tessera.engine.session?.db.securityLog.verify()).toMatchObject({ ok: true });
    // No token, old or new, in any log line or event.
    const emitted = JSON.stringify([tessera.logs, tessera.events]);
    for (const token of seen) expect(emitted).not.toContain(token);

    // Restart once the access token has expired: only the stored, rotated refresh token works now
    // (Synapse invalidates the previous one once the new access token is used).
    await tessera.engine.shutdown();
    await sleep(ACCESS_LIFETIME_MS + 1_000);
    const again = startEngine({ forceSyncV3: true, profileDir });
    cleanup.push(() => again.dispose());
    await until('sync after the restart', () => (again.engine.syncState === 'live' ? true : undefined));
    const after = `after restart ${randomBytes(4).toString('hex')}`;
    await bobPeer.sendText(roomId, after);
    await received(again, roomId, after);
    const sent = await again.invoke('message.send', { roomId, body: 'still here' });
    if (!sent.ok) throw new Error(sent.error.code);
    await statusOf(again, (sent.value as { transactionId: string }).transactionId, 'sent');
    expect(storedTokens(again).refreshToken).not.toBe(latest.refreshToken);
    expect((await again.invoke('session.get')).ok).toBe(true);
  }, 120_000);
});

describe('soft logout', () => {
  it('keeps the device: a wrong password leaves it, the right one resumes sync and decryption', async () => {
    const alice = await registerUser(homeserver);
    const bob = await registerUser(homeserver);
    const tessera = startEngine({ forceSyncV3: true });
    const profileDir = tessera.profileDir;
    const session = await signIn(tessera, alice);
    const peer = await OlmPeer.start({ baseUrl: homeserver.baseUrl, ...bob });
    cleanup.push(() => peer.close());
    const roomId = await peer.createEncryptedRoom({ name: 'Soft logout', invite: [alice.userId] });
    await new MatrixPeer({ baseUrl: homeserver.baseUrl, ...alice }).join(roomId);
    await tessera.waitForRooms((rooms) =>
      rooms.some((room) => room.roomId === roomId && room.membership === 'join' && room.isEncrypted),
    );
    const before = `before ${randomBytes(4).toString('hex')}`;
    await peer.sendEncryptedText(roomId, before, [alice.userId, bob.userId]);
    await received(tessera, roomId, before);

    // Away longer than the refresh token lives: the server now soft-logs the session out.
    await tessera.engine.shutdown();
    await sleep(REFRESH_LIFETIME_MS + 2_000);
    const again = startEngine({ forceSyncV3: true, profileDir });
    cleanup.push(() => again.dispose());
    const softLogout = async () => {
      const view = await again.invoke('session.get');
      const value = view.ok ? (view.value as SessionView | null) : null;
      return value?.storage.state === 'unavailable' && value.storage.error.code === 'soft_logout'
        ? value
        : undefined;
    };
    const ended = await until('the soft logout', softLogout);
    expect(ended).toMatchObject({ userId: alice.userId, deviceId: session.deviceId });

    const wrong = await again.invoke('session.reauthenticate', { password: `${alice.password}-wrong` });
    expect(wrong).toMatchObject({ ok: false, error: { code: 'invalid_credentials' } });
    expect(await softLogout()).toBeDefined();

    const right = await again.invoke('session.reauthenticate', { password: alice.password });
    expect(right).toMatchObject({ ok: true, value: { userId: alice.userId, deviceId: session.deviceId } });
    await until('sync after signing in again', () => (again.engine.syncState === 'live' ? true : undefined));
    // The history stays, and the same device keys still receive room keys.
    expect(again.engine.session?.timeline(roomId, 100).some((item) => item.content.body === before)).toBe(
      true,
    );
    const after = `after ${randomBytes(4).toString('hex')}`;
    await peer.sendEncryptedText(roomId, after, [alice.userId, bob.userId]);
    const item = await received(again, roomId, after);
    expect(item.decryption).toBe('decrypted');
    const kinds = again.engine.session?.db.securityLog.entries().map((entry) => entry.kind) ?? [];
    expect(kinds).toEqual(expect.arrayContaining(['sign_in', 'soft_logout', 'reauthenticated']));
    // Not valid when nothing is soft-logged-out.
    expect(await again.invoke('session.reauthenticate', { password: alice.password })).toMatchObject({
      ok: false,
      error: { code: 'not_signed_in' },
    });
  }, 120_000);

  it('with a passphrase-protected profile, signing in again waits for the unlock to store the tokens', async () => {
    const alice = await registerUser(homeserver);
    const passphrase = `storage ${randomBytes(6).toString('hex')}`;
    const tessera = startEngine({ forceSyncV3: true });
    const profileDir = tessera.profileDir;
    const login = await tessera.invoke('session.login', {
      homeserver: homeserver.baseUrl,
      user: alice.localpart,
      password: alice.password,
      storagePassphrase: passphrase,
    });
    if (!login.ok) throw new Error(`sign-in failed: ${login.error.code}`);
    const deviceId = (login.value as SessionView).deviceId;
    await tessera.engine.shutdown();
    await sleep(REFRESH_LIFETIME_MS + 2_000);

    const again = startEngine({ forceSyncV3: true, profileDir });
    cleanup.push(() => again.dispose());
    await until('the locked profile', async () => {
      const view = await again.invoke('session.get');
      return view.ok && (view.value as SessionView | null)?.storage.state === 'locked' ? true : undefined;
    });
    expect(await again.invoke('session.unlock', { passphrase })).toMatchObject({ ok: true });
    await until('the soft logout', async () => {
      const view = await again.invoke('session.get');
      const value = view.ok ? (view.value as SessionView | null) : null;
      return value?.storage.state === 'unavailable' && value.storage.error.code === 'soft_logout'
        ? true
        : undefined;
    });

    const right = await again.invoke('session.reauthenticate', { password: alice.password });
    expect(right).toMatchObject({ ok: true, value: { deviceId, storage: { state: 'locked' } } });
    expect(await again.invoke('session.unlock', { passphrase })).toMatchObject({
      ok: true,
      value: { deviceId, storage: { state: 'open' } },
    });
    await until('sync after the unlock', () => (again.engine.syncState === 'live' ? true : undefined));
    expect(securityKinds(again)).toEqual(expect.arrayContaining(['soft_logout', 'reauthenticated']));
  }, 120_000);
});
