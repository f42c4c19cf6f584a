// Bad input from the homeserver (issue 4), through a proxy in front of the real Synapse: spoiled
// sync responses, server errors and rate limits, and tokens the server no longer accepts.
import { afterEach, describe, expect, inject, it } from 'vitest';
import type { RoomSummary, SessionView } from '../../src-preload/contract.ts';
import { MatrixPeer } from '../homeserver/matrix-peer.ts';
import { registerUser } from '../homeserver/synapse.ts';
import { BadInputProxy, OVERSIZED_EVENT_ID, SMALL_EVENT_ID } from './bad-input-proxy.ts';
import { startEngine, type RecordedEngine } from './engine-harness.ts';

const homeserver = inject('homeserver');
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function signedInBehindProxy(
  forceSyncV3: boolean,
  options: { withoutRefreshTokens?: boolean } = {},
): Promise<{
  proxy: BadInputProxy;
  tessera: RecordedEngine;
  peer: MatrixPeer;
  userId: string;
}> {
  const proxy = await BadInputProxy.start(homeserver.baseUrl);
  cleanups.push(() => proxy.stop());
  proxy.withoutRefreshTokens = options.withoutRefreshTokens ?? false;
  const [alice, bob] = await Promise.all([registerUser(homeserver), registerUser(homeserver)]);
  const tessera = startEngine({ forceSyncV3 });
  cleanups.push(() => tessera.dispose());
  const login = await tessera.invoke('session.login', {
    homeserver: proxy.baseUrl,
    user: alice.localpart,
    password: alice.password,
  });
  expect(login.ok).toBe(true);
  await waitFor(tessera, () => sessionView(tessera)?.syncState === 'live');
  return {
    proxy,
    tessera,
    peer: new MatrixPeer({ baseUrl: homeserver.baseUrl, ...bob }),
    userId: alice.userId,
  };
}

function sessionView(tessera: RecordedEngine): SessionView | null | undefined {
  return [...tessera.events].reverse().find((event) => event.name === 'session.changed')?.payload as
    SessionView | null | undefined;
}

function syncStates(tessera: RecordedEngine): string[] {
  return tessera.events
    .filter((event) => event.name === 'session.changed' && event.payload !== null)
    .map((event) => (event.payload as SessionView).syncState);
}

async function waitFor(tessera: RecordedEngine, predicate: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`condition never held; logs: ${JSON.stringify(tessera.logs)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const hasRoom = (roomId: string) => (rooms: RoomSummary[]) => rooms.some((room) => room.roomId === roomId);

describe.each([
  { api: 'Simplified Sliding Sync', forceSyncV3: false },
  { api: '/v3/sync', forceSyncV3: true },
])('bad input over $api', ({ forceSyncV3 }) => {
  it('skips malformed sync JSON and wrong-shaped rooms and events, logs without content, and keeps syncing', async () => {
    const { proxy, tessera, peer, userId } = await signedInBehindProxy(forceSyncV3);
    proxy.queue({ kind: 'invalid-json' }, { kind: 'wrong-shape' });
    await waitFor(tessera, () => proxy.pending === 0 && proxy.syncsAfterFaults > 0);

    const roomId = await peer.createRoom({ name: 'After the bad input', invite: [userId] });
    await tessera.waitForRooms(hasRoom(roomId));
    expect(tessera.engine.session).not.toBeNull();
    expect(sessionView(tessera)?.storage.state).toBe('open');
    expect(tessera.latestRooms().some((room) => room.roomId.includes('wrong-shape'))).toBe(false);
    expect(tessera.logs.some((log) => log.level === 'warn' && log.message.startsWith('sync:'))).toBe(true);
    expect(JSON.stringify(tessera.logs)).not.toContain('BAD-INPUT-CONTENT');
  });

  it('does not store an oversized (70 KB) event, and stores the event after it', async () => {
    const { proxy, tessera, peer, userId } = await signedInBehindProxy(forceSyncV3);
    const roomId = await peer.createRoom({ name: 'Big event', invite: [userId] });
    await tessera.waitForRooms(hasRoom(roomId));
    expect(await tessera.invoke('rooms.join', { roomIdOrAlias: roomId })).toMatchObject({ ok: true });
    await tessera.waitForRooms((rooms) =>
      rooms.some((room) => room.roomId === roomId && room.membership === 'join'),
    );

    proxy.queue({ kind: 'oversized', roomId, sender: peer.userId });
    const db = tessera.engine.session?.db;
    await waitFor(tessera, () => db?.timeline.get(roomId, SMALL_EVENT_ID) !== null);
    expect(db?.timeline.get(roomId, OVERSIZED_EVENT_ID)).toBeNull();
    expect(tessera.logs.some((log) => log.message.includes('skipped'))).toBe(true);
  });

  it('backs off on dropped connections, 502 and 429 with Retry-After, goes offline, then live again', async () => {
    const { proxy, tessera, peer, userId } = await signedInBehindProxy(forceSyncV3);
    const badGateway = {
      kind: 'status',
      status: 502,
      body: { errcode: 'M_UNKNOWN', error: 'bad gateway' },
    } as const;
    proxy.queue({ kind: 'drop' }, badGateway, badGateway, {
      kind: 'status',
      status: 429,
      body: { errcode: 'M_LIMIT_EXCEEDED', error: 'slow down' },
      retryAfter: '1',
    });
    await waitFor(tessera, () => proxy.pending === 0 && proxy.syncsAfterFaults > 0);

    const roomId = await peer.createRoom({ name: 'After the outage', invite: [userId] });
    await tessera.waitForRooms(hasRoom(roomId));
    await waitFor(tessera, () => sessionView(tessera)?.syncState === 'live');
    const states = syncStates(tessera);
    const offline = states.indexOf('offline');
    expect(offline).toBeGreaterThan(-1);
    expect(states.slice(offline)).toContain('live');
    expect(tessera.engine.session).not.toBeNull();
  });

  it('reports a soft logout (401 M_UNKNOWN_TOKEN with soft_logout) to the UI and keeps the local data', async () => {
    const { proxy, tessera } = await signedInBehindProxy(forceSyncV3);
    // With a refresh token held, the session ends only when the refresh is refused too.
    proxy.refuseRefresh = true;
    proxy.queue({
      kind: 'status',
      status: 401,
      body: { errcode: 'M_UNKNOWN_TOKEN', error: 'Token expired', soft_logout: true },
    });
    await waitFor(tessera, () => sessionView(tessera)?.storage.state === 'unavailable');
    expect(proxy.refreshes).toBeGreaterThan(0);
    const view = sessionView(tessera);
    expect(view?.storage).toMatchObject({ state: 'unavailable', error: { code: 'soft_logout' } });
    expect(tessera.logs.some((log) => log.message.includes('soft logout'))).toBe(true);
    const got = await tessera.invoke('session.get');
    expect(got).toMatchObject({ ok: true, value: { storage: { error: { code: 'soft_logout' } } } });
  });

  it('refreshes the access token after a 401 M_UNKNOWN_TOKEN and keeps syncing', async () => {
    const { proxy, tessera, peer, userId } = await signedInBehindProxy(forceSyncV3);
    const before = tessera.engine.session?.db.session.get();
    proxy.queue({
      kind: 'status',
      status: 401,
      body: { errcode: 'M_UNKNOWN_TOKEN', error: 'Token expired', soft_logout: true },
    });
    await waitFor(tessera, () => proxy.pending === 0 && proxy.syncsAfterFaults > 0);
    const roomId = await peer.createRoom({ name: 'After the refresh', invite: [userId] });
    await tessera.waitForRooms(hasRoom(roomId));
    expect(proxy.refreshes).toBe(1);
    expect(sessionView(tessera)?.storage.state).toBe('open');
    const after = tessera.engine.session?.db.session.get();
    expect(after?.accessToken).not.toBe(before?.accessToken);
    expect(after?.refreshToken).not.toBe(before?.refreshToken);
  });

  it('without refresh tokens (an older server), a 401 soft logout ends the session with no refresh', async () => {
    const { proxy, tessera } = await signedInBehindProxy(forceSyncV3, { withoutRefreshTokens: true });
    expect(tessera.engine.session?.db.session.get()).toMatchObject({
      refreshToken: null,
      accessTokenExpiresAt: null,
    });
    proxy.queue({
      kind: 'status',
      status: 401,
      body: { errcode: 'M_UNKNOWN_TOKEN', error: 'Token expired', soft_logout: true },
    });
    await waitFor(tessera, () => sessionView(tessera)?.storage.state === 'unavailable');
    expect(sessionView(tessera)?.storage).toMatchObject({ error: { code: 'soft_logout' } });
    expect(proxy.refreshes).toBe(0);
  });

  it('reports a revoked token (POST /logout elsewhere) as a session ended by the server', async () => {
    const { tessera } = await signedInBehindProxy(forceSyncV3);
    const token = tessera.engine.session?.db.session.get()?.accessToken ?? '';
    expect(token).not.toBe('');
    const response = await fetch(`${homeserver.baseUrl}/_matrix/client/v3/logout`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(response.status).toBe(200);
    await waitFor(tessera, () => sessionView(tessera)?.storage.state === 'unavailable');
    expect(sessionView(tessera)?.storage).toMatchObject({
      state: 'unavailable',
      error: { code: 'not_signed_in' },
    });
    expect(tessera.logs.some((log) => log.message.includes('token revoked'))).toBe(true);
  });
});
