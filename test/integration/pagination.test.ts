// Back-pagination against the real Synapse: history that sync left behind a gap (the room list
// asks for one event per room) is fetched with /messages into the gap, in order, once each,
// and the gap closes; encrypted history decrypts afterwards.
import { afterEach, describe, expect, inject, it } from 'vitest';
import type { SessionView } from '../../src-preload/contract.ts';
import type { AccountSession } from '../../src-main/engine/account/account-session.ts';
import { MatrixPeer } from '../homeserver/matrix-peer.ts';
import { OlmPeer } from '../homeserver/olm-peer.ts';
import { registerUser, type RegisteredUser } from '../homeserver/synapse.ts';
import { publishedKeys } from './crypto-fixture.ts';
import { startEngine, type RecordedEngine } from './engine-harness.ts';
import { until } from '../support/until.ts';

const homeserver = inject('homeserver');
const cleanup: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function signIn(user: RegisteredUser, options: { forceSyncV3: boolean; profileDir?: string }) {
  const tessera = startEngine(options);
  const login = await tessera.invoke('session.login', {
    homeserver: homeserver.baseUrl,
    user: user.localpart,
    password: user.password,
  });
  if (!login.ok) throw new Error(`sign-in failed: ${login.error.code}`);
  return { tessera, deviceId: (login.value as SessionView).deviceId };
}

function openSession(tessera: RecordedEngine): AccountSession {
  const session = tessera.engine.session;
  if (!session) throw new Error('no open session');
  return session;
}

/** Paginates until the room has no gap left; returns how many events were added. */
async function paginateToTheEnd(session: AccountSession, roomId: string): Promise<number> {
  let added = 0;
  for (let page = 0; page < 50 && session.db.timeline.gaps(roomId).length > 0; page++)
    added += (await session.paginate(roomId, 10)).added;
  return added;
}

function texts(session: AccountSession, roomId: string): string[] {
  return session.db.timeline
    .latest(roomId, 1000)
    .filter((event) => event.type === 'm.room.message')
    .map((event) => String(event.content.body));
}

function eventIds(session: AccountSession, roomId: string): string[] {
  return session.db.timeline.latest(roomId, 1000).map((event) => event.eventId);
}

const numbered = (label: string, count: number) =>
  Array.from({ length: count }, (_, index) => `${label} ${String(index).padStart(2, '0')}`);

describe.each([
  { api: 'Simplified Sliding Sync', forceSyncV3: false },
  { api: '/v3/sync', forceSyncV3: true },
])('back-pagination over $api', ({ forceSyncV3 }) => {
  it('fills 30 messages sent before sign-in, in order, once each, up to the room start', async () => {
    const [alice, bob] = await Promise.all([registerUser(homeserver), registerUser(homeserver)]);
    const bobPeer = new MatrixPeer({ baseUrl: homeserver.baseUrl, ...bob });
    const roomId = await bobPeer.createRoom({ name: 'History', invite: [alice.userId] });
    await new MatrixPeer({ baseUrl: homeserver.baseUrl, ...alice }).join(roomId);
    const sent = numbered('before sign-in', 30);
    let lastId = '';
    for (const text of sent) lastId = await bobPeer.sendText(roomId, text);

    const { tessera } = await signIn(alice, { forceSyncV3 });
    cleanup.push(() => tessera.dispose());
    const session = openSession(tessera);
    await until('the newest message synced', () => session.db.timeline.get(roomId, lastId) ?? undefined);
    expect(session.db.timeline.gaps(roomId).length).toBeGreaterThan(0);

    await paginateToTheEnd(session, roomId);
    expect(session.db.timeline.gaps(roomId)).toEqual([]);
    expect(texts(session, roomId)).toEqual(sent);
    const ids = eventIds(session, roomId);
    expect(new Set(ids).size).toBe(ids.length);
    // The room's first event is its creation: the start was reached.
    expect(session.db.timeline.latest(roomId, 1000)[0]?.type).toBe('m.room.create');
    expect(await session.paginate(roomId, 10)).toMatchObject({ added: 0, reachedStart: true });
  });

  it('after a restart, fills 30 encrypted messages sent while it was stopped, closes the gap, and decrypts them', async () => {
    const [alice, bob] = await Promise.all([registerUser(homeserver), registerUser(homeserver)]);
    const first = await signIn(alice, { forceSyncV3 });
    let current = first.tessera;
    cleanup.push(() => current.dispose());
    const peer = await OlmPeer.start({ baseUrl: homeserver.baseUrl, ...bob });
    cleanup.push(() => peer.close());
    const roomId = await peer.createEncryptedRoom({ name: 'While stopped', invite: [alice.userId] });
    await new MatrixPeer({ baseUrl: homeserver.baseUrl, ...alice }).join(roomId);
    await until(
      'device keys published',
      async () =>
        (await publishedKeys(homeserver.baseUrl, bob.accessToken, alice.userId, first.deviceId)).curve25519,
    );
    const earlyId = await peer.sendEncryptedText(roomId, 'before the restart', [alice.userId, bob.userId]);
    await until(
      'the early message stored',
      () => openSession(first.tessera).db.timeline.get(roomId, earlyId) ?? undefined,
    );

    const profileDir = first.tessera.profileDir;
    await first.tessera.engine.shutdown();
    const sent = numbered('while stopped', 30);
    const sentIds: string[] = [];
    for (const text of sent)
      sentIds.push(await peer.sendEncryptedText(roomId, text, [alice.userId, bob.userId]));

    current = startEngine({ profileDir, forceSyncV3 });
    const session = await until('the account reopened', () => current.engine.session ?? undefined);
    session.openRoom(roomId);
    await until(
      'the newest message synced',
      () => session.db.timeline.get(roomId, sentIds.at(-1)!) ?? undefined,
    );
    await session.whenBackfilled();
    await paginateToTheEnd(session, roomId);
    expect(session.db.timeline.gaps(roomId)).toEqual([]);

    const encrypted = session.db.timeline
      .latest(roomId, 1000)
      .filter((event) => event.type === 'm.room.encrypted');
    expect(encrypted.map((event) => event.eventId)).toEqual([earlyId, ...sentIds]);
    await session.decryption?.whenIdle();
    const clear = await until('every message decrypted', () => {
      const bodies = session
        .timeline(roomId, 1000)
        .flatMap((item) =>
          item.encrypted && item.decryption === 'decrypted' ? [String(item.content.body)] : [],
        );
      return bodies.length === sent.length + 1 ? bodies : undefined;
    });
    expect(clear).toEqual(['before the restart', ...sent]);
  });
});
