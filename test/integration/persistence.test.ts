// The account survives restarts, its local data fails safe, and signing out leaves nothing
// (issue 3). Runs inside scripts/with-secret-service.sh: the keychain is a real gnome-keyring.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import type { RoomSummary, SessionView } from '../../src-preload/contract.ts';
import { keychainAccountFor } from '../../src-main/engine/keychain/keychain-account.ts';
import { KeychainVault } from '../../src-main/engine/keychain/keychain-vault.ts';
import { MatrixPeer } from '../homeserver/matrix-peer.ts';
import { registerUser, type RegisteredUser } from '../homeserver/synapse.ts';
import { filesUnder } from '../support/profile-files.ts';
import { startEngine, type RecordedEngine } from './engine-harness.ts';

const homeserver = inject('homeserver');
const running: RecordedEngine[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((recorded) => recorded.dispose()));
});

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

async function signedIn(
  options: { forceSyncV3?: boolean } = {},
): Promise<{ tessera: RecordedEngine; alice: RegisteredUser; session: SessionView }> {
  const alice = await registerUser(homeserver);
  const tessera = startEngine(options);
  running.push(tessera);
  const login = await tessera.invoke('session.login', {
    homeserver: homeserver.baseUrl,
    user: alice.localpart,
    password: alice.password,
  });
  if (!login.ok) throw new Error(`sign-in failed: ${login.error.code}`);
  return { tessera, alice, session: login.value as SessionView };
}

/** Stops an engine without signing out, and starts a new one on the same profile. */
async function restart(
  tessera: RecordedEngine,
  options: { forceSyncV3?: boolean } = {},
): Promise<RecordedEngine> {
  await tessera.engine.shutdown();
  running.splice(running.indexOf(tessera), 1);
  const again = startEngine({ ...options, profileDir: tessera.profileDir });
  running.push(again);
  return again;
}

describe.each([{ forceSyncV3: false }, { forceSyncV3: true }])(
  'restart (forceSyncV3: $forceSyncV3)',
  (options) => {
    it('restores the session without a new sign-in: same device, same identity keys, the room list from disk', async () => {
      const { tessera, alice, session } = await signedIn(options);
      const bob = await registerUser(homeserver);
      const bobPeer = new MatrixPeer({ baseUrl: homeserver.baseUrl, ...bob });
      const roomId = await bobPeer.createRoom({ name: 'Kept across restarts', invite: [alice.userId] });
      await tessera.waitForRooms((rooms) => rooms.some((room) => room.roomId === roomId));
      const identity = tessera.engine.session?.crypto.identityKeys;
      expect(identity?.ed25519).toMatch(/\S{40,}/);

      const again = await restart(tessera, options);
      const got = await again.invoke('session.get');
      expect(got).toMatchObject({
        ok: true,
        value: {
          userId: alice.userId,
          deviceId: session.deviceId,
          storage: { state: 'open', backend: 'os-keychain' },
        },
      });
      // The first room list the new engine emits comes from disk, before any sync response.
      const firstRooms = again.events.find((event) => event.name === 'rooms.changed')
        ?.payload as RoomSummary[];
      expect(firstRooms.map((room) => room.name)).toContain('Kept across restarts');
      expect(again.engine.session?.crypto.identityKeys).toEqual(identity);

      // Sync resumes from the stored position: a room created now arrives.
      const laterId = await bobPeer.createRoom({ name: 'After the restart', invite: [alice.userId] });
      await again.waitForRooms((rooms) => rooms.some((room) => room.roomId === laterId));
    });
  },
);

describe('local data', () => {
  it('sign out removes the account data: database, WAL/SHM, crypto store, manifest, keychain entries', async () => {
    const { tessera, session } = await signedIn();
    await tessera.waitForRooms(() => tessera.engine.syncState === 'live');
    expect(filesUnder(tessera.profileDir).length).toBeGreaterThan(0);
    expect(await tessera.invoke('session.logout')).toEqual({ ok: true, value: null });
    expect(filesUnder(tessera.profileDir)).toEqual([]);
    const vault = new KeychainVault({});
    await expect(vault.readKeys(keychainAccountFor(session.userId, session.deviceId))).rejects.toMatchObject({
      code: 'keychain_entry_missing',
    });
  });

  it('keeps message text, room names and the access token out of every file in plaintext', async () => {
    const { tessera, alice } = await signedIn();
    const bob = await registerUser(homeserver);
    const bobPeer = new MatrixPeer({ baseUrl: homeserver.baseUrl, ...bob });
    const secretName = `Quarterly numbers ${Date.now()}`;
    const secretText = `The merger closes on Friday ${Date.now()}`;
    const roomId = await bobPeer.createRoom({ name: secretName, invite: [alice.userId] });
    await new MatrixPeer({ baseUrl: homeserver.baseUrl, ...alice }).join(roomId);
    await bobPeer.sendText(roomId, secretText);
    // The message reaches the engine's timeline store (inside SQLCipher).
    await expect
      .poll(() => tessera.engine.session?.db.timeline.latest(roomId, 10).map((event) => event.content.body), {
        timeout: 20_000,
      })
      .toContain(secretText);
    for (const file of filesUnder(tessera.profileDir)) {
      const bytes = readFileSync(file);
      expect(bytes.includes(Buffer.from(secretName)), file).toBe(false);
      expect(bytes.includes(Buffer.from(secretText)), file).toBe(false);
      expect(bytes.includes(Buffer.from('syt_')), file).toBe(false);
    }
    // And after a clean shutdown, with the WAL checkpointed into the main file.
    await tessera.engine.shutdown();
    for (const file of filesUnder(tessera.profileDir)) {
      expect(readFileSync(file).includes(Buffer.from(secretText)), file).toBe(false);
    }
    // The recent timeline comes back from disk on the next start, before any network.
    const again = await restart(tessera);
    await again.invoke('session.get');
    expect(again.engine.session?.db.timeline.latest(roomId, 10).map((event) => event.content.body)).toContain(
      secretText,
    );
  });

  it('a missing keychain entry leaves the account unavailable, and the database untouched', async () => {
    const { tessera, session } = await signedIn();
    await tessera.waitForRooms(() => tessera.engine.syncState === 'live');
    await tessera.engine.shutdown();
    const database = join(tessera.profileDir, 'account', 'account.sqlite');
    const before = sha256(database);
    await new KeychainVault({}).deleteKeys(keychainAccountFor(session.userId, session.deviceId));
    const again = await restart(tessera);
    const got = await again.invoke('session.get');
    expect(got).toMatchObject({
      ok: true,
      value: {
        userId: session.userId,
        storage: { state: 'unavailable', error: { code: 'keychain_entry_missing' } },
      },
    });
    expect(sha256(database)).toBe(before);
    // Signing out still removes what is left.
    expect(await again.invoke('session.logout')).toEqual({ ok: true, value: null });
    expect(filesUnder(again.profileDir)).toEqual([]);
  });

  it('a damaged database is reported and kept, never replaced', async () => {
    const { tessera, session } = await signedIn();
    await tessera.waitForRooms(() => tessera.engine.syncState === 'live');
    await tessera.engine.shutdown();
    const database = join(tessera.profileDir, 'account', 'account.sqlite');
    const size = statSync(database).size;
    truncateSync(database, Math.floor(size / 3));
    const before = sha256(database);
    const again = await restart(tessera);
    const got = await again.invoke('session.get');
    expect(got).toMatchObject({
      ok: true,
      value: { userId: session.userId, storage: { state: 'unavailable' } },
    });
    const code = (got as { value: SessionView }).value.storage;
    expect(['store_corrupt', 'store_key_mismatch']).toContain(
      code.state === 'unavailable' ? code.error.code : '',
    );
    expect(sha256(database)).toBe(before);
    // Try again does not "repair" it either.
    await again.invoke('session.retry');
    expect(sha256(database)).toBe(before);
  });

  it('a damaged manifest is reported, not replaced', async () => {
    const { tessera } = await signedIn();
    await tessera.engine.shutdown();
    const manifest = join(tessera.profileDir, 'account', 'manifest.json');
    writeFileSync(manifest, '{"version": 1, "userId": ');
    const again = await restart(tessera);
    expect(await again.invoke('session.get')).toMatchObject({
      ok: true,
      value: { storage: { state: 'unavailable', error: { code: 'store_corrupt' } } },
    });
    expect(readFileSync(manifest, 'utf8')).toBe('{"version": 1, "userId": ');
  });

  it('a second process opening the same profile refuses with a clear error', async () => {
    const { tessera } = await signedIn();
    await tessera.waitForRooms(() => tessera.engine.syncState === 'live');
    const child = spawn(
      process.execPath,
      [join(import.meta.dirname, 'fixtures', 'open-profile.ts'), tessera.profileDir],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(0);
    const view = JSON.parse(output.trim().split('\n').at(-1) ?? 'null') as SessionView;
    expect(view.storage).toMatchObject({ state: 'unavailable', error: { code: 'profile_in_use' } });
    // The first engine is unaffected.
    expect(tessera.engine.syncState).toBe('live');
  });
});
