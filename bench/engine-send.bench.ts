// Issue 4: send latency into a 20-member encrypted room once sessions exist: message.send to
// message.status "sent", median over 50 messages, one at a time. The 19 other members are
// OlmPeer devices (crypto-wasm, in-memory) that uploaded their keys and joined the room.
//   node bench/engine-send.bench.ts [MESSAGES]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OlmPeer } from '../test/homeserver/olm-peer.ts';
import { registerUser, startSynapse } from '../test/homeserver/synapse.ts';
import { inParallel, startBenchEngine, verdict } from './fixtures/bench-engine.ts';

const TARGET_MEDIAN_MS = 50;
const OTHER_MEMBERS = 19;
const messageCount = Number(process.argv[2] ?? 50);

const work = mkdtempSync(join(tmpdir(), 'tessera-bench-send-'));
const hs = await startSynapse({ extraConfig: { rc_message: { per_second: 10_000, burst_count: 10_000 } } });
try {
  const buildStarted = performance.now();
  const user = await registerUser(hs);
  const peers: OlmPeer[] = [];
  await inParallel(
    Array.from({ length: OTHER_MEMBERS }, (_, i) => i),
    8,
    async () => {
      const registered = await registerUser(hs);
      peers.push(await OlmPeer.start({ baseUrl: hs.baseUrl, ...registered }));
    },
  );
  const bench = startBenchEngine(
    { profileDir: join(work, 'profile'), syncTimeoutMs: 2_000 },
    join(work, 'keychain.json'),
  );
  await bench.engine.start();
  const login = await bench.engine.handle('session.login', {
    homeserver: hs.baseUrl,
    user: user.userId,
    password: user.password,
  });
  if (!login.ok) throw new Error(`login failed: ${login.error.code}`);
  const created = await bench.engine.handle('rooms.create', {
    name: 'send latency',
    invite: peers.map((peer) => peer.userId),
  });
  if (!created.ok) throw new Error(`rooms.create failed: ${created.error.code}`);
  const roomId = (created.value as { roomId: string }).roomId;
  await inParallel(peers, 8, async (peer) => {
    await peer.matrix.join(roomId);
  });
  await bench.until(
    () =>
      bench.latestRooms.some(
        (room) => room.roomId === roomId && room.joinedMemberCount === OTHER_MEMBERS + 1,
      ),
    60_000,
    'all 20 members joined',
  );
  // The first message queries the 19 users' keys, claims one-time keys, opens 19 Olm sessions and
  // shares the room key; that is set-up, not the latency measured.
  const firstStarted = performance.now();
  await sendAndWait(roomId, 'warm-up');
  console.log(
    `fixture: 20-member encrypted room ready in ${seconds(buildStarted)} s; ` +
      `first message (keys query, claim, 19 Olm sessions, room key share) took ${(performance.now() - firstStarted).toFixed(1)} ms`,
  );

  const latencies: number[] = [];
  for (let n = 0; n < messageCount; n++) latencies.push(await sendAndWait(roomId, `bench message ${n}`));
  latencies.sort((a, b) => a - b);
  const median = latencies[Math.floor(latencies.length / 2)] ?? NaN;
  const p90 = latencies[Math.floor(latencies.length * 0.9)] ?? NaN;
  console.log(
    `\nSend latency, 20-member encrypted room, ${messageCount} messages one at a time: ` +
      `median ${median.toFixed(1)} ms [target ≤ ${TARGET_MEDIAN_MS} ms: ${verdict(median <= TARGET_MEDIAN_MS)}]; ` +
      `p90 ${p90.toFixed(1)} ms, min ${(latencies[0] ?? NaN).toFixed(1)} ms, max ${(latencies.at(-1) ?? NaN).toFixed(1)} ms`,
  );
  // What the server alone takes for a message into this room (a member's plain PUT with a body
  // the size of the ciphertext), on the same machine: the floor under Tessera's figure.
  const member = peers[0];
  if (member) {
    const floor: number[] = [];
    const filler = 'x'.repeat(400);
    for (let n = 0; n < messageCount; n++) {
      const started = performance.now();
      await member.matrix.sendText(roomId, `${filler} ${n}`);
      floor.push(performance.now() - started);
    }
    floor.sort((a, b) => a - b);
    const floorMedian = floor[Math.floor(floor.length / 2)] ?? NaN;
    console.log(
      `the server alone (a plain PUT into the same room, ${messageCount} one at a time): median ${floorMedian.toFixed(1)} ms; ` +
        `Tessera's own share of the median: ${(median - floorMedian).toFixed(1)} ms`,
    );
  }
  await bench.engine.shutdown();

  async function sendAndWait(room: string, body: string): Promise<number> {
    const started = performance.now();
    const sent = await bench.engine.handle('message.send', { roomId: room, body });
    if (!sent.ok) throw new Error(`message.send failed: ${sent.error.code}`);
    const { transactionId } = sent.value as { transactionId: string };
    await bench.until(() => bench.statuses.get(transactionId)?.state === 'sent', 60_000, 'the message sent');
    return performance.now() - started;
  }
} finally {
  await hs.stop();
  rmSync(work, { recursive: true, force: true });
}

function seconds(since: number): string {
  return ((performance.now() - since) / 1000).toFixed(1);
}
