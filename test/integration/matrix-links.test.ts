// matrix: links against the real Synapse: an alias resolves through the room directory, so a
// room we are in opens without a join and one we are not in is joined through the resolved id
// and the directory's servers; a link to an event opens the room at it, paginating back for it
// (in an encrypted room, the event is decrypted from the store like any other); an unknown
// alias or event is a typed answer, never a join or an error page.
import { afterEach, describe, expect, inject, it } from 'vitest';
import type { RoomAliasTarget, SessionView, TimelinePage } from '../../src-preload/contract.ts';
import { parseMatrixUri } from '../../src-main/matrix-uri.ts';
import { planLink } from '../../src-renderer/lib/link-plan.ts';
import { MatrixPeer } from '../homeserver/matrix-peer.ts';
import { OlmPeer } from '../homeserver/olm-peer.ts';
import { registerUser, type RegisteredUser } from '../homeserver/synapse.ts';
import { until } from '../support/until.ts';
import { publishedKeys } from './crypto-fixture.ts';
import { startEngine } from './engine-harness.ts';
import { changes, messageBody, untilView } from './timeline-support.ts';

const homeserver = inject('homeserver');
const cleanup: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function signIn(user: RegisteredUser, profileDir?: string) {
  const tessera = startEngine({ forceSyncV3: true, ...(profileDir ? { profileDir } : {}) });
  const login = await tessera.invoke('session.login', {
    homeserver: homeserver.baseUrl,
    user: user.localpart,
    password: user.password,
  });
  if (!login.ok) throw new Error(`sign-in failed: ${login.error.code}`);
  return { tessera, session: login.value as SessionView };
}

async function value<T>(outcome: Promise<{ ok: boolean; value?: unknown; error?: { code: string } }>) {
  const result = await outcome;
  if (!result.ok) throw new Error(`command failed: ${result.error?.code}`);
  return result.value as T;
}

const serverOf = (userId: string) => userId.slice(userId.indexOf(':') + 1);

async function publishAlias(user: RegisteredUser, roomId: string, label: string): Promise<string> {
  const alias = `#${label}-${Date.now().toString(36)}:${serverOf(user.userId)}`;
  const response = await fetch(
    `${homeserver.baseUrl}/_matrix/client/v3/directory/room/${encodeURIComponent(alias)}`,
    {
      method: 'PUT',
      headers: { authorization: `Bearer ${user.accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ room_id: roomId }),
    },
  );
  if (!response.ok) throw new Error(`alias not published: ${response.status}`);
  return alias;
}

/** What main hands the renderer for a matrix: URI. */
function opened(uri: string) {
  const parsed = parseMatrixUri(uri);
  if (!parsed.ok) throw new Error(`not a link: ${parsed.reason}`);
  return parsed.link;
}

const uriPart = (id: string) => encodeURIComponent(id.slice(1));

describe('matrix: links', () => {
  it('an alias of a room we are in resolves to it, so the link opens it without a join', async () => {
    const [alice, bob] = await Promise.all([registerUser(homeserver), registerUser(homeserver)]);
    const { tessera } = await signIn(alice);
    cleanup.push(() => tessera.dispose());
    const bobPeer = new MatrixPeer({ baseUrl: homeserver.baseUrl, ...bob });
    const roomId = await bobPeer.createRoom({ name: 'Ours', invite: [alice.userId] });
    const alias = await publishAlias(bob, roomId, 'ours');
    await value(tessera.invoke('rooms.join', { roomIdOrAlias: roomId }));
    const rooms = await tessera.waitForRooms((list) =>
      list.some((room) => room.roomId === roomId && room.membership === 'join'),
    );

    const target = await value<RoomAliasTarget>(tessera.invoke('rooms.resolveAlias', { alias }));
    expect(target).toEqual({ roomId, servers: [serverOf(bob.userId)] });
    const link = opened(`matrix:r/${uriPart(alias)}`);
    expect(planLink(link, target, rooms)).toEqual({ kind: 'open', roomId, eventId: null });
  });

  it('joins a public room we are not in through its alias, then opens it at the linked message', async () => {
    const [alice, bob] = await Promise.all([registerUser(homeserver), registerUser(homeserver)]);
    const { tessera } = await signIn(alice);
    cleanup.push(() => tessera.dispose());
    const bobPeer = new MatrixPeer({ baseUrl: homeserver.baseUrl, ...bob });
    const roomId = await bobPeer.createRoom({ name: 'Town square', preset: 'public_chat' });
    const alias = await publishAlias(bob, roomId, 'square');
    const linked = await bobPeer.sendText(roomId, 'the linked message');
    for (let index = 0; index < 5; index++) await bobPeer.sendText(roomId, `later ${index}`);

    const link = opened(`matrix:r/${uriPart(alias)}/e/${uriPart(linked)}?action=join`);
    const target = await value<RoomAliasTarget>(tessera.invoke('rooms.resolveAlias', { alias }));
    const plan = planLink(link, target, tessera.latestRooms());
    expect(plan).toEqual({
      kind: 'join',
      address: alias,
      roomIdOrAlias: roomId,
      via: [serverOf(bob.userId)],
      eventId: linked,
    });
    if (plan.kind !== 'join') return;
    const joined = await value<{ roomId: string }>(
      tessera.invoke('rooms.join', { roomIdOrAlias: plan.roomIdOrAlias, via: plan.via }),
    );
    expect(joined.roomId).toBe(roomId);
    await tessera.waitForRooms((list) =>
      list.some((room) => room.roomId === roomId && room.membership === 'join'),
    );

    const page = await value<TimelinePage>(
      tessera.invoke('timeline.open', { roomId, limit: 10, aroundEvent: linked }),
    );
    expect(page.aroundEvent).toEqual({ eventId: linked, found: true });
    const at = page.items.findIndex((item) => item.eventId === linked);
    expect(messageBody(page.items[at])).toBe('the linked message');
    // Everything after it follows, up to the newest.
    expect(page.items.slice(at + 1).flatMap((item) => messageBody(item) ?? [])).toEqual([
      'later 0',
      'later 1',
      'later 2',
      'later 3',
      'later 4',
    ]);
  });

  it('pages back to an old encrypted message and shows it decrypted', async () => {
    const [alice, bob] = await Promise.all([registerUser(homeserver), registerUser(homeserver)]);
    const first = await signIn(alice);
    let current = first.tessera;
    cleanup.push(() => current.dispose());
    const peer = await OlmPeer.start({ baseUrl: homeserver.baseUrl, ...bob });
    cleanup.push(() => peer.close());
    const roomId = await peer.createEncryptedRoom({ name: 'Secret history', invite: [alice.userId] });
    await new MatrixPeer({ baseUrl: homeserver.baseUrl, ...alice }).join(roomId);
    await until(
      'device keys published',
      async () =>
        (await publishedKeys(homeserver.baseUrl, bob.accessToken, alice.userId, first.session.deviceId))
          .curve25519,
    );
    const recipients = [alice.userId, bob.userId];
    const earlyId = await peer.sendEncryptedText(roomId, 'before the restart', recipients);
    await until(
      'the early message stored',
      () => first.tessera.engine.session?.db.timeline.get(roomId, earlyId) ?? undefined,
    );

    // While Tessera is stopped: more than sync and the background backfill bring back (one
    // event, then a page of 50). The link goes to one of them that is still not stored after that.
    const profileDir = first.tessera.profileDir;
    await first.tessera.engine.shutdown();
    const sentIds: string[] = [];
    for (let index = 0; index < 160; index++)
      sentIds.push(await peer.sendEncryptedText(roomId, `while stopped ${index}`, recipients));

    current = startEngine({ profileDir, forceSyncV3: true });
    const session = await until('the account reopened', () => current.engine.session ?? undefined);
    await until(
      'the newest message synced',
      () => session.db.timeline.get(roomId, sentIds.at(-1)!) ?? undefined,
    );
    await session.whenBackfilled();
    const index = sentIds.findIndex((eventId) => session.db.timeline.get(roomId, eventId) === null);
    expect(index).toBeGreaterThanOrEqual(0);
    const linked = sentIds[index]!;

    const link = opened(`matrix:roomid/${uriPart(roomId)}/e/${uriPart(linked)}`);
    expect(planLink(link, null, current.latestRooms())).toMatchObject({ kind: 'open', eventId: linked });
    const page = await value<TimelinePage>(
      current.invoke('timeline.open', { roomId, limit: 5, aroundEvent: linked }),
    );
    expect(page.aroundEvent).toEqual({ eventId: linked, found: true });
    expect(page.items.map((item) => item.eventId)).toContain(linked);
    // Decrypted once, from the store; the open room hears it as a change if it was still waiting.
    const view = await untilView(current, page, 'the linked message decrypted', (items) =>
      items.some((item) => item.eventId === linked && messageBody(item) === `while stopped ${index}`),
    );
    const at = view.findIndex((item) => item.eventId === linked);
    expect(view.slice(at + 1).map((item) => item.eventId)).toEqual(sentIds.slice(index + 1));
    expect(changes(current, roomId).every((change) => change.roomId === roomId)).toBe(true);
  });

  it('answers room_not_found for an alias nobody has, and found: false for an unknown event', async () => {
    const [alice, bob] = await Promise.all([registerUser(homeserver), registerUser(homeserver)]);
    const { tessera } = await signIn(alice);
    cleanup.push(() => tessera.dispose());
    const unknown = await tessera.invoke('rooms.resolveAlias', {
      alias: `#nothing-here-${Date.now().toString(36)}:${serverOf(alice.userId)}`,
    });
    expect(unknown).toMatchObject({ ok: false, error: { code: 'room_not_found' } });

    const bobPeer = new MatrixPeer({ baseUrl: homeserver.baseUrl, ...bob });
    const roomId = await bobPeer.createRoom({ name: 'Plain', invite: [alice.userId] });
    const elsewhere = await bobPeer.createRoom({ name: 'Elsewhere' });
    const otherRoomsEvent = await bobPeer.sendText(elsewhere, 'not in this room');
    await value(tessera.invoke('rooms.join', { roomIdOrAlias: roomId }));
    const latest = await bobPeer.sendText(roomId, 'the newest');
    await tessera.waitForRooms((list) =>
      list.some((room) => room.roomId === roomId && room.membership === 'join'),
    );
    await until(
      'the newest message synced',
      () => tessera.engine.session?.db.timeline.get(roomId, latest) ?? undefined,
    );

    for (const missing of ['$doesNotExist', otherRoomsEvent]) {
      const page = await value<TimelinePage>(
        tessera.invoke('timeline.open', { roomId, limit: 5, aroundEvent: missing }),
      );
      expect(page.aroundEvent).toEqual({ eventId: missing, found: false });
      expect(messageBody(page.items.at(-1))).toBe('the newest');
    }
  });
});
