// Issue 4: the engine's resident memory after syncing an account in 1,000 rooms with 100 events
// each (plain messages sent through the client API), in a process that runs only the engine.
//   node bench/engine-rss.bench.ts [ROOMS] [EVENTS]
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MatrixPeer } from '../test/homeserver/matrix-peer.ts';
import { registerUser, startSynapse } from '../test/homeserver/synapse.ts';
import { inParallel, verdict } from './fixtures/bench-engine.ts';

const TARGET_MB = 150;
/** Requests in flight while building the fixture. */
const BUILD_IN_FLIGHT = 16;

if (process.argv[2] === '--engine') {
  process.argv.splice(2, 1);
  await import('./fixtures/rss-engine.ts');
} else await main(Number(process.argv[2] ?? 1_000), Number(process.argv[3] ?? 100));

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
      BUILD_IN_FLIGHT,
      async (i) => {
        roomIds.push(await peer.createRoom({ name: `room ${i}` }));
      },
    );
    console.log(`fixture: ${roomCount} rooms created in ${seconds(buildStarted)} s`);
    // Message n of every room before message n+1 of any: the requests in flight are in different
    // rooms, which Synapse persists in parallel (events of one room go through one queue).
    const sends = Array.from({ length: eventCount }, (_, n) =>
      roomIds.map((roomId) => ({ roomId, n })),
    ).flat();
    const sendStarted = performance.now();
    let sent = 0;
    await inParallel(sends, BUILD_IN_FLIGHT, async ({ roomId, n }) => {
      await peer.sendText(roomId, `message ${n}`);
      sent += 1;
      if (sent % 10_000 === 0) console.log(`fixture: ${sent} messages sent, ${seconds(sendStarted)} s`);
    });
    console.log(
      `fixture: ${roomCount} rooms × ${eventCount} messages built in ${seconds(buildStarted)} s ` +
        `(${((sends.length / (performance.now() - sendStarted)) * 1000).toFixed(0)} messages/s)`,
    );
    const size =
      roomCount === 1_000 && eventCount === 100 ? '' : ' (SMALLER fixture than the issue 1,000 × 100)';
    console.log(
      `\nEngine RSS after syncing ${roomCount} rooms × ${eventCount} events${size}, each on a new device:`,
    );
    // The app runs the engine bundled by esbuild; run as TypeScript, Node's type stripping (a wasm
    // module of its own) stays resident too and adds about 35 MB.
    const bundle = await bundleEngine();
    for (const [name, entry] of [
      ['bundled as the app ships it', bundle],
      [
        'run as TypeScript (type stripping loaded)',
        fileURLToPath(new URL('./fixtures/rss-engine.ts', import.meta.url)),
      ],
    ] as const) {
      const dir = join(work, name.split(' ')[0] ?? 'engine');
      mkdirSync(dir, { recursive: true });
      const child = spawnSync(
        process.execPath,
        [entry, hs.baseUrl, user.userId, user.password, dir, String(roomCount)],
        { encoding: 'utf8' },
      );
      if (child.status !== 0) throw new Error(`engine process failed: ${child.stderr}`);
      const figures = JSON.parse(child.stdout.trim().split('\n').at(-1) ?? '{}') as {
        syncMs: number;
        rssMb: number;
        heapMb: number;
        heapTotalMb: number;
        externalMb: number;
        arrayBuffersMb: number;
      };
      console.log(
        `  ${name}: ${figures.rssMb.toFixed(0)} MB [target ≤ ${TARGET_MB} MB: ${verdict(figures.rssMb <= TARGET_MB)}] ` +
          `(JS heap ${figures.heapMb.toFixed(0)} MB used of ${figures.heapTotalMb.toFixed(0)} MB, external ${figures.externalMb.toFixed(0)} MB ` +
          `of which array buffers ${figures.arrayBuffersMb.toFixed(0)} MB; sync and back-fill took ${(figures.syncMs / 1000).toFixed(1)} s)`,
      );
    }
  } finally {
    await hs.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

function seconds(since: number): string {
  return ((performance.now() - since) / 1000).toFixed(1);
}

/** Bundles the engine-only entry with esbuild as scripts/build-main.mjs bundles the worker. */
async function bundleEngine(): Promise<string> {
  const { build } = await import('esbuild');
  const root = fileURLToPath(new URL('..', import.meta.url));
  // Inside the repository, so the external packages resolve from its node_modules.
  const outfile = join(root, 'node_modules', '.cache', 'tessera-bench', 'rss-engine.mjs');
  await build({
    absWorkingDir: root,
    entryPoints: [fileURLToPath(new URL('./fixtures/rss-engine.ts', import.meta.url))],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    define: { 'process.env.NODE_ENV': '"production"' },
    external: [
      '@napi-rs/keyring',
      'better-sqlite3-multiple-ciphers',
      '@matrix-org/matrix-sdk-crypto-wasm',
      'electron',
    ],
    banner: {
      js: "import { createRequire as __benchCreateRequire } from 'node:module'; const require = __benchCreateRequire(import.meta.url);",
    },
    logLevel: 'warning',
  });
  return outfile;
}
