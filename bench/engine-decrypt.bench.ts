// Issue 4: decrypting 10,000 megolm events, Tessera (the engine's decrypt-once pipeline,
// TimelineDecryption, on its persistent crypto store journaled into SQLCipher) against
// matrix-js-sdk 43 with its IndexedDB crypto store (fake-indexeddb in Node, as Element runs it),
// on the same Synapse, in the same run.
//   node bench/engine-decrypt.bench.ts [EVENTS]
// The fixture: an OlmPeer sender sends EVENTS real megolm events into an encrypted room (room key
// rotated every 100 messages, the default) without sharing the keys with the receiving account,
// so both receivers first hold every event as "waiting for its key". The timed part starts when
// the keys become available (the sender's key export, imported into each receiver's crypto
// store) and ends when every event is decrypted: for Tessera, written back to the account
// database; for matrix-js-sdk, every MatrixEvent's clear content set.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EncryptionSettings, RoomId } from '@matrix-org/matrix-sdk-crypto-wasm';
import { OlmCryptoAccount } from '../src-main/engine/account/olm-crypto-account.ts';
import { MatrixPeer } from '../test/homeserver/matrix-peer.ts';
import { OlmPeer } from '../test/homeserver/olm-peer.ts';
import { registerUser, startSynapse } from '../test/homeserver/synapse.ts';
import { inParallel, startBenchEngine, verdict } from './fixtures/bench-engine.ts';

const TARGET_RATIO = 1.0;
const RESULT_MARK = 'BENCH_RESULT ';

if (process.argv[2] === '--js-sdk') await jsSdkSide(process.argv.slice(3));
else await main(Number(process.argv[2] ?? 10_000));

async function main(eventCount: number): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'tessera-bench-decrypt-'));
  const hs = await startSynapse({
    extraConfig: { rc_message: { per_second: 10_000, burst_count: 10_000 } },
  });
  try {
    const buildStarted = performance.now();
    const senderUser = await registerUser(hs);
    const receiver = await registerUser(hs);
    const sender = await OlmPeer.start({ baseUrl: hs.baseUrl, ...senderUser });
    const roomId = await sender.createEncryptedRoom({ name: 'decrypt bench', invite: [receiver.userId] });
    await new MatrixPeer({
      baseUrl: hs.baseUrl,
      userId: receiver.userId,
      accessToken: receiver.accessToken,
    }).join(roomId);

    const bench = startBenchEngine(
      { profileDir: join(work, 'profile'), syncTimeoutMs: 2_000 },
      join(work, 'keychain.json'),
    );
    await bench.engine.start();
    const login = await bench.engine.handle('session.login', {
      homeserver: hs.baseUrl,
      user: receiver.userId,
      password: receiver.password,
    });
    if (!login.ok) throw new Error(`login failed: ${login.error.code}`);

    // Encrypt first (in memory), then send with 8 requests in flight. The room key is shared
    // with nobody, so the receivers hold the events and wait for keys.
    const room = new RoomId(roomId);
    const contents: string[] = [];
    for (let n = 0; n < eventCount; n++) {
      await sender.machine.shareRoomKey(room, [], new EncryptionSettings());
      contents.push(
        await sender.machine.encryptRoomEvent(
          room,
          'm.room.message',
          JSON.stringify({ msgtype: 'm.text', body: `bench message ${n}` }),
        ),
      );
    }
    await inParallel(
      contents.map((content, n) => ({ content, n })),
      8,
      async ({ content, n }) => {
        const response = await fetch(
          `${hs.baseUrl}/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/send/m.room.encrypted/bench-${n}`,
          {
            method: 'PUT',
            headers: {
              authorization: `Bearer ${senderUser.accessToken}`,
              'content-type': 'application/json',
            },
            body: content,
          },
        );
        if (!response.ok) throw new Error(`send failed: HTTP ${response.status}`);
        await response.arrayBuffer();
      },
    );
    const exported = await sender.machine.exportRoomKeys(() => true);
    const keysFile = join(work, 'keys.json');
    writeFileSync(keysFile, exported);
    const sessions = (JSON.parse(exported) as unknown[]).length;
    console.log(
      `fixture: ${eventCount} megolm events (${sessions} room keys) sent in ${seconds(buildStarted)} s`,
    );

    // Tessera: every event synced or back-filled into the account database and tried once.
    const session = () => {
      const current = bench.engine.session;
      if (!current) throw new Error('no session');
      return current;
    };
    const counts = () => {
      const rows = session()
        .db.connection.prepare(
          `SELECT decryption, count(*) AS n FROM timeline_events
           WHERE room_id = ? AND type = 'm.room.encrypted' GROUP BY decryption`,
        )
        .all(roomId) as { decryption: string; n: number }[];
      return Object.fromEntries(rows.map((row) => [row.decryption, row.n])) as Record<string, number>;
    };
    const storeStarted = performance.now();
    // Sync leaves a gap when many events arrive between two responses; the back-fill fills it as
    // the person scrolls (or in the background): here, page back until the room's start.
    await bench.until(() => bench.engine.session !== null, 60_000, 'the session');
    for (let page = 0; page < 1_000; page++) {
      const result = await session().paginate(roomId, 500);
      if (result.reachedStart) break;
    }
    await bench.until(
      () => {
        if (!bench.engine.session) return false;
        const now = counts();
        if (process.env.BENCH_LOG) console.error(JSON.stringify(now));
        return (now.failed ?? 0) >= eventCount && (now.pending ?? 0) === 0;
      },
      30 * 60_000,
      'every event stored and tried',
    );
    await session().whenBackfilled();
    await session().decryption?.whenIdle();
    console.log(
      `fixture: Tessera stored all ${eventCount} events, each waiting for its key, ${seconds(storeStarted)} s later`,
    );

    const jsFirst = runJsSdk(hs.baseUrl, receiver, roomId, keysFile, eventCount);

    const crypto = session().crypto;
    if (!(crypto instanceof OlmCryptoAccount)) throw new Error('no OlmMachine');
    const callsBefore = session().decryption?.decryptCalls ?? 0;
    const started = performance.now();
    await crypto.machine.olm.importExportedRoomKeys(exported, () => {});
    await new Promise<void>((resolve, reject) => {
      // Polled with one indexed COUNT: the bench's own cost stays negligible.
      const poll = setInterval(() => {
        try {
          if ((counts().decrypted ?? 0) < eventCount) return;
          clearInterval(poll);
          resolve();
        } catch (error) {
          clearInterval(poll);
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      }, 10);
    });
    const tesseraMs = performance.now() - started;
    const calls = (session().decryption?.decryptCalls ?? 0) - callsBefore;
    await bench.engine.shutdown();
    console.log(
      `Tessera: ${tesseraMs.toFixed(0)} ms; matrix-js-sdk before it: ${jsFirst.toFixed(0)} ms (one more js-sdk run follows)`,
    );

    const jsSecond = runJsSdk(hs.baseUrl, receiver, roomId, keysFile, eventCount);
    const jsBest = Math.min(jsFirst, jsSecond);
    const ratio = tesseraMs / jsBest;
    const size = eventCount === 10_000 ? '' : ` (SMALLER than the issue's 10,000)`;
    console.log(
      `\nDecrypting ${eventCount} megolm events${size}, from keys available to all decrypted:\n` +
        `  Tessera (TimelineDecryption, persistent store, outcomes written): ${tesseraMs.toFixed(0)} ms ` +
        `(${((eventCount / tesseraMs) * 1000).toFixed(0)} events/s, ${calls} decrypt calls)\n` +
        `  matrix-js-sdk 43 (rust crypto, IndexedDB store on fake-indexeddb): ${jsFirst.toFixed(0)} ms before, ` +
        `${jsSecond.toFixed(0)} ms after Tessera's run (best ${((eventCount / jsBest) * 1000).toFixed(0)} events/s)\n` +
        `  ratio Tessera / matrix-js-sdk (best) ${ratio.toFixed(2)} [target ≤ ${TARGET_RATIO}: ${verdict(ratio <= TARGET_RATIO)}]`,
    );
    sender.close();
  } finally {
    await hs.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

/** Runs matrix-js-sdk's side in a fresh process (its own IndexedDB globals); returns its ms. */
function runJsSdk(
  baseUrl: string,
  receiver: { userId: string; password: string },
  roomId: string,
  keysFile: string,
  eventCount: number,
): number {
  const child = spawnSync(
    process.execPath,
    [
      fileURLToPath(import.meta.url),
      '--js-sdk',
      baseUrl,
      receiver.userId,
      receiver.password,
      roomId,
      keysFile,
      String(eventCount),
    ],
    { encoding: 'utf8', maxBuffer: 1 << 24 },
  );
  if (child.status !== 0) throw new Error(`matrix-js-sdk side failed: ${child.stderr}`);
  // The SDK logs to stdout too: the figures are on the line marked for them.
  const line = child.stdout.split('\n').find((text) => text.startsWith(RESULT_MARK));
  if (!line) throw new Error('matrix-js-sdk side printed no figures');
  const figures = JSON.parse(line.slice(RESULT_MARK.length)) as { ms: number };
  return figures.ms;
}

async function jsSdkSide(args: string[]): Promise<void> {
  const [baseUrl = '', userId = '', password = '', roomId = '', keysFile = '', count = '0'] = args;
  const eventCount = Number(count);
  await import('fake-indexeddb/auto');
  const sdk = await import('matrix-js-sdk');
  const loglevel = (await import('loglevel')).default;
  loglevel.methodFactory = () => () => {};
  for (const named of Object.values(loglevel.getLoggers())) named.rebuild();
  loglevel.rebuild();
  const silent = {
    trace: () => {},
    debug: () => {},
    info: () => {},
    warn: () => {},
    error: () => {},
    getChild: () => silent,
  };
  const login = (await (
    await fetch(`${baseUrl}/_matrix/client/v3/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'm.login.password',
        identifier: { type: 'm.id.user', user: userId },
        password,
      }),
    })
  ).json()) as { access_token: string; device_id: string };
  const client = sdk.createClient({
    baseUrl,
    userId,
    deviceId: login.device_id,
    accessToken: login.access_token,
    logger: silent,
  });
  // IndexedDB store (the default), encrypted with a key as Element's pickle key does.
  await client.initRustCrypto({ useIndexedDB: true, storageKey: new Uint8Array(randomBytes(32)) });
  const crypto = client.getCrypto();
  if (!crypto) throw new Error('no crypto');

  // The room's events as the server has them, newest first, then each tried once (no key yet).
  const raw: Record<string, unknown>[] = [];
  let from: string | undefined;
  while (raw.length < eventCount) {
    const query = new URLSearchParams({ dir: 'b', limit: '1000', ...(from ? { from } : {}) });
    const page = (await (
      await fetch(`${baseUrl}/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/messages?${query}`, {
        headers: { authorization: `Bearer ${login.access_token}` },
      })
    ).json()) as { chunk: Record<string, unknown>[]; end?: string };
    raw.push(...page.chunk.filter((event) => event.type === 'm.room.encrypted'));
    if (!page.end || page.chunk.length === 0) break;
    from = page.end;
  }
  if (raw.length !== eventCount) throw new Error(`found ${raw.length} of ${eventCount} events`);
  const events = raw.map((event) => new sdk.MatrixEvent({ ...event, room_id: roomId }));
  await Promise.all(events.map((event) => client.decryptEventIfNeeded(event)));
  if (events.some((event) => !event.isDecryptionFailure()))
    throw new Error('an event decrypted without its key');

  let decrypted = 0;
  let done: () => void = () => {};
  const allDecrypted = new Promise<void>((resolve) => (done = resolve));
  for (const event of events)
    event.on(sdk.MatrixEventEvent.Decrypted, () => {
      if (event.isDecryptionFailure()) return;
      decrypted += 1;
      if (decrypted === events.length) done();
    });
  const keys = readFileSync(keysFile, 'utf8');
  const started = performance.now();
  await crypto.importRoomKeysAsJson(keys);
  await allDecrypted;
  const ms = performance.now() - started;
  client.stopClient();
  process.stdout.write(`${RESULT_MARK}${JSON.stringify({ ms, events: events.length })}\n`, () =>
    process.exit(0),
  );
}

function seconds(since: number): string {
  return ((performance.now() - since) / 1000).toFixed(1);
}
