// SIGKILL of the engine while it handles sync responses: after a restart the account opens
// with the same device and identity keys, its database and security log check out, and sync
// resumes from the last position it stored, so nothing the server sent is lost (issue 3).
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { MatrixPeer } from '../homeserver/matrix-peer.ts';
import { registerUser } from '../homeserver/synapse.ts';
import { startEngine, type RecordedEngine } from './engine-harness.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';

const homeserver = inject('homeserver');
const children: ChildProcess[] = [];
const engines: RecordedEngine[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  await Promise.all(engines.splice(0).map((engine) => engine.dispose()));
});

type Line = Record<string, unknown>;

function startChild(args: string[]): {
  child: ChildProcess;
  next: (match: (line: Line) => boolean) => Promise<Line>;
} {
  const child = spawn(
    process.execPath,
    [join(import.meta.dirname, 'fixtures', 'engine-process.ts'), ...args],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  children.push(child);
  const lines: Line[] = [];
  const waiters: { match: (line: Line) => boolean; resolve: (line: Line) => void }[] = [];
  createInterface({ input: child.stdout! }).on('line', (text) => {
    const line = JSON.parse(text) as Line;
    lines.push(line);
    for (const waiter of [...waiters]) {
      if (waiter.match(line)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  });
  return {
    child,
    next: (match) =>
      new Promise((resolve, reject) => {
        const seen = lines.find(match);
        if (seen) return resolve(seen);
        waiters.push({ match, resolve });
        child.once('exit', (code) => reject(new Error(`engine process exited (${code})`)));
      }),
  };
}

describe('crash during sync processing', () => {
  it('a SIGKILL while messages arrive loses nothing and keeps the device', async () => {
    const [alice, bob] = await Promise.all([registerUser(homeserver), registerUser(homeserver)]);
    const bobPeer = new MatrixPeer({ baseUrl: homeserver.baseUrl, ...bob });
    const roomId = await bobPeer.createRoom({ name: 'Busy room', invite: [alice.userId] });
    await new MatrixPeer({ baseUrl: homeserver.baseUrl, ...alice }).join(roomId);
    const profileDir = mkdtempSync(join(tmpdir(), 'tessera-crash-'));

    const first = startChild([profileDir, homeserver.baseUrl, alice.localpart, alice.password]);
    const ready = await first.next((line) => line.ready === true);
    await first.next((line) => line.syncState === 'live');

    // Messages keep arriving; the engine is killed while it is handling them.
    const sent: string[] = [];
    const sending = (async () => {
      for (let i = 0; i < 30; i++) sent.push(await bobPeer.sendText(roomId, `message ${i}`));
    })();
    await first.next((line) => line.event === 'rooms.changed');
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));
    await sending;

    const again = startEngine({ profileDir });
    engines.push(again);
    const view = await again.invoke('session.get');
    expect(view).toMatchObject({
      ok: true,
      value: { userId: alice.userId, deviceId: ready.deviceId, storage: { state: 'open' } },
    });
    const session = again.engine.session!;
    expect(session.crypto.identityKeys).toEqual(ready.identity);
    expect(() => session.db.checkIntegrity()).not.toThrow();
    expect(session.db.securityLog.verify()).toMatchObject({ ok: true });

    // Sync resumes from the stored position: the newest message arrives, and whatever the room
    // list's one-event window skipped is marked as a gap to fetch (never silently dropped).
    const newest = sent.at(-1)!;
    await expect
      .poll(() => session.db.timeline.latest(roomId, 100).map((event) => event.eventId), { timeout: 30_000 })
      .toContain(newest);
    const stored = new Set(session.db.timeline.latest(roomId, 100).map((event) => event.eventId));
    if (!sent.every((eventId) => stored.has(eventId)))
      expect(session.db.timeline.gaps(roomId).length).toBeGreaterThan(0);
  });
});
