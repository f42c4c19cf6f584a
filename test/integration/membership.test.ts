// Membership commands against the real Synapse: invite, join (by alias), leave, kick and ban, the
// power-level check before the request, and the server's refusals as typed errors.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import type { ErrorView, SessionView } from '../../src-preload/contract.ts';
import { MatrixPeer } from '../homeserver/matrix-peer.ts';
import { registerUser } from '../homeserver/synapse.ts';
import { startEngine, type RecordedEngine } from './engine-harness.ts';
import { runTessera } from './cli-support.ts';
import { until } from '../support/until.ts';

const homeserver = inject('homeserver');
const cleanup: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function signedIn(): Promise<{ tessera: RecordedEngine; session: SessionView }> {
  const alice = await registerUser(homeserver);
  const tessera = startEngine({ forceSyncV3: true });
  cleanup.push(() => tessera.dispose());
  const login = await tessera.invoke('session.login', {
    homeserver: homeserver.baseUrl,
    user: alice.localpart,
    password: alice.password,
  });
  if (!login.ok) throw new Error(`sign-in failed: ${login.error.code}`);
  return { tessera, session: login.value as SessionView };
}

const serverName = (member: MatrixPeer): string => member.userId.slice(member.userId.indexOf(':') + 1);

/** Each peer's access token, for the raw requests MatrixPeer does not offer. */
const tokens = new WeakMap<MatrixPeer, string>();

async function peer(): Promise<MatrixPeer> {
  const user = await registerUser(homeserver);
  const matrix = new MatrixPeer({ baseUrl: homeserver.baseUrl, ...user });
  tokens.set(matrix, user.accessToken);
  return matrix;
}

async function value<T>(outcome: Promise<{ ok: boolean; value?: unknown; error?: ErrorView }>): Promise<T> {
  const result = await outcome;
  if (!result.ok) throw new Error(`command failed: ${result.error?.code}`);
  return result.value as T;
}

async function membershipOf(member: MatrixPeer, roomId: string): Promise<string | undefined> {
  const joined = await member.getJoinedRooms();
  if (joined.includes(roomId)) return 'join';
  const invited = await member.getInvitedRooms();
  return invited.includes(roomId) ? 'invite' : 'none';
}

describe('room membership', () => {
  it('invites, kicks and bans within the own power level', async () => {
    const { tessera } = await signedIn();
    const bob = await peer();
    const { roomId } = await value<{ roomId: string }>(
      tessera.invoke('rooms.create', { name: 'Moderated', encrypted: false }),
    );

    await value(tessera.invoke('rooms.invite', { roomId, userId: bob.userId }));
    expect(await membershipOf(bob, roomId)).toBe('invite');
    await bob.join(roomId);

    await value(tessera.invoke('rooms.kick', { roomId, userId: bob.userId, reason: 'testing' }));
    expect(await bob.getJoinedRooms()).not.toContain(roomId);

    await value(tessera.invoke('rooms.invite', { roomId, userId: bob.userId }));
    await bob.join(roomId);
    await value(tessera.invoke('rooms.ban', { roomId, userId: bob.userId }));
    await expect(bob.join(roomId)).rejects.toThrow();
  });

  it('joins by alias and leaves; an unknown alias is room_not_found', async () => {
    const { tessera } = await signedIn();
    const bob = await peer();
    const roomId = await bob.createRoom({ name: 'Public', preset: 'public_chat' });
    const alias = `#cli-${Date.now().toString(36)}:${serverName(bob)}`;
    const response = await fetch(
      `${bob.baseUrl}/_matrix/client/v3/directory/room/${encodeURIComponent(alias)}`,
      {
        method: 'PUT',
        headers: { authorization: `Bearer ${tokens.get(bob) ?? ''}`, 'content-type': 'application/json' },
        body: JSON.stringify({ room_id: roomId }),
      },
    );
    expect(response.status, await response.clone().text()).toBe(200);

    // Through the servers a matrix: link named (here the one server there is).
    const joined = await value<{ roomId: string }>(
      tessera.invoke('rooms.join', { roomIdOrAlias: alias, via: [serverName(bob)] }),
    );
    expect(joined.roomId).toBe(roomId);
    await tessera.waitForRooms((rooms) =>
      rooms.some((room) => room.roomId === roomId && room.membership === 'join'),
    );
    await value(tessera.invoke('rooms.leave', { roomId }));
    await tessera.waitForRooms(
      (rooms) => !rooms.some((room) => room.roomId === roomId && room.membership === 'join'),
    );

    const unknown = await tessera.invoke('rooms.join', {
      roomIdOrAlias: `#nothing-here:${serverName(bob)}`,
    });
    expect(unknown).toMatchObject({ ok: false, error: { code: 'room_not_found' } });
  });

  it('refuses a kick above the own power level before asking the server, and maps M_FORBIDDEN', async () => {
    const { tessera, session } = await signedIn();
    const bob = await peer();
    const carol = await peer();
    const roomId = await bob.createRoom({ name: 'Bob’s', invite: [session.userId, carol.userId] });
    await carol.join(roomId);
    await value(tessera.invoke('rooms.join', { roomIdOrAlias: roomId }));
    // The power levels reach the store with the room's state.
    await until('the room state', () =>
      tessera.engine.session?.db.roomState.get(roomId, 'm.room.power_levels') ? true : undefined,
    );

    const kick = await tessera.invoke('rooms.kick', { roomId, userId: carol.userId });
    expect(kick).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await membershipOf(carol, roomId)).toBe('join');

    // A room Tessera is not in: nothing stored, so the server decides (M_FORBIDDEN).
    const other = await bob.createRoom({ name: 'Closed' });
    const invite = await tessera.invoke('rooms.invite', { roomId: other, userId: carol.userId });
    expect(invite).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });

  it('invites, joins and leaves through the CLI', async () => {
    const alice = await registerUser(homeserver);
    const bob = await peer();
    const profile = mkdtempSync(join(tmpdir(), 'tessera-cli-membership-'));
    const cli = (...args: string[]) => runTessera(['--profile', profile, ...args]);
    cleanup.push(async () => {
      await cli('logout');
      rmSync(profile, { recursive: true, force: true });
    });
    const login = await runTessera(
      ['--profile', profile, 'login', '--homeserver', homeserver.baseUrl, '--user', alice.localpart],
      { env: { TESSERA_PASSWORD: alice.password } },
    );
    expect(login.code, login.stderr).toBe(0);

    const roomId = await bob.createRoom({ name: 'Invited' });
    await bob.invite(roomId, alice.userId);
    const joined = await cli('join', roomId);
    expect(joined.code, joined.stderr).toBe(0);
    expect(joined.stdout.trim()).toBe(roomId);

    const invited = await cli('invite', roomId, '@nobody-else:localhost');
    // Synapse refuses an invite to an unknown local user; the CLI maps it, never exit 0.
    expect(invited.code).not.toBe(0);

    const left = await cli('leave', roomId);
    expect(left.code, left.stderr).toBe(0);
    expect(await bob.getJoinedRooms()).toContain(roomId);
  });
});
