// Issue 4: restart of a profile holding encrypted rooms (100 × 100 by default): time from
// `new Engine()` + start() to the room list and to the first room's decrypted timeline, and how
// many events the restarted engine decrypts (the decrypted form is stored, so: none).
//   node bench/engine-restart.bench.ts [ROOMS] [MESSAGES]
// The fixture is built by Tessera itself (rooms.create, message.send) against a fresh Synapse;
// the timed restart runs in a fresh Node process on the same profile.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { registerUser, startSynapse } from '../test/homeserver/synapse.ts';
import { inParallel, startBenchEngine, verdict } from './fixtures/bench-engine.ts';

const TARGET_MS = 300;
const TIMELINE_LIMIT = 50;

if (process.argv[2] === '--timed') await timedRestart(process.argv[3] ?? '', process.argv[4] ?? '');
else await main(Number(process.argv[2] ?? 100), Number(process.argv[3] ?? 100));

async function main(roomCount: number, messageCount: number): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'tessera-bench-restart-'));
  const profileDir = join(work, 'profile');
  const keychainPath = join(work, 'keychain.json');
  const hs = await startSynapse({
    extraConfig: { rc_message: { per_second: 10_000, burst_count: 10_000 } },
  });
  try {
    const user = await registerUser(hs);
    const buildStarted = performance.now();
    const bench = startBenchEngine({ profileDir, syncTimeoutMs: 2_000 }, keychainPath);
    await bench.engine.start();
    const login = await bench.engine.handle('session.login', {
      homeserver: hs.baseUrl,
      user: user.userId,
      password: user.password,
    });
    if (!login.ok) throw new Error(`login failed: ${login.error.code}`);
    const roomIds: string[] = [];
    await inParallel(
      Array.from({ length: roomCount }, (_, i) => i),
      8,
      async (i) => {
        const created = await bench.engine.handle('rooms.create', { name: `bench room ${i}` });
        if (!created.ok) throw new Error(`rooms.create failed: ${created.error.code}`);
        roomIds.push((created.value as { roomId: string }).roomId);
      },
    );
    console.log(`fixture: ${roomCount} encrypted rooms created in ${seconds(buildStarted)} s`);
    const sends = roomIds.flatMap((roomId) =>
      Array.from({ length: messageCount }, (_, n) => ({ roomId, n })),
    );
    const sendStarted = performance.now();
    const transactionIds: string[] = [];
    for (const { roomId, n } of sends) {
      const sent = await bench.engine.handle('message.send', { roomId, body: `bench message ${n}` });
      if (!sent.ok) throw new Error(`message.send failed: ${sent.error.code}`);
      transactionIds.push((sent.value as { transactionId: string }).transactionId);
    }
    await bench.until(
      () => transactionIds.every((id) => bench.statuses.get(id)?.state === 'sent'),
      30 * 60_000,
      'every message sent',
    );
    console.log(`fixture: ${sends.length} messages sent in ${seconds(sendStarted)} s`);
    const settleStarted = performance.now();
    await bench.until(
      () => {
        const session = bench.engine.session;
        if (!session) return false;
        return roomIds.every((roomId) => {
          const items = session.timeline(roomId, messageCount + 20);
          const messages = items.filter((item) => item.type === 'm.room.message');
          return messages.length >= messageCount && items.every((item) => item.decryption !== 'pending');
        });
      },
      30 * 60_000,
      'every message synced and decrypted',
    );
    console.log(
      `fixture: synced and decrypted in ${seconds(settleStarted)} s more ` +
        `(${bench.engine.session?.decryption?.decryptCalls ?? 0} decrypt calls); ` +
        `total build ${seconds(buildStarted)} s`,
    );
    await bench.engine.shutdown();
    // BENCH_KEEP=DIR keeps a copy of the profile for timing restarts alone (no Synapse needed:
    // the room list and timelines come from the store) with `--timed DIR/profile DIR/keychain.json`.
    const keep = process.env.BENCH_KEEP;
    if (keep) {
      cpSync(profileDir, join(keep, 'profile'), { recursive: true });
      cpSync(keychainPath, join(keep, 'keychain.json'));
    }

    const size =
      roomCount === 100 && messageCount === 100 ? '' : ` (SMALLER fixture than the issue's 100 × 100)`;
    console.log(
      `\nRestart of a profile with ${roomCount} encrypted rooms × ${messageCount} messages${size}:`,
    );
    for (let run = 1; run <= 3; run++) {
      const child = spawnSync(
        process.execPath,
        [
          // e.g. BENCH_CHILD_FLAGS=--cpu-prof to profile the timed restarts.
          ...(process.env.BENCH_CHILD_FLAGS?.split(' ').filter(Boolean) ?? []),
          fileURLToPath(import.meta.url),
          '--timed',
          profileDir,
          keychainPath,
        ],
        {
          encoding: 'utf8',
        },
      );
      if (child.status !== 0) throw new Error(`timed restart failed: ${child.stderr}`);
      const figures = JSON.parse(child.stdout.trim().split('\n').at(-1) ?? '{}') as RestartFigures;
      console.log(
        `  run ${run}: room list ${figures.roomListMs.toFixed(1)} ms (${figures.rooms} rooms) ` +
          `[target ≤ ${TARGET_MS} ms: ${verdict(figures.roomListMs <= TARGET_MS)}]; ` +
          `first room's timeline ${figures.timelineMs.toFixed(1)} ms (${figures.decryptedItems}/${figures.items} decrypted) ` +
          `[target ≤ ${TARGET_MS} ms: ${verdict(figures.timelineMs <= TARGET_MS && figures.decryptedItems > 0)}]; ` +
          `decrypt calls after restart ${figures.decryptCalls} (after 3 s more: ${figures.decryptCallsLater}) ` +
          `[target 0: ${verdict(figures.decryptCallsLater === 0)}]`,
      );
    }
  } finally {
    await hs.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

interface RestartFigures {
  roomListMs: number;
  rooms: number;
  timelineMs: number;
  items: number;
  decryptedItems: number;
  decryptCalls: number;
  decryptCallsLater: number;
}

async function timedRestart(profileDir: string, keychainPath: string): Promise<void> {
  // Load the engine's modules (and the native ones) before the clock starts, as the app has.
  await import('../src-main/engine/engine.ts');
  const started = performance.now();
  const bench = startBenchEngine({ profileDir, syncTimeoutMs: 2_000 }, keychainPath);
  void bench.engine.start();
  await bench.until(() => bench.firstRoomsAt !== null, 60_000, 'the room list');
  const roomListMs = (bench.firstRoomsAt ?? 0) - started;
  const firstRoom = bench.latestRooms[0];
  if (!firstRoom) throw new Error('no room');
  let items = bench.engine.session?.timeline(firstRoom.roomId, TIMELINE_LIMIT) ?? [];
  await bench.until(
    () => {
      items = bench.engine.session?.timeline(firstRoom.roomId, TIMELINE_LIMIT) ?? [];
      return items.some((item) => item.decryption === 'decrypted');
    },
    60_000,
    'the first room timeline',
  );
  const timelineMs = performance.now() - started;
  const decryptCalls = bench.engine.session?.decryption?.decryptCalls ?? 0;
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  const decryptCallsLater = bench.engine.session?.decryption?.decryptCalls ?? 0;
  await bench.engine.shutdown();
  const figures: RestartFigures = {
    roomListMs,
    rooms: bench.latestRooms.length,
    timelineMs,
    items: items.length,
    decryptedItems: items.filter((item) => item.decryption === 'decrypted').length,
    decryptCalls,
    decryptCallsLater,
  };
  console.log(JSON.stringify(figures));
}

function seconds(since: number): string {
  return ((performance.now() - since) / 1000).toFixed(1);
}
