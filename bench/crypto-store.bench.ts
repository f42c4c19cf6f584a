// Crypto store throughput and open time (issue 3): an OlmMachine on the persistent store
// (in-memory IndexedDB journaled into SQLCipher) against the same machine on fake-indexeddb's
// plain in-memory IndexedDB. Each variant runs in its own process, alternating, so neither
// inherits the other's warm caches or the journal's hooks.
//   node bench/crypto-store.bench.ts            run everything and print the figures
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 10_000);
const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 50_000);
const ROUNDS = 2;

type Variant = 'memory' | 'persistent';
interface Throughput {
  encryptPerSecond: number;
  decryptPerSecond: number;
}

async function machineOn(variant: Variant, dir: string) {
  const sdk = await import('@matrix-org/matrix-sdk-crypto-wasm');
  await sdk.initAsync();
  const { openAccountCryptoStore } = await import('./fixtures/crypto-store-fixture.ts');
  // The clock covers what a start pays once the code is loaded: opening the account database,
  // loading the journal back into memory, then the store handle and the machine.
  const started = performance.now();
  let close = () => {};
  if (variant === 'memory') {
    await import('fake-indexeddb/auto');
  } else {
    close = await openAccountCryptoStore(dir);
  }
  const store = await sdk.StoreHandle.openWithKey('bench', new Uint8Array(32).fill(3));
  const machine = await sdk.OlmMachine.initFromStore(
    new sdk.UserId('@bench:x'),
    new sdk.DeviceId('BENCH'),
    store,
  );
  return { sdk, machine, openMs: performance.now() - started, close };
}

async function throughput(variant: Variant): Promise<Throughput> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-bench-crypto-'));
  try {
    const { sdk, machine, close } = await machineOn(variant, dir);
    const room = new sdk.RoomId('!bench:x');
    const settings = new sdk.EncryptionSettings();
    settings.rotationPeriodMessages = BigInt(EVENTS * 2);
    await machine.shareRoomKey(room, [], settings);
    const events: string[] = [];
    let started = performance.now();
    for (let i = 0; i < EVENTS; i++) {
      const content = await machine.encryptRoomEvent(
        room,
        'm.room.message',
        JSON.stringify({ msgtype: 'm.text', body: `bench ${i}` }),
      );
      events.push(
        JSON.stringify({
          type: 'm.room.encrypted',
          content: JSON.parse(content),
          sender: '@bench:x',
          event_id: `$e${i}`,
          origin_server_ts: i,
          room_id: '!bench:x',
        }),
      );
    }
    const encryptMs = performance.now() - started;
    const decryption = new sdk.DecryptionSettings(sdk.TrustRequirement.Untrusted);
    started = performance.now();
    for (const event of events) await machine.decryptRoomEvent(event, room, decryption);
    const decryptMs = performance.now() - started;
    machine.close();
    close();
    return { encryptPerSecond: (EVENTS / encryptMs) * 1000, decryptPerSecond: (EVENTS / decryptMs) * 1000 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Fills a persistent store with SESSIONS inbound group sessions (once), then times re-opening it. */
async function fillSessions(dir: string): Promise<void> {
  const { sdk, machine, close } = await machineOn('persistent', dir);
  const settings = new sdk.EncryptionSettings();
  const batch = 1000;
  for (let start = 0; start < SESSIONS; start += batch) {
    // A fresh in-memory machine per batch keeps each export to this batch's sessions.
    const source = await sdk.OlmMachine.initialize(
      new sdk.UserId('@peer:x'),
      new sdk.DeviceId(`PEER${start}`),
    );
    for (let i = start; i < Math.min(SESSIONS, start + batch); i++) {
      await source.shareRoomKey(new sdk.RoomId(`!r${i}:x`), [], settings);
    }
    const exported = await source.exportRoomKeys(() => true);
    await machine.importExportedRoomKeys(exported, () => {});
  }
  machine.close();
  close();
}

async function openTime(dir: string): Promise<{ openMs: number; sessions: number }> {
  const { machine, openMs, close } = await machineOn('persistent', dir);
  const counts = await machine.roomKeyCounts();
  machine.close();
  close();
  return { openMs, sessions: counts.total };
}

function child(args: string[]): unknown {
  const result = spawnSync(process.execPath, [fileURLToPath(import.meta.url), ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  if (result.status !== 0) throw new Error(`bench child ${args.join(' ')} failed:\n${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').at(-1) ?? 'null');
}

const fmt = (value: number) => Math.round(value).toLocaleString('en-US');
const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');

async function main(): Promise<void> {
  const [command, variant, dir] = process.argv.slice(2);
  if (command === 'throughput') {
    console.log(JSON.stringify(await throughput(variant as Variant)));
    return;
  }
  if (command === 'fill') {
    await fillSessions(dir!);
    console.log('null');
    return;
  }
  if (command === 'open') {
    console.log(JSON.stringify(await openTime(dir!)));
    return;
  }

  console.log(
    `crypto store: encrypt then decrypt ${fmt(EVENTS)} megolm events, ${ROUNDS} rounds, best of each`,
  );
  const best: Record<Variant, Throughput> = {
    memory: { encryptPerSecond: 0, decryptPerSecond: 0 },
    persistent: { encryptPerSecond: 0, decryptPerSecond: 0 },
  };
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of ['memory', 'persistent'] as const) {
      const figures = child(['throughput', name]) as Throughput;
      best[name].encryptPerSecond = Math.max(best[name].encryptPerSecond, figures.encryptPerSecond);
      best[name].decryptPerSecond = Math.max(best[name].decryptPerSecond, figures.decryptPerSecond);
    }
  }
  const encryptRatio = best.memory.encryptPerSecond / best.persistent.encryptPerSecond;
  const decryptRatio = best.memory.decryptPerSecond / best.persistent.decryptPerSecond;
  console.log(
    `  in-memory IndexedDB (fake-indexeddb):  ${fmt(best.memory.encryptPerSecond)} encrypts/s, ${fmt(best.memory.decryptPerSecond)} decrypts/s`,
  );
  console.log(
    `  persistent store (journal in SQLCipher): ${fmt(best.persistent.encryptPerSecond)} encrypts/s, ${fmt(best.persistent.decryptPerSecond)} decrypts/s`,
  );
  console.log(
    `  slowdown: encrypt ${encryptRatio.toFixed(2)}x, decrypt ${decryptRatio.toFixed(2)}x (target <= 1.3x) ${verdict(encryptRatio <= 1.3 && decryptRatio <= 1.3)}`,
  );

  const dir2 = mkdtempSync(join(tmpdir(), 'tessera-bench-sessions-'));
  try {
    const started = performance.now();
    child(['fill', '-', dir2]);
    console.log(
      `crypto store open with ${fmt(SESSIONS)} inbound group sessions (fixture built in ${fmt(performance.now() - started)} ms)`,
    );
    const opened = child(['open', '-', dir2]) as { openMs: number; sessions: number };
    console.log(
      `  open the account database, load the journal, ready OlmMachine: ${fmt(opened.openMs)} ms with ${fmt(opened.sessions)} sessions (target <= 500 ms) ${verdict(opened.openMs <= 500)}`,
    );
  } finally {
    rmSync(dir2, { recursive: true, force: true });
  }
}

await main();
