// Account database benchmarks (issue 3): cold open to a ready room list, timeline write
// throughput, and SQLCipher against the same schema unencrypted. Prints figures with their
// targets; asserts nothing.
//   node bench/store.bench.ts
// Fixture profiles (1,000 rooms, 100,000 events) are built once per run in a temp folder.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AccountDatabase, schemaMigrations } from '../src-main/engine/store/account-database.ts';
import { applyConnectionSettings, holdExclusiveLock } from '../src-main/engine/store/connection-settings.ts';
import type { RoomRecord } from '../src-main/engine/store/room-store.ts';
import { openSqliteConnection } from '../src-main/engine/store/sqlite-driver.ts';
import type { TimelineEventInput } from '../src-main/engine/store/timeline-store.ts';

const ROOMS = 1_000;
const EVENTS_PER_ROOM = 100;
const MEMBERS_PER_ROOM = 10;
const COLD_OPEN_SAMPLES = 11;
const WRITE_BATCHES = 1_000; // x 100 events
const SINGLE_EVENT_TRANSACTIONS = 2_000;
const WRITE_ROUNDS = 3;

type Flavour = 'sqlcipher' | 'plain';
type Synchronous = 'FULL' | 'NORMAL';

const selfPath = fileURLToPath(import.meta.url);

// ---- opening ---------------------------------------------------------------------------------

function openProfile(flavour: Flavour, path: string, keyHex: string): AccountDatabase {
  if (flavour === 'sqlcipher')
    return AccountDatabase.open({ path, key: Buffer.from(keyHex, 'hex'), keySource: 'the benchmark' });
  // The same steps as AccountDatabase.open, minus the cipher, the key and the key check.
  const db = openSqliteConnection(path, { busyTimeoutMs: 1000 });
  db.pragma('locking_mode = EXCLUSIVE');
  db.prepare('SELECT count(*) FROM sqlite_master').pluck().get();
  schemaMigrations.assertSupported(db);
  applyConnectionSettings(db);
  holdExclusiveLock(db);
  schemaMigrations.migrate(db);
  return new AccountDatabase(db, path);
}

// ---- fixture data ----------------------------------------------------------------------------

const WORDS =
  'the a meeting lunch tomorrow review deploy coffee later sounds good thanks see you at noon maybe friday link doc'.split(
    ' ',
  );

function sentence(seed: number, words: number): string {
  let text = '';
  for (let i = 0; i < words; i += 1) text += `${WORDS[(seed * 31 + i * 17) % WORDS.length]} `;
  return text.trim();
}

function roomRecord(i: number): RoomRecord {
  return {
    roomId: `!room${i}:bench.example.org`,
    membership: 'join',
    displayName: `Room ${i}`,
    name: `Room ${i}`,
    canonicalAlias: `#room${i}:bench.example.org`,
    topic: sentence(i, 8),
    avatarUrl: null,
    isDirect: i % 5 === 0,
    isEncrypted: i % 3 !== 0,
    inviter: null,
    heroes: [{ userId: `@user${i % 50}:bench.example.org`, displayName: `User ${i % 50}` }],
    joinedMemberCount: MEMBERS_PER_ROOM,
    invitedMemberCount: 0,
    notificationCount: i % 7,
    highlightCount: i % 11 === 0 ? 1 : 0,
    lastActivity: 1_700_000_000_000 + i * 1000,
  };
}

/** A mix like a real account: two in three events encrypted (ciphertext plus decrypted form). */
function event(room: number, n: number): TimelineEventInput {
  const body = sentence(room * 1000 + n, 6 + (n % 20));
  const base = {
    // Real event ids are 43 characters of unpadded base64 hash: random, so index inserts scatter.
    eventId: `$${randomBytes(32).toString('base64url')}`,
    sender: `@user${(room + n) % 50}:bench.example.org`,
    originServerTs: 1_700_000_000_000 + n * 1000,
    unsigned: { age: 1234 },
  };
  if (n % 3 === 0)
    return { ...base, type: 'm.room.message', content: { msgtype: 'm.text', body }, decryption: 'none' };
  return {
    ...base,
    type: 'm.room.encrypted',
    content: {
      algorithm: 'm.megolm.v1.aes-sha2',
      ciphertext: randomBytes(160 + body.length).toString('base64'),
      device_id: 'BENCHDEVICE',
      sender_key: randomBytes(32).toString('base64'),
      session_id: randomBytes(32).toString('base64'),
    },
    decryption: 'decrypted',
    decrypted: { type: 'm.room.message', content: { msgtype: 'm.text', body } },
  };
}

function buildFixture(flavour: Flavour, dir: string, keyHex: string): string {
  const path = join(dir, `${flavour}.db`);
  const db = openProfile(flavour, path, keyHex);
  db.session.save({
    homeserver: 'https://bench.example.org',
    userId: '@me:bench.example.org',
    deviceId: 'BENCHDEVICE',
    accessToken: 'syt_bench',
    createdAt: Date.now(),
  });
  for (let start = 0; start < ROOMS; start += 100) {
    db.transaction(() => {
      const rooms = Array.from({ length: 100 }, (_, k) => roomRecord(start + k));
      db.rooms.upsertMany(rooms);
      for (const [k, room] of rooms.entries()) {
        db.roomState.putMany(room.roomId, [
          {
            type: 'm.room.create',
            stateKey: '',
            eventId: null,
            sender: '@me:bench.example.org',
            content: { room_version: '10' },
          },
          {
            type: 'm.room.name',
            stateKey: '',
            eventId: null,
            sender: '@me:bench.example.org',
            content: { name: room.name },
          },
          {
            type: 'm.room.topic',
            stateKey: '',
            eventId: null,
            sender: '@me:bench.example.org',
            content: { topic: room.topic },
          },
          ...(room.isEncrypted
            ? [
                {
                  type: 'm.room.encryption',
                  stateKey: '',
                  eventId: null,
                  sender: '@me:bench.example.org',
                  content: { algorithm: 'm.megolm.v1.aes-sha2' },
                },
              ]
            : []),
        ]);
        db.members.upsertMany(
          room.roomId,
          Array.from({ length: MEMBERS_PER_ROOM }, (_, m) => ({
            userId: `@user${(start + k + m) % 50}:bench.example.org`,
            membership: 'join' as const,
            displayName: `User ${(start + k + m) % 50}`,
            avatarUrl: null,
          })),
        );
      }
    });
  }
  for (let room = 0; room < ROOMS; room += 1)
    db.timeline.appendBatch(
      `!room${room}:bench.example.org`,
      Array.from({ length: EVENTS_PER_ROOM }, (_, n) => event(room, n)),
      { prevBatch: `t${room}` },
    );
  db.sync.savePosition('sliding', 'pos-bench');
  db.close();
  return path;
}

// ---- (a) cold open ---------------------------------------------------------------------------

/**
 * Runs in a fresh process: open, key, pragmas, lock, migrations check, and the room list. The
 * native SQLite module is loaded first, off the clock (the engine loads it once at start,
 * whichever profile it then opens); its load time is reported beside the figure.
 */
function coldOpenChild(flavour: Flavour, path: string): void {
  const keyHex = process.env.TESSERA_BENCH_KEY ?? '';
  let started = performance.now();
  openSqliteConnection(':memory:', { busyTimeoutMs: 0 }).close();
  const bindingMs = performance.now() - started;
  started = performance.now();
  const db = openProfile(flavour, path, keyHex);
  const rooms = db.rooms.list();
  const readyMs = performance.now() - started;
  started = performance.now();
  const latest = db.timeline.latest(rooms[0]?.roomId ?? '', 50);
  const latestMs = performance.now() - started;
  db.close();
  if (rooms.length !== ROOMS || latest.length !== 50) throw new Error('the fixture is not what it should be');
  process.stdout.write(`${JSON.stringify({ readyMs, latestMs, bindingMs })}\n`);
}

interface ColdOpenSample {
  readyMs: number;
  latestMs: number;
  bindingMs: number;
}

/** Samples alternate between the flavours, so a busy moment on the machine hits both alike. */
function coldOpens(paths: Record<Flavour, string>, keyHex: string): Record<Flavour, ColdOpenSample[]> {
  const samples: Record<Flavour, ColdOpenSample[]> = { sqlcipher: [], plain: [] };
  for (let i = 0; i < COLD_OPEN_SAMPLES; i += 1)
    for (const flavour of ['sqlcipher', 'plain'] as const) {
      const child = spawnSync(process.execPath, [selfPath, '--cold-open', flavour, paths[flavour]], {
        env: { ...process.env, TESSERA_BENCH_KEY: keyHex },
        encoding: 'utf8',
      });
      if (child.status !== 0) throw new Error(`cold open child failed: ${child.stderr}`);
      samples[flavour].push(JSON.parse(child.stdout.trim()) as ColdOpenSample);
    }
  return samples;
}

// ---- (b) writes ------------------------------------------------------------------------------

interface WriteFigures {
  batchedPerSecond: number;
  singlePerSecond: number;
}

const WRITE_ROOMS = 200;

/** Event objects as a sync parser hands them over, built once and reused by every run. */
function writeWorkload() {
  const batches = Array.from({ length: WRITE_BATCHES }, (_, b) =>
    Array.from({ length: 100 }, (_, n) => event(b % WRITE_ROOMS, Math.floor(b / WRITE_ROOMS) * 100 + n)),
  );
  const singles = Array.from({ length: SINGLE_EVENT_TRANSACTIONS }, (_, n) => event(0, 1_000_000 + n));
  return { batches, singles };
}

function writeThroughput(
  flavour: Flavour,
  dir: string,
  keyHex: string,
  synchronous: Synchronous,
  workload: ReturnType<typeof writeWorkload>,
): WriteFigures {
  const path = join(dir, `writes-${flavour}-${synchronous}.db`);
  const db = openProfile(flavour, path, keyHex);
  db.connection.pragma(`synchronous = ${synchronous}`);
  const rooms = Array.from({ length: WRITE_ROOMS }, (_, i) => roomRecord(i));
  db.rooms.upsertMany(rooms);
  let started = performance.now();
  for (const [b, batch] of workload.batches.entries())
    db.timeline.appendBatch(rooms[b % WRITE_ROOMS]?.roomId ?? '', batch);
  const batchedPerSecond = (WRITE_BATCHES * 100) / ((performance.now() - started) / 1000);

  started = performance.now();
  for (const single of workload.singles) db.timeline.appendBatch(rooms[0]?.roomId ?? '', [single]);
  const singlePerSecond = SINGLE_EVENT_TRANSACTIONS / ((performance.now() - started) / 1000);
  db.close();
  for (const suffix of ['', '-wal', '.keycheck']) rmSync(`${path}${suffix}`, { force: true });
  return { batchedPerSecond, singlePerSecond };
}

/** Medians over rounds that alternate the configurations, so a busy moment hits them alike. */
function writeFigures(dir: string, keyHex: string) {
  const workload = writeWorkload();
  const configs = [
    ['sqlcipher', 'FULL'],
    ['plain', 'FULL'],
    ['sqlcipher', 'NORMAL'],
    ['plain', 'NORMAL'],
  ] as const;
  const samples = new Map<string, WriteFigures[]>();
  for (let round = 0; round < WRITE_ROUNDS; round += 1)
    for (const [flavour, synchronous] of configs) {
      const key = `${flavour}-${synchronous}`;
      samples.set(key, [
        ...(samples.get(key) ?? []),
        writeThroughput(flavour, dir, keyHex, synchronous, workload),
      ]);
    }
  const figures = (flavour: Flavour, synchronous: Synchronous): WriteFigures => {
    const runs = samples.get(`${flavour}-${synchronous}`) ?? [];
    return {
      batchedPerSecond: median(runs.map((run) => run.batchedPerSecond)),
      singlePerSecond: median(runs.map((run) => run.singlePerSecond)),
    };
  };
  return {
    sqlcipherFull: figures('sqlcipher', 'FULL'),
    sqlcipherNormal: figures('sqlcipher', 'NORMAL'),
    plainFull: figures('plain', 'FULL'),
    plainNormal: figures('plain', 'NORMAL'),
  };
}

// ---- reporting -------------------------------------------------------------------------------

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

const number = (value: number, digits = 0) =>
  value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

function figure(label: string, value: string, target?: { text: string; met: boolean }): void {
  const verdict = target ? `  target ${target.text}  ${target.met ? 'PASS' : 'MISS'}` : '';
  console.log(`  ${label.padEnd(58)} ${value.padStart(14)}${verdict}`);
}

function main(): void {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-bench-store-'));
  const keyHex = randomBytes(32).toString('hex');
  try {
    console.log(
      `store: building fixtures (${number(ROOMS)} rooms, ${number(ROOMS * EVENTS_PER_ROOM)} events) in ${dir}`,
    );
    let started = performance.now();
    const encryptedPath = buildFixture('sqlcipher', dir, keyHex);
    const encryptedBuildS = (performance.now() - started) / 1000;
    started = performance.now();
    const plainPath = buildFixture('plain', dir, keyHex);
    const plainBuildS = (performance.now() - started) / 1000;
    figure('fixture size, SQLCipher', `${number(statSync(encryptedPath).size / 2 ** 20, 1)} MiB`);
    figure(
      'fixture build, SQLCipher / unencrypted',
      `${number(encryptedBuildS, 1)} s / ${number(plainBuildS, 1)} s`,
    );

    console.log(`\n(a) cold open to a ready room list (fresh process each, median of ${COLD_OPEN_SAMPLES})`);
    const opens = coldOpens({ sqlcipher: encryptedPath, plain: plainPath }, keyHex);
    const openMs = median(opens.sqlcipher.map((sample) => sample.readyMs));
    const plainOpenMs = median(opens.plain.map((sample) => sample.readyMs));
    figure('SQLCipher: open + key + pragmas + 1,000 room summaries', `${number(openMs, 1)} ms`, {
      text: '<= 300 ms',
      met: openMs <= 300,
    });
    figure(
      '  slowest sample',
      `${number(Math.max(...opens.sqlcipher.map((sample) => sample.readyMs)), 1)} ms`,
    );
    figure(
      '  then the latest 50 events of the top room',
      `${number(median(opens.sqlcipher.map((sample) => sample.latestMs)), 2)} ms`,
    );
    figure(
      '  (before it, loading the native module)',
      `${number(median(opens.sqlcipher.map((sample) => sample.bindingMs)), 1)} ms`,
    );
    figure('unencrypted: the same', `${number(plainOpenMs, 1)} ms`);

    console.log(
      `\n(b) timeline write throughput (100 events per transaction = one sync response; median of ${WRITE_ROUNDS})`,
    );
    const writes = writeFigures(dir, keyHex);
    figure(
      "SQLCipher, synchronous=FULL (the store's setting)",
      `${number(writes.sqlcipherFull.batchedPerSecond)} ev/s`,
      {
        text: '>= 20,000/s',
        met: writes.sqlcipherFull.batchedPerSecond >= 20_000,
      },
    );
    figure('SQLCipher, synchronous=NORMAL', `${number(writes.sqlcipherNormal.batchedPerSecond)} ev/s`);
    figure('SQLCipher FULL, 1 event per transaction', `${number(writes.sqlcipherFull.singlePerSecond)} ev/s`);
    figure(
      'SQLCipher NORMAL, 1 event per transaction',
      `${number(writes.sqlcipherNormal.singlePerSecond)} ev/s`,
    );
    figure(
      'unencrypted FULL, 100 / 1 per transaction',
      `${number(writes.plainFull.batchedPerSecond)} / ${number(writes.plainFull.singlePerSecond)}`,
    );
    figure(
      'unencrypted NORMAL, 100 / 1 per transaction',
      `${number(writes.plainNormal.batchedPerSecond)} / ${number(writes.plainNormal.singlePerSecond)}`,
    );

    console.log('\n(c) SQLCipher against the same schema unencrypted (slowdown factor)');
    const writeFactor = writes.plainFull.batchedPerSecond / writes.sqlcipherFull.batchedPerSecond;
    const openFactor = openMs / plainOpenMs;
    figure('timeline writes, 100 per transaction, FULL', `${number(writeFactor, 2)}x`, {
      text: '<= 1.5x',
      met: writeFactor <= 1.5,
    });
    figure('cold open to room list', `${number(openFactor, 2)}x`, {
      text: '<= 1.5x',
      met: openFactor <= 1.5,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--cold-open') coldOpenChild(process.argv[3] as Flavour, process.argv[4] ?? '');
else main();
