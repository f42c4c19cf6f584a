// Issue 4: the engine's resident memory after syncing an account in 1,000 rooms with 100 events
// each (plain messages sent through the client API), in a process that runs only the engine.
//   node bench/engine-rss.bench.ts [ROOMS] [EVENTS]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MatrixPeer } from '../test/homeserver/matrix-peer.ts';
import { registerUser, startSynapse } from '../test/homeserver/synapse.ts';
import { inParallel, startBenchEngine, verdict } from './fixtures/bench-engine.ts';

const TARGET_MB = 150;

if (process.argv[2] === '--engine') await engineOnly();
else await main(Number(process.argv[2] ?? 1_000), Number(process.argv[3] ?? 100));

async function main(roomCount: number, eventCount: number): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'tessera-bench-rss-'));
  const hs = await startSynapse({
    extraConfig: {
      rc_message: { per_second: 10_000, burst_count: 10_000 },
      rc_room_creation: { per_second: 10_000, burst_count: 10_000 },
    },
  });
  try {
    const user = await registerUser(hs);
    const peer = new MatrixPeer({ baseUrl: hs.baseUrl, userId: user.userId, accessToken: user.accessToken });
    const buildStarted = performance.now();
    const roomIds: string[] = [];
    await inParallel(
      Array.from({ length: roomCount }, (_, i) => i),
      8,
      async (i) => {
        roomIds.push(await peer.createRoom({ name: `room ${i}` }));
      },
    );
    const sends = roomIds.flatMap((roomId) => Array.from({ length: eventCount }, (_, n) => ({ roomId, n })));
    await inParallel(sends, 8, async ({ roomId, n }) => {
      await peer.sendText(roomId, `message ${n}`);
    });
    console.log(`fixture: ${roomCount} rooms × ${eventCount} messages built in ${seconds(buildStarted)} s`);
    const child = spawnSync(
      process.execPath,
      [
        fileURLToPath(import.meta.url),
        '--engine',
        hs.baseUrl,
        user.userId,
        user.password,
        work,
        String(roomCount),
      ],
      { encoding: 'utf8' },
    );
    if (child.status !== 0) throw new Error(`engine process failed: ${child.stderr}`);
    const figures = JSON.parse(child.stdout.trim().split('\n').at(-1) ?? '{}') as {
      syncMs: number;
      rssMb: number;
      heapMb: number;
    };
    const size =
      roomCount === 1_000 && eventCount === 100 ? '' : ' (SMALLER fixture than the issue 1,000 × 100)';
    console.log(
      `\nEngine RSS after syncing ${roomCount} rooms × ${eventCount} events${size}: ${figures.rssMb.toFixed(0)} MB ` +
        `[target ≤ ${TARGET_MB} MB: ${verdict(figures.rssMb <= TARGET_MB)}] (JS heap ${figures.heapMb.toFixed(0)} MB; ` +
        `sync and back-fill took ${(figures.syncMs / 1000).toFixed(1)} s)`,
    );
  } finally {
    await hs.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

async function engineOnly(): Promise<void> {
  const [, , , baseUrl = '', userId = '', password = '', work = '', rooms = '0'] = process.argv;
  const started = performance.now();
  const bench = startBenchEngine(
    { profileDir: join(work, 'profile'), syncTimeoutMs: 30_000 },
    join(work, 'keychain.json'),
  );
  await bench.engine.start();
  const signedIn = await bench.engine.handle('session.login', {
    homeserver: baseUrl,
    user: userId,
    password,
  });
  if (!signedIn.ok) throw new Error(`login failed: ${signedIn.error.code}`);
  await bench.until(() => bench.latestRooms.length >= Number(rooms), 600_000, 'every room listed');
  await bench.engine.session?.whenBackfilled();
  const syncMs = performance.now() - started;
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  const memory = process.memoryUsage();
  console.log(JSON.stringify({ syncMs, rssMb: memory.rss / 2 ** 20, heapMb: memory.heapUsed / 2 ** 20 }));
  await bench.engine.shutdown();
}

function seconds(since: number): string {
  return ((performance.now() - since) / 1000).toFixed(1);
}
