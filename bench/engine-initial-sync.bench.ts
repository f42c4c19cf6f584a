// Issue 4: initial sync of an account in 500 rooms to a usable room list, Tessera (sliding sync
// when Synapse offers it) against matrix-js-sdk (rust crypto, in-memory) on the same account and
// Synapse, each from a password login on a new device. Alternates, two rounds.
//   node bench/engine-initial-sync.bench.ts [ROOMS]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MatrixPeer } from '../test/homeserver/matrix-peer.ts';
import { registerUser, startSynapse } from '../test/homeserver/synapse.ts';
import { JsSdkPeer } from '../test/interop/js-sdk-peer.ts';
import { inParallel, startBenchEngine, verdict } from './fixtures/bench-engine.ts';

const TARGET_RATIO = 0.3;
const roomCount = Number(process.argv[2] ?? 500);

const work = mkdtempSync(join(tmpdir(), 'tessera-bench-initial-sync-'));
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
  await inParallel(
    Array.from({ length: roomCount }, (_, i) => i),
    8,
    async (i) => {
      const roomId = await peer.createRoom({ name: `room ${i}` });
      await peer.sendText(roomId, `hello ${i}`);
    },
  );
  console.log(`fixture: ${roomCount} rooms (one message each) built in ${seconds(buildStarted)} s`);

  const results: { tessera: number; tesseraAll: number; jsSdk: number }[] = [];
  for (let round = 1; round <= 2; round++) {
    const jsStarted = performance.now();
    const login = await passwordLogin(hs.baseUrl, user.userId, user.password);
    const js = await JsSdkPeer.start(hs.baseUrl, login);
    const jsSdk = performance.now() - jsStarted;
    const jsRooms = js.client.getRooms().length;
    js.stop();

    const bench = startBenchEngine(
      { profileDir: join(work, `profile-${round}`), syncTimeoutMs: 30_000 },
      join(work, `keychain-${round}.json`),
    );
    await bench.engine.start();
    const tesseraStarted = performance.now();
    const signedIn = await bench.engine.handle('session.login', {
      homeserver: hs.baseUrl,
      user: user.userId,
      password: user.password,
    });
    if (!signedIn.ok) throw new Error(`login failed: ${signedIn.error.code}`);
    await bench.until(() => bench.firstRoomsAt !== null, 120_000, 'the first room list');
    const tessera = (bench.firstRoomsAt ?? 0) - tesseraStarted;
    const firstRooms = bench.latestRooms.length;
    await bench.until(() => bench.latestRooms.length >= roomCount, 300_000, 'every room listed');
    const tesseraAll = performance.now() - tesseraStarted;
    await bench.engine.handle('session.logout', {});
    await bench.engine.shutdown();
    results.push({ tessera, tesseraAll, jsSdk });
    console.log(
      `  round ${round}: matrix-js-sdk login + first sync to PREPARED ${jsSdk.toFixed(0)} ms (${jsRooms} rooms); ` +
        `Tessera login to first room list ${tessera.toFixed(0)} ms (${firstRooms} rooms), to all ${roomCount} rooms ${tesseraAll.toFixed(0)} ms`,
    );
  }
  const best = (pick: (r: (typeof results)[number]) => number) => Math.min(...results.map(pick));
  const ratio = best((r) => r.tessera) / best((r) => r.jsSdk);
  const ratioAll = best((r) => r.tesseraAll) / best((r) => r.jsSdk);
  const size = roomCount === 500 ? '' : ' (SMALLER fixture than the issue 500 rooms)';
  console.log(
    `\nInitial sync, ${roomCount} rooms${size}, best of 2: Tessera ${best((r) => r.tessera).toFixed(0)} ms to a usable room list, ` +
      `matrix-js-sdk ${best((r) => r.jsSdk).toFixed(0)} ms; ratio ${ratio.toFixed(2)} [target ≤ ${TARGET_RATIO}: ${verdict(ratio <= TARGET_RATIO)}]; ` +
      `Tessera to every room listed ${best((r) => r.tesseraAll).toFixed(0)} ms (ratio ${ratioAll.toFixed(2)})`,
  );
} finally {
  await hs.stop();
  rmSync(work, { recursive: true, force: true });
}

async function passwordLogin(
  baseUrl: string,
  userId: string,
  password: string,
): Promise<{ userId: string; accessToken: string; deviceId: string }> {
  const response = await fetch(`${baseUrl}/_matrix/client/v3/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      type: 'm.login.password',
      identifier: { type: 'm.id.user', user: userId },
      password,
    }),
  });
  if (!response.ok) throw new Error(`login failed: HTTP ${response.status}`);
  const body = (await response.json()) as { user_id: string; access_token: string; device_id: string };
  return { userId: body.user_id, accessToken: body.access_token, deviceId: body.device_id };
}

function seconds(since: number): string {
  return ((performance.now() - since) / 1000).toFixed(1);
}
