// A persistent IndexedDB for the crypto store (DESIGN.md §3, issue 3 route b): fake-indexeddb's
// in-memory engine serves every read at memory speed, and each committed read-write transaction
// is written to the account's SQLCipher database as one SQLite transaction. At start the
// journal is loaded back into memory before the OlmMachine opens its store.
//
// The hooks wrap fake-indexeddb's own classes (the version is pinned in package-lock.json):
// every mutation is recorded when its request succeeds, and the transaction's records are
// written when it completes. Listeners of one event run synchronously in a row, and the crypto
// code resumes only in a later microtask, so the SQLite commit is done before the OlmMachine
// goes on (e.g. before it uploads a key whose private part was just stored).
import { deserialize, serialize } from 'node:v8';
import {
  IDBCursor as FakeCursor,
  IDBCursorWithValue,
  IDBDatabase as FakeDatabase,
  IDBFactory as FakeFactory,
  IDBIndex,
  IDBKeyRange as FakeKeyRange,
  IDBObjectStore as FakeObjectStore,
  IDBOpenDBRequest,
  IDBRequest,
  IDBTransaction,
  IDBVersionChangeEvent,
} from 'fake-indexeddb';
import { decodeIdbKey, encodeIdbKey } from './idb-key-codec.ts';
import { cloneSchema, type IdbSchema, type StoreSchema } from './idb-schema.ts';
import { JournalWriter } from './journal-writer.ts';
import {
  ensureAll,
  ensureKey,
  forgetLazy,
  keyOfWrite,
  lazyStoreNames,
  markLazy,
  type LazyStoreTarget,
} from './lazy-stores.ts';
import type { JournalOp, SqliteIdbJournal } from './sqlite-idb-journal.ts';

// The parts of the IndexedDB API this module touches, typed locally (the engine has no DOM lib).
interface Listenable {
  addEventListener(type: string, listener: () => void): void;
}
interface Request extends Listenable {
  result: unknown;
  error: unknown;
  transaction: Transaction | null;
}
interface OpenRequest extends Request {
  onupgradeneeded: ((event: { oldVersion: number }) => void) | null;
  onsuccess: (() => void) | null;
  onerror: (() => void) | null;
}
interface Transaction extends Listenable {
  db: Database;
  mode: string;
  objectStore(name: string): ObjectStore;
}
interface Index {
  name: string;
  keyPath: string | string[];
  unique: boolean;
  multiEntry: boolean;
  objectStore: ObjectStore;
}
interface ObjectStore {
  name: string;
  keyPath: string | string[] | null;
  autoIncrement: boolean;
  transaction: Transaction;
  put(value: unknown, key?: unknown): Request;
  add(value: unknown, key?: unknown): Request;
  delete(query: unknown): Request;
  clear(): Request;
  getAllKeys(query?: unknown): Request;
  createIndex(
    name: string,
    keyPath: string | string[],
    options?: { unique?: boolean; multiEntry?: boolean },
  ): Index;
  deleteIndex(name: string): void;
}
interface Database {
  name: string;
  version: number;
  createObjectStore(
    name: string,
    options?: { keyPath?: string | string[] | null; autoIncrement?: boolean },
  ): ObjectStore;
  deleteObjectStore(name: string): void;
  transaction(stores: string[], mode: string): Transaction;
  close(): void;
}
interface Cursor {
  source: ObjectStore | Index;
  primaryKey: unknown;
  update(value: unknown): Request;
  delete(): Request;
}
interface Factory {
  open(name: string, version?: number): OpenRequest;
  deleteDatabase(name: string): Request;
}

/** One database's journal target and its live schema model. */
interface Registration {
  writer: JournalWriter;
  schema: IdbSchema;
  onFatal: (error: unknown) => void;
}

interface PendingTransaction {
  registration: Registration;
  dbName: string;
  ops: JournalOp[];
  upgrade: boolean;
}

export interface JournaledIndexedDBOptions {
  journal: SqliteIdbJournal;
  /** Longest wait before committed transactions are written without a barrier. */
  maxWriteDelayMs?: number;
  /** Names of the IndexedDB databases to persist start with this (the crypto store's name). */
  namePrefix: string;
  /** Called when a committed transaction could not be written: the store must stop. */
  onFatal: (error: unknown) => void;
}

const registrations = new Map<string, Omit<Registration, 'schema'>>();

/** The open journaled store of one account: the barrier, and closing. */
export interface JournaledIndexedDB {
  /** Writes every committed transaction to SQLite before returning (see journal-writer.ts). */
  flush(): void;
  /** Flushes, stops journaling, and forgets the databases in memory. */
  close(): Promise<void>;
}
const schemas = new Map<string, IdbSchema>();
const pending = new WeakMap<Transaction, PendingTransaction>();
let restoring = 0;

function registrationFor(dbName: string): Registration | undefined {
  if (restoring > 0) return undefined;
  for (const [prefix, registration] of registrations) {
    if (dbName.startsWith(prefix)) {
      let schema = schemas.get(dbName);
      if (!schema) {
        schema = { version: 1, stores: [] };
        schemas.set(dbName, schema);
      }
      return { ...registration, schema };
    }
  }
  return undefined;
}

function pendingFor(transaction: Transaction): PendingTransaction | undefined {
  let entry = pending.get(transaction);
  if (entry) return entry;
  const dbName = transaction.db.name;
  const registration = registrationFor(dbName);
  if (!registration) return undefined;
  entry = { registration, dbName, ops: [], upgrade: transaction.mode === 'versionchange' };
  pending.set(transaction, entry);
  const settled = entry;
  transaction.addEventListener('complete', () => {
    if (settled.ops.length === 0 && !settled.upgrade) return;
    try {
      if (settled.upgrade) settled.registration.schema.version = transaction.db.version;
      const schema = settled.upgrade ? cloneSchema(settled.registration.schema) : undefined;
      settled.registration.writer.enqueue(dbName, settled.ops, schema);
    } catch {
      // The writer has already reported the failure through onFatal.
    }
  });
  transaction.addEventListener('abort', () => {
    // An aborted upgrade leaves the schema as the journal last saved it.
    if (settled.upgrade) {
      const saved = settled.registration.writer.journal.databases(dbName).get(dbName);
      schemas.set(dbName, saved ?? { version: 1, stores: [] });
    }
    settled.ops.length = 0;
  });
  return entry;
}

function schemaOf(entry: PendingTransaction, storeName: string): StoreSchema | undefined {
  return entry.registration.schema.stores.find((store) => store.name === storeName);
}

function recordOnSuccess(request: Request, record: () => void): Request {
  request.addEventListener('success', record);
  return request;
}

function storeOfCursor(cursor: Cursor): ObjectStore {
  const source = cursor.source;
  return 'objectStore' in source && !('createIndex' in source) ? source.objectStore : (source as ObjectStore);
}

let installed = false;

/** Wraps fake-indexeddb's mutating methods once per process (worker). */
function installHooks(): void {
  if (installed) return;
  installed = true;
  const storeProto = (FakeObjectStore as unknown as { prototype: ObjectStore }).prototype;
  const databaseProto = (FakeDatabase as unknown as { prototype: Database }).prototype;
  const cursorProto = (FakeCursor as unknown as { prototype: Cursor }).prototype;
  const KeyRange = FakeKeyRange as unknown as abstract new (...args: never[]) => object;

  const { put, add, delete: remove, clear, createIndex, deleteIndex, getAllKeys } = storeProto;
  const writeWith = (original: typeof put) =>
    function (this: ObjectStore, value: unknown, key?: unknown): Request {
      const entry = pendingFor(this.transaction);
      // Clone now, as IndexedDB does: the caller may change the object after the call.
      const bytes = entry ? serialize(value) : undefined;
      const request = key === undefined ? original.call(this, value) : original.call(this, value, key);
      if (!entry || !bytes) return request;
      const store = this.name;
      return recordOnSuccess(request, () => {
        entry.ops.push({ kind: 'put', store, key: encodeIdbKey(request.result), value: bytes });
      });
    };
  storeProto.put = writeWith(put);
  storeProto.add = writeWith(add);

  storeProto.delete = function (this: ObjectStore, query: unknown): Request {
    const entry = pendingFor(this.transaction);
    if (!entry) return remove.call(this, query);
    const store = this.name;
    if (query instanceof KeyRange) {
      // A range delete: learn which keys it covers first, in the same transaction.
      const keys = getAllKeys.call(this, query);
      recordOnSuccess(keys, () => {
        for (const key of keys.result as unknown[])
          entry.ops.push({ kind: 'delete', store, key: encodeIdbKey(key) });
      });
      return remove.call(this, query);
    }
    const request = remove.call(this, query);
    return recordOnSuccess(request, () =>
      entry.ops.push({ kind: 'delete', store, key: encodeIdbKey(query) }),
    );
  };

  storeProto.clear = function (this: ObjectStore): Request {
    const entry = pendingFor(this.transaction);
    const request = clear.call(this);
    if (!entry) return request;
    const store = this.name;
    return recordOnSuccess(request, () => entry.ops.push({ kind: 'clear', store }));
  };

  storeProto.createIndex = function (this: ObjectStore, name, keyPath, options) {
    const index = createIndex.call(this, name, keyPath, options);
    const entry = pendingFor(this.transaction);
    if (entry)
      schemaOf(entry, this.name)?.indexes.push({
        name,
        keyPath: structuredClone(keyPath),
        unique: options?.unique ?? false,
        multiEntry: options?.multiEntry ?? false,
      });
    return index;
  };

  storeProto.deleteIndex = function (this: ObjectStore, name: string): void {
    deleteIndex.call(this, name);
    const entry = pendingFor(this.transaction);
    const store = entry ? schemaOf(entry, this.name) : undefined;
    if (store) store.indexes = store.indexes.filter((index) => index.name !== name);
  };

  // fake-indexeddb keeps every finished transaction in its database's list and scans that list
  // for each new transaction, so a long-lived store slows down without end. Drop finished ones.
  const { transaction: openTransaction } = databaseProto;
  databaseProto.transaction = function (this: Database, stores: string[], mode: string): Transaction {
    const raw = (this as unknown as { _rawDatabase: { transactions: { _state: string }[] } })._rawDatabase;
    if (raw.transactions.length > 32)
      raw.transactions = raw.transactions.filter((tx) => tx._state !== 'finished');
    return openTransaction.call(this, stores, mode);
  };

  const { createObjectStore, deleteObjectStore } = databaseProto;
  databaseProto.createObjectStore = function (this: Database, name, options) {
    const store = createObjectStore.call(this, name, options);
    const entry = pendingFor(store.transaction);
    entry?.registration.schema.stores.push({
      name,
      keyPath: options?.keyPath === undefined ? null : structuredClone(options.keyPath),
      autoIncrement: options?.autoIncrement ?? false,
      indexes: [],
    });
    return store;
  };
  databaseProto.deleteObjectStore = function (this: Database, name: string): void {
    deleteObjectStore.call(this, name);
    const schema = registrationFor(this.name)?.schema;
    if (schema) schema.stores = schema.stores.filter((store) => store.name !== name);
  };

  const factoryProto = (FakeFactory as unknown as { prototype: Factory }).prototype;
  const { deleteDatabase } = factoryProto;
  factoryProto.deleteDatabase = function (this: Factory, name: string): Request {
    const registration = registrationFor(name);
    const request = deleteDatabase.call(this, name);
    if (!registration) return request;
    return recordOnSuccess(request, () => {
      schemas.delete(name);
      try {
        registration.writer.flush();
        registration.writer.journal.deleteDatabase(name);
      } catch (error) {
        registration.onFatal(error);
      }
    });
  };

  installLazyLoading(storeProto, KeyRange);

  const { update, delete: cursorDelete } = cursorProto;
  cursorProto.update = function (this: Cursor, value: unknown): Request {
    const store = storeOfCursor(this);
    const entry = pendingFor(store.transaction);
    const bytes = entry ? serialize(value) : undefined;
    const request = update.call(this, value);
    if (!entry || !bytes) return request;
    return recordOnSuccess(request, () => {
      entry.ops.push({ kind: 'put', store: store.name, key: encodeIdbKey(request.result), value: bytes });
    });
  };
  cursorProto.delete = function (this: Cursor): Request {
    const store = storeOfCursor(this);
    const entry = pendingFor(store.transaction);
    const key = entry ? encodeIdbKey(this.primaryKey) : undefined;
    const request = cursorDelete.call(this);
    if (!entry || !key) return request;
    return recordOnSuccess(request, () => entry.ops.push({ kind: 'delete', store: store.name, key }));
  };
}

/**
 * Wraps the object store and index methods so a lazily loaded store holds the records a request
 * needs before the request runs (lazy-stores.ts). Installed after (so around) the journaling
 * wrappers: the records are in memory before a write is recorded or a range is listed.
 */
function installLazyLoading(
  storeProto: ObjectStore,
  KeyRange: abstract new (...args: never[]) => object,
): void {
  const target = (store: ObjectStore) => store as unknown as LazyStoreTarget;
  const proto = storeProto as unknown as Record<string, (...args: unknown[]) => unknown>;
  const wrap = (
    holder: Record<string, (...args: unknown[]) => unknown>,
    name: string,
    before: (self: never, ...args: unknown[]) => void,
  ) => {
    const original = holder[name];
    if (!original) return;
    holder[name] = function (this: never, ...args: unknown[]) {
      before(this, ...args);
      return original.apply(this, args);
    };
  };
  const byKeyOrAll = (store: ObjectStore, query: unknown) => {
    if (query instanceof KeyRange || query === undefined || query === null) ensureAll(target(store));
    else ensureKey(target(store), query);
  };
  for (const name of ['get', 'getKey', 'delete'])
    wrap(proto, name, (self: ObjectStore, query) => byKeyOrAll(self, query));
  for (const name of [
    'getAll',
    'getAllKeys',
    'getAllRecords',
    'count',
    'openCursor',
    'openKeyCursor',
    'clear',
  ]) {
    wrap(proto, name, (self: ObjectStore) => ensureAll(target(self)));
  }
  for (const name of ['put', 'add']) {
    wrap(proto, name, (self: ObjectStore, value, key) => {
      const write = keyOfWrite(target(self), value, key);
      if (write) ensureKey(target(self), write.key);
      else ensureAll(target(self));
    });
  }
  const indexProto = (IDBIndex as unknown as { prototype: Record<string, (...args: unknown[]) => unknown> })
    .prototype;
  for (const name of [
    'get',
    'getKey',
    'getAll',
    'getAllKeys',
    'getAllRecords',
    'count',
    'openCursor',
    'openKeyCursor',
  ]) {
    wrap(indexProto, name, (self: { objectStore: ObjectStore }) => ensureAll(target(self.objectStore)));
  }
}

function settle(request: Request): Promise<unknown> {
  return new Promise((resolve, reject) => {
    request.addEventListener('success', () => resolve(request.result));
    request.addEventListener('error', () => reject(request.error));
  });
}

/**
 * Deleting a database that a leaked connection still holds (crypto-wasm leaves one behind when
 * opening its store fails) is blocked until that connection is collected: do not wait for it.
 * restoreDatabase() clears every store before loading, so a database left behind does no harm.
 */
function deleteWithoutWaiting(factory: Factory, name: string): Promise<void> {
  return new Promise((resolve) => {
    const request = factory.deleteDatabase(name);
    request.addEventListener('success', () => resolve());
    request.addEventListener('error', () => resolve());
    request.addEventListener('blocked', () => resolve());
  });
}

function injectKey(value: unknown, keyPath: string | string[] | null, key: unknown): unknown {
  // Stores with a key generator keep the generated key in the stored clone only; put it back.
  if (typeof keyPath !== 'string' || keyPath.includes('.') || typeof value !== 'object' || value === null)
    return value;
  if (!(keyPath in value)) (value as Record<string, unknown>)[keyPath] = key;
  return value;
}

/** Recreates one journaled database in memory: schema first, then every record in one transaction. */
async function restoreDatabase(
  factory: Factory,
  journal: SqliteIdbJournal,
  dbName: string,
  schema: IdbSchema,
): Promise<void> {
  const open = factory.open(dbName, schema.version);
  open.onupgradeneeded = () => {
    const db = open.result as Database;
    for (const store of schema.stores) {
      const created = db.createObjectStore(store.name, {
        keyPath: store.keyPath,
        autoIncrement: store.autoIncrement,
      });
      for (const index of store.indexes) {
        created.createIndex(index.name, index.keyPath, {
          unique: index.unique,
          multiEntry: index.multiEntry,
        });
      }
    }
  };
  const db = (await settle(open)) as Database;
  try {
    if (schema.stores.length === 0) return;
    const byName = new Map(schema.stores.map((store) => [store.name, store]));
    const transaction = db.transaction(
      schema.stores.map((store) => store.name),
      'readwrite',
    );
    const done = new Promise<void>((resolve, reject) => {
      transaction.addEventListener('complete', () => resolve());
      transaction.addEventListener('abort', () => reject(new Error('Restoring the crypto store failed')));
    });
    // The journal is the truth: anything a previous open left in memory goes first.
    for (const store of schema.stores) transaction.objectStore(store.name).clear();
    const lazyHere = schema.stores.map((store) => store.name).filter((name) => lazyStoreNames.includes(name));
    for (const name of lazyHere) markLazy(dbName, name, journal);
    // Store by store, so the lazy stores' pages are never read (a prefix of the primary key).
    const eager = schema.stores.filter((store) => !lazyHere.includes(store.name)).map((store) => store.name);
    for (const record of eager.flatMap((name) => [...journal.storeRecords(dbName, name)])) {
      const store = byName.get(record.store);
      if (!store) continue;
      const key = decodeIdbKey(record.key);
      const value = deserialize(record.value) as unknown;
      const objectStore = transaction.objectStore(record.store);
      if (store.keyPath === null) objectStore.put(value, key);
      else objectStore.put(injectKey(value, store.keyPath, key));
    }
    await done;
  } finally {
    db.close();
  }
}

/**
 * The crypto-wasm store finds IndexedDB on the global object and checks each object's class
 * (`instanceof IDBDatabase`, ...), so every class goes there, not only the factory.
 */
function installGlobals(): Factory {
  const globals = globalThis as Record<string, unknown>;
  if (!(globals.indexedDB instanceof (FakeFactory as unknown as abstract new () => object))) {
    const classes: Record<string, unknown> = {
      indexedDB: new (FakeFactory as unknown as new () => Factory)(),
      IDBCursor: FakeCursor,
      IDBCursorWithValue,
      IDBDatabase: FakeDatabase,
      IDBFactory: FakeFactory,
      IDBIndex,
      IDBKeyRange: FakeKeyRange,
      IDBObjectStore: FakeObjectStore,
      IDBOpenDBRequest,
      IDBRequest,
      IDBTransaction,
      IDBVersionChangeEvent,
    };
    for (const [name, value] of Object.entries(classes)) {
      Object.defineProperty(globals, name, { value, enumerable: false, configurable: true, writable: true });
    }
  }
  return globals.indexedDB as Factory;
}

/**
 * Installs a fresh in-memory IndexedDB as `globalThis.indexedDB` (the crypto-wasm store looks
 * there), loads the journaled databases whose names start with `namePrefix`, and from then on
 * writes every committed change to the journal.
 */
export async function openJournaledIndexedDB(
  options: JournaledIndexedDBOptions,
): Promise<JournaledIndexedDB> {
  installHooks();
  const factory = installGlobals();
  const stored = options.journal.databases(options.namePrefix);
  restoring++;
  try {
    for (const [dbName, schema] of stored) {
      await restoreDatabase(factory, options.journal, dbName, schema);
      schemas.set(dbName, cloneSchema(schema));
    }
  } finally {
    restoring--;
  }
  if (registrations.has(options.namePrefix)) throw new Error('This crypto store is already open');
  const writer = new JournalWriter({
    journal: options.journal,
    maxDelayMs: options.maxWriteDelayMs,
    onFatal: options.onFatal,
  });
  registrations.set(options.namePrefix, { writer, onFatal: options.onFatal });
  return {
    flush: () => writer.flush(),
    close: async () => {
      try {
        writer.flush();
      } finally {
        // Even after a failed write: the store is closed and its memory forgotten.
        await forget(options.namePrefix);
      }
    },
  };
}

/** Stops journaling databases under `namePrefix` and forgets them in memory. */
async function forget(namePrefix: string): Promise<void> {
  registrations.delete(namePrefix);
  const factory = (globalThis as { indexedDB?: Factory }).indexedDB;
  for (const dbName of [...schemas.keys()]) {
    if (!dbName.startsWith(namePrefix)) continue;
    schemas.delete(dbName);
    forgetLazy(dbName);
    if (factory) await deleteWithoutWaiting(factory, dbName);
  }
}
