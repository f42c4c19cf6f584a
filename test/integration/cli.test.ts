// The `tessera` CLI against the real Synapse, as a script would run it: each command a new process
// on the same profile (same keychain entry and encrypted store).
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { OlmPeer } from '../homeserver/olm-peer.ts';
import { registerUser } from '../homeserver/synapse.ts';
import { jsonOf, runTessera } from './cli-support.ts';
import { until } from '../support/until.ts';

const homeserver = inject('homeserver');
const cleanup: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

function freshProfile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-cli-'));
  cleanup.push(async () => {
    // Signs out (and removes the keychain entry) if a test left the profile signed in.
    if (existsSync(join(dir, 'account', 'manifest.json'))) await runTessera(['--profile', dir, 'logout']);
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

describe('tessera CLI', () => {
  it('signs in, creates an encrypted room, sends, reads it back decrypted and signs out', async () => {
    const alice = await registerUser(homeserver);
    const bob = await registerUser(homeserver);
    const peer = await OlmPeer.start({ baseUrl: homeserver.baseUrl, ...bob });
    cleanup.push(() => peer.close());
    const profile = freshProfile();
    const cli = (...args: string[]) => runTessera(['--profile', profile, ...args]);

    const login = await runTessera(
      [
        '--profile',
        profile,
        'login',
        '--homeserver',
        homeserver.baseUrl,
        '--user',
        alice.localpart,
        '--password-stdin',
      ],
      { input: `${alice.password}\n` },
    );
    expect(login.code, login.stderr).toBe(0);
    expect(login.stdout + login.stderr).not.toContain(alice.password);
    expect(login.stdout).toContain(alice.userId);

    const whoami = await cli('--json', 'whoami');
    expect(whoami.code, whoami.stderr).toBe(0);
    expect(jsonOf(whoami)).toMatchObject({ ok: true, session: { userId: alice.userId } });

    const created = await cli('--json', 'create-room', '--name', 'CLI room', '--invite', bob.userId);
    expect(created.code, created.stderr).toBe(0);
    const roomId = String(jsonOf(created).roomId);
    expect(roomId).toMatch(/^!/);

    const synced = await cli('sync', '--once');
    expect(synced.code, synced.stderr).toBe(0);
    const rooms = await cli('--json', 'rooms');
    expect(rooms.code, rooms.stderr).toBe(0);
    expect(jsonOf(rooms).rooms).toEqual(
      expect.arrayContaining([expect.objectContaining({ roomId, name: 'CLI room', isEncrypted: true })]),
    );

    const text = `hello ${randomBytes(4).toString('hex')}`;
    const sent = await cli('--json', 'send', roomId, text);
    expect(sent.code, sent.stderr).toBe(0);
    const eventId = String(jsonOf(sent).eventId);
    expect(sent.stderr).not.toContain(text);

    await peer.matrix.join(roomId);
    const raw = await peer.rawEvent(roomId, eventId);
    expect(raw.type).toBe('m.room.encrypted');
    const clear = await until('the peer to decrypt', async () => {
      await peer.syncCrypto();
      return peer.decryptEvent(roomId, eventId).catch(() => undefined);
    });
    expect(clear).toMatchObject({ type: 'm.room.message', content: { msgtype: 'm.text', body: text } });

    const read = await cli('--json', 'read', roomId, '--limit', '10');
    expect(read.code, read.stderr).toBe(0);
    const messages = jsonOf(read).messages as Record<string, unknown>[];
    const mine = messages.find((message) => message.eventId === eventId);
    expect(mine).toMatchObject({
      sender: alice.userId,
      type: 'm.room.message',
      body: text,
      encrypted: true,
      decryption: 'decrypted',
      utd: null,
    });
    expect(mine?.shield).toMatchObject({ color: expect.any(String) });

    const human = await cli('read', roomId);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toContain(text);

    const logout = await cli('logout');
    expect(logout.code, logout.stderr).toBe(0);
    expect(existsSync(join(profile, 'account', 'manifest.json'))).toBe(false);
    const after = await cli('whoami');
    expect(after.code).toBe(3);
  });

  it('exits 3 for a wrong password and 4 for an unreachable homeserver', async () => {
    const alice = await registerUser(homeserver);
    const profile = freshProfile();
    const wrong = await runTessera(
      [
        '--profile',
        profile,
        '--json',
        'login',
        '--homeserver',
        homeserver.baseUrl,
        '--user',
        alice.localpart,
      ],
      { env: { TESSERA_PASSWORD: 'not-the-password' } },
    );
    expect(wrong.code).toBe(3);
    expect(jsonOf(wrong)).toMatchObject({ ok: false, error: { code: 'invalid_credentials' } });
    expect(wrong.stdout + wrong.stderr).not.toContain('not-the-password');

    const unreachable = await runTessera(
      ['--profile', profile, 'login', '--homeserver', 'http://127.0.0.1:9', '--user', alice.userId],
      { env: { TESSERA_PASSWORD: alice.password } },
    );
    expect(unreachable.code, unreachable.stderr).toBe(4);
  });

  it('exits 2 for a usage error before touching the profile', async () => {
    const profile = freshProfile();
    const run = await runTessera(['--profile', profile, 'send', '!room:server']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Usage: tessera');
  });
});
