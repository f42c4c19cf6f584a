// The persistent IndexedDB: what a transaction commits reaches SQLite, what it aborts does
// not, and a restart rebuilds the same databases from the journal.
import { afterEach, describe, expect, it } from 'vitest';
import {
  openJournaledIndexedDB,
  type JournaledIndexedDB,
} from '../../../src-main/engine/crypto-store/journaled-indexeddb.ts';
import { SqliteIdbJournal } from '../../../src-main/engine/crypto-store/sqlite-idb-journal.ts';
import type { SqliteConnection } from '../../../src-main/engine/store/sqlite-driver.ts';
import { openJournalDatabase } from '../../support/journal-database.ts';

/* eslint-disable @typescript-eslint/no-explicit-any -- the IndexedDB API is untyped in the Node lib */
type Idb = any;

function settle<T = unknown>(request: Idb): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result as T);
    request.onerror = () => reject(request.error);
  });
}

function done(transaction: Idb): Promise<void> {
  return new Promise((resolve, reject) => {
    transaction.oncomplete = () => resolve();
    transaction.onabort = () => reject(transaction.error ?? new Error('aborted'));
  });
}

const factory = (): Idb => (globalThis as { indexedDB?: Idb }).indexedDB;

async function openSchema(name: string, version = 1): Promise<Idb> {
  const request = factory().open(name, version);
  request.onupgradeneeded = () => {
    const db = request.result;
    if (!db.objectStoreNames.contains('sessions')) {
      const sessions = db.createObjectStore('sessions', { keyPath: ['room', 'id'] });
      sessions.createIndex('by_room', 'room', { unique: false });
    }
    if (!db.objectStoreNames.contains('core')) db.createObjectStore('core');
    if (version >= 2 && !db.objectStoreNames.contains('counters'))
      db.createObjectStore('counters', { autoIncrement: true });
  };
  return settle(request);
}

async function readAll(db: Idb, store: string): Promise<unknown[]> {
  const transaction = db.transaction([store], 'readonly');
  return settle(transaction.objectStore(store).getAll());
}

let sqlite: SqliteConnection;
let store: JournaledIndexedDB | undefined;
let fatal: unknown[] = [];

async function open(prefix = 'acct'): Promise<JournaledIndexedDB> {
  store = await openJournaledIndexedDB({
    journal: new SqliteIdbJournal(sqlite),
    namePrefix: prefix,
    onFatal: (error) => fatal.push(error),
  });
  return store;
}

/** A restart: forget everything in memory, then load it back from SQLite. */
async function restart(db: Idb): Promise<void> {
  db.close();
  await store?.close();
  await open();
}

afterEach(async () => {
  await store?.close().catch(() => undefined);
  store = undefined;
  fatal = [];
});

describe('journaled IndexedDB', () => {
  it('persists puts, adds, deletes, range deletes, clears and cursor writes across a restart', async () => {
    sqlite = openJournalDatabase();
    await open();
    let db = await openSchema('acct::crypto');
    const write = db.transaction(['sessions', 'core'], 'readwrite');
    const sessions = write.objectStore('sessions');
    for (let i = 0; i < 5; i++) sessions.put({ room: '!a', id: i, pickle: new Uint8Array([i, 1, 2]) });
    sessions.add({ room: '!b', id: 0, pickle: 'b0' });
    write.objectStore('core').put({ account: 'pickled' }, 'account');
    write.objectStore('core').put('drop me', 'temporary');
    await done(write);

    const change = db.transaction(['sessions', 'core'], 'readwrite');
    change
      .objectStore('sessions')
      .delete((globalThis as unknown as { IDBKeyRange: Idb }).IDBKeyRange.bound(['!a', 3], ['!a', 4]));
    change.objectStore('core').delete('temporary');
    const cursorRequest = change.objectStore('sessions').openCursor(['!a', 0]);
    cursorRequest.onsuccess = () => {
      const cursor = cursorRequest.result;
      if (cursor) cursor.update({ ...cursor.value, pickle: 'updated' });
    };
    const deleteCursor = change.objectStore('sessions').index('by_room').openCursor('!b');
    deleteCursor.onsuccess = () => deleteCursor.result?.delete();
    await done(change);
    store!.flush();

    await restart(db);
    db = await openSchema('acct::crypto');
    const restored = (await readAll(db, 'sessions')) as { room: string; id: number; pickle: unknown }[];
    expect(restored.map((session) => [session.room, session.id])).toEqual([
      ['!a', 0],
      ['!a', 1],
      ['!a', 2],
    ]);
    expect(restored[0]?.pickle).toBe('updated');
    expect(restored[1]?.pickle).toEqual(new Uint8Array([1, 1, 2]));
    expect(await readAll(db, 'core')).toEqual([{ account: 'pickled' }]);
    // Indexes come back too.
    const byRoom = db.transaction(['sessions'], 'readonly').objectStore('sessions').index('by_room');
    expect(await settle(byRoom.count('!a'))).toBe(3);
    db.close();
  });

  it('keeps nothing of an aborted transaction', async () => {
    sqlite = openJournalDatabase();
    await open();
    let db = await openSchema('acct::abort');
    const kept = db.transaction(['core'], 'readwrite');
    kept.objectStore('core').put('kept', 'a');
    await done(kept);
    const aborted = db.transaction(['core'], 'readwrite');
    aborted.objectStore('core').put('never', 'b');
    aborted.objectStore('core').delete('a');
    aborted.abort();
    await expect(done(aborted)).rejects.toBeDefined();
    store!.flush();
    await restart(db);
    db = await openSchema('acct::abort');
    expect(await readAll(db, 'core')).toEqual(['kept']);
    db.close();
  });

  it('persists an upgrade that adds a store, and clear()', async () => {
    sqlite = openJournalDatabase();
    await open();
    let db = await openSchema('acct::upgrade');
    const first = db.transaction(['core'], 'readwrite');
    first.objectStore('core').put(1, 'x');
    await done(first);
    db.close();
    db = await openSchema('acct::upgrade', 2);
    const second = db.transaction(['counters', 'core'], 'readwrite');
    second.objectStore('counters').add({ n: 1 });
    second.objectStore('counters').add({ n: 2 });
    second.objectStore('core').clear();
    await done(second);
    await restart(db);
    db = await openSchema('acct::upgrade', 2);
    expect(db.version).toBe(2);
    expect(await readAll(db, 'counters')).toEqual([{ n: 1 }, { n: 2 }]);
    expect(await readAll(db, 'core')).toEqual([]);
    // The key generator continues after the restored keys.
    const third = db.transaction(['counters'], 'readwrite');
    const key = await settle(third.objectStore('counters').add({ n: 3 }));
    expect(key).toBe(3);
    db.close();
  });

  it('does not journal databases outside its prefix', async () => {
    sqlite = openJournalDatabase();
    await open('acct');
    const other = await openSchema('someone-else');
    const write = other.transaction(['core'], 'readwrite');
    write.objectStore('core').put('x', 'y');
    await done(write);
    store!.flush();
    expect(sqlite.prepare('SELECT count(*) AS n FROM crypto_idb_records').get()).toEqual({ n: 0 });
    other.close();
  });

  it('writes nothing until a barrier or the short timer, then everything in commit order', async () => {
    sqlite = openJournalDatabase();
    await open();
    const db = await openSchema('acct::barrier');
    for (let i = 0; i < 3; i++) {
      const write = db.transaction(['core'], 'readwrite');
      write.objectStore('core').put(i, 'counter');
      await done(write);
    }
    const count = () =>
      sqlite.prepare("SELECT count(*) AS n FROM crypto_idb_records WHERE store_name = 'core'").get();
    expect(count()).toEqual({ n: 0 });
    store!.flush();
    expect(count()).toEqual({ n: 1 });
    const row = sqlite.prepare("SELECT value FROM crypto_idb_records WHERE store_name = 'core'").get() as {
      value: Buffer;
    };
    expect((await import('node:v8')).deserialize(row.value)).toBe(2);
    db.close();
  });

  it('stops the store for good when a write fails, and says so', async () => {
    sqlite = openJournalDatabase();
    await open();
    const db = await openSchema('acct::fatal');
    sqlite.exec('DROP TABLE crypto_idb_records');
    const write = db.transaction(['core'], 'readwrite');
    write.objectStore('core').put('lost', 'k');
    await done(write);
    expect(() => store!.flush()).toThrow();
    expect(fatal).toHaveLength(1);
    // Later barriers keep failing: nothing may go out that the disk does not have.
    expect(() => store!.flush()).toThrow();
    db.close();
    // Closing still unregisters the store (and reports the failed write once more).
    await expect(store!.close()).rejects.toBeDefined();
    store = undefined;
  });
});

describe('journal write coalescing', () => {
  it('keeps the last write per record, and a clear drops earlier writes of its store only', async () => {
    const { coalesce } = await import('../../../src-main/engine/crypto-store/journal-writer.ts');
    const key = (text: string) => Buffer.from(text);
    const put = (store: string, k: string, v: string) => ({
      kind: 'put' as const,
      store,
      key: key(k),
      value: key(v),
    });
    const result = coalesce([
      { dbName: 'a', ops: [put('s', 'k1', 'v1'), put('t', 'k1', 't1')], schema: undefined },
      { dbName: 'a', ops: [put('s', 'k1', 'v2'), { kind: 'clear', store: 't' }], schema: undefined },
      {
        dbName: 'a',
        ops: [put('t', 'k2', 't2'), { kind: 'delete', store: 's', key: key('k1') }],
        schema: undefined,
      },
    ]);
    expect(result).toHaveLength(1);
    expect(
      result[0]?.ops.map((op) => [op.kind, op.store, op.kind === 'clear' ? '' : op.key.toString()]),
    ).toEqual([
      ['clear', 't', ''],
      ['put', 't', 'k2'],
      ['delete', 's', 'k1'],
    ]);
  });
});

describe('lazily loaded stores (inbound group sessions)', () => {
  const LAZY = 'inbound_group_sessions3';

  async function openLazySchema(name: string): Promise<Idb> {
    const request = factory().open(name, 1);
    request.onupgradeneeded = () => {
      const store = request.result.createObjectStore(LAZY, { keyPath: ['room', 'id'] });
      store.createIndex('backup', 'needsBackup', { unique: false });
      request.result.createObjectStore('core');
    };
    return settle(request);
  }

  async function seed(): Promise<Idb> {
    sqlite = openJournalDatabase();
    await open();
    const db = await openLazySchema('acct::lazy');
    const write = db.transaction([LAZY], 'readwrite');
    for (let i = 0; i < 5; i++)
      write.objectStore(LAZY).put({ room: '!r', id: i, needsBackup: i % 2, pickle: `p${i}` });
    await done(write);
    store!.flush();
    await restart(db);
    return openLazySchema('acct::lazy');
  }

  /** How many records fake-indexeddb holds in memory, without the reads that would load more. */
  const rawCount = (db: Idb) => {
    const raw = (db.transaction([LAZY], 'readonly').objectStore(LAZY) as Idb)._rawObjectStore;
    return [...raw.records.values()].length;
  };

  it('loads nothing at start, one record on a keyed read, everything on a scan or an index read', async () => {
    const db = await seed();
    expect(rawCount(db)).toBe(0);
    const read = db.transaction([LAZY], 'readonly');
    expect(await settle(read.objectStore(LAZY).get(['!r', 3]))).toMatchObject({ pickle: 'p3' });
    expect(await settle(read.objectStore(LAZY).get(['!r', 99]))).toBeUndefined();
    expect(rawCount(db)).toBe(1);
    const byIndex = db.transaction([LAZY], 'readonly').objectStore(LAZY).index('backup');
    expect(await settle(byIndex.count(1))).toBe(2);
    expect(rawCount(db)).toBe(5);
    expect(await readAll(db, LAZY)).toHaveLength(5);
    db.close();
  });

  it('an aborted write to a record not yet loaded does not hide the stored record', async () => {
    const db = await seed();
    const write = db.transaction([LAZY], 'readwrite');
    write.objectStore(LAZY).put({ room: '!r', id: 2, needsBackup: 0, pickle: 'changed' });
    write.abort();
    await expect(done(write)).rejects.toBeDefined();
    const read = db.transaction([LAZY], 'readonly');
    expect(await settle(read.objectStore(LAZY).get(['!r', 2]))).toMatchObject({ pickle: 'p2' });
    db.close();
  });

  it('memory stays the truth for written and deleted records, before and after the journal write', async () => {
    const db = await seed();
    const write = db.transaction([LAZY], 'readwrite');
    write.objectStore(LAZY).put({ room: '!r', id: 1, needsBackup: 0, pickle: 'new' });
    write.objectStore(LAZY).delete(['!r', 4]);
    await done(write);
    // Not flushed yet: the journal still has the old versions; memory must win.
    const all = (await readAll(db, LAZY)) as { id: number; pickle: string }[];
    expect(all.map((session) => [session.id, session.pickle])).toEqual([
      [0, 'p0'],
      [1, 'new'],
      [2, 'p2'],
      [3, 'p3'],
    ]);
    store!.flush();
    await restart(db);
    const again = await openLazySchema('acct::lazy');
    expect(
      await settle(again.transaction([LAZY], 'readonly').objectStore(LAZY).get(['!r', 4])),
    ).toBeUndefined();
    expect(
      await settle(again.transaction([LAZY], 'readonly').objectStore(LAZY).get(['!r', 1])),
    ).toMatchObject({ pickle: 'new' });
    again.close();
  });
});
