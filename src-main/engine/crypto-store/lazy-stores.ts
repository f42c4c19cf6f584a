// Big object stores (the inbound group sessions: one per room key ever received, ~1.7 KB each)
// are not loaded at start. A record is loaded from the journal the first time its key is
// read or written; any read that could touch many records (ranges, cursors, counts, indexes)
// loads the whole store first. Memory is the truth for every key it has seen since start: a
// record loaded or written once is never read from disk again, so the write-behind queue can
// never be overtaken.
//
// Records go straight into fake-indexeddb's internal store (`_rawObjectStore.storeRecord`, the
// function its own put uses, which also maintains the indexes): they are committed state being
// brought back, not part of the caller's transaction, and must survive its abort.
import { deserialize } from 'node:v8';
import { decodeIdbKey, encodeIdbKey } from './idb-key-codec.ts';
import type { SqliteIdbJournal } from './sqlite-idb-journal.ts';

interface RawObjectStore {
  records: { get(key: unknown): unknown };
  storeRecord(record: { key: unknown; value: unknown }, noOverwrite: boolean): unknown;
}

export interface LazyStoreTarget {
  name: string;
  keyPath: string | string[] | null;
  transaction: { db: { name: string } };
  _rawObjectStore: RawObjectStore;
}

interface LazyState {
  journal: SqliteIdbJournal;
  /** Encoded keys that memory knows the truth about (loaded, written or deleted since start). */
  known: Set<string>;
  complete: boolean;
}

const lazy = new Map<string, Map<string, LazyState>>();

/** Stores whose records are loaded on demand; the rest are loaded at start. */
export const lazyStoreNames: readonly string[] = ['inbound_group_sessions3'];

export function markLazy(dbName: string, store: string, journal: SqliteIdbJournal): void {
  let stores = lazy.get(dbName);
  if (!stores) {
    stores = new Map();
    lazy.set(dbName, stores);
  }
  stores.set(store, { journal, known: new Set(), complete: false });
}

export function forgetLazy(dbName: string): void {
  lazy.delete(dbName);
}

function stateOf(store: LazyStoreTarget): LazyState | undefined {
  const state = lazy.get(store.transaction.db.name)?.get(store.name);
  return state && !state.complete ? state : undefined;
}

function insert(store: LazyStoreTarget, key: unknown, bytes: Buffer): void {
  const raw = store._rawObjectStore;
  if (raw.records.get(key) !== undefined) return;
  let value = deserialize(bytes) as unknown;
  if (
    typeof store.keyPath === 'string' &&
    !store.keyPath.includes('.') &&
    typeof value === 'object' &&
    value !== null
  ) {
    if (!(store.keyPath in value)) value = { ...(value as object), [store.keyPath]: key };
  }
  raw.storeRecord({ key, value }, false);
}

/** Makes sure memory holds the truth about one key before it is read or written. */
export function ensureKey(store: LazyStoreTarget, key: unknown): void {
  const state = stateOf(store);
  if (!state) return;
  let encoded: Buffer;
  try {
    encoded = encodeIdbKey(key);
  } catch {
    // Not a valid key: the request itself will fail with IndexedDB's error.
    return;
  }
  const id = encoded.toString('base64');
  if (state.known.has(id)) return;
  state.known.add(id);
  const bytes = state.journal.record(store.transaction.db.name, store.name, encoded);
  if (bytes) insert(store, decodeIdbKey(encoded), bytes);
}

/** Loads every record memory has not seen yet (for reads over many records). */
export function ensureAll(store: LazyStoreTarget): void {
  const state = stateOf(store);
  if (!state) return;
  state.complete = true;
  for (const record of state.journal.storeRecords(store.transaction.db.name, store.name)) {
    if (state.known.has(record.key.toString('base64'))) continue;
    insert(store, decodeIdbKey(record.key), record.value);
  }
  state.known.clear();
}

/** The key a put/add will use, when it can be read off without IndexedDB's full rules. */
export function keyOfWrite(
  store: LazyStoreTarget,
  value: unknown,
  key: unknown,
): { key: unknown } | undefined {
  if (store.keyPath === null) return key === undefined ? undefined : { key };
  const read = (path: string): unknown => {
    let current: unknown = value;
    for (const part of path.split('.')) {
      if (typeof current !== 'object' || current === null || !(part in current)) return undefined;
      current = (current as Record<string, unknown>)[part];
    }
    return current;
  };
  const extracted = Array.isArray(store.keyPath) ? store.keyPath.map(read) : read(store.keyPath);
  if (extracted === undefined || (Array.isArray(extracted) && extracted.some((part) => part === undefined))) {
    return undefined;
  }
  return { key: extracted };
}
