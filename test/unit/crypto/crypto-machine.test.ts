// Opening an account's OlmMachine on the journaled crypto store: identity kept across reopen,
// the key zeroed, and clear errors for another session's store or a wrong key.
import { randomBytes } from 'node:crypto';
import Sqlite from 'better-sqlite3-multiple-ciphers';
import { describe, expect, it } from 'vitest';
import { SqliteIdbJournal } from '../../../src-main/engine/crypto-store/sqlite-idb-journal.ts';
import { CryptoMachine } from '../../../src-main/engine/crypto/crypto-machine.ts';
import type { SqliteConnection } from '../../../src-main/engine/store/sqlite-driver.ts';

function journal(): SqliteIdbJournal {
  const db = new Sqlite(':memory:') as SqliteConnection;
  db.exec(`CREATE TABLE crypto_idb_schema (db_name TEXT PRIMARY KEY, version INTEGER NOT NULL, schema TEXT NOT NULL);
    CREATE TABLE crypto_idb_records (db_name TEXT NOT NULL, store_name TEXT NOT NULL, key BLOB NOT NULL,
      value BLOB NOT NULL, PRIMARY KEY (db_name, store_name, key)) WITHOUT ROWID;`);
  return new SqliteIdbJournal(db);
}

const base64Key = /^[A-Za-z0-9+/]{43}$/;

function open(
  store: SqliteIdbJournal,
  storeName: string,
  key: Buffer,
  deviceId = 'DEVICEA',
): Promise<CryptoMachine> {
  return CryptoMachine.open({
    userId: '@alice:x',
    deviceId,
    journal: store,
    storeName,
    storeKey: Buffer.from(key),
    onFatal: () => {},
  });
}

describe('CryptoMachine', () => {
  it('creates an identity, keeps it across a reopen from the journal, and zeroes the key it was given', async () => {
    const store = journal();
    const key = randomBytes(32);
    const given = Buffer.from(key);
    const first = await CryptoMachine.open({
      userId: '@alice:x',
      deviceId: 'DEVICEA',
      journal: store,
      storeName: 'reopen',
      storeKey: given,
      onFatal: () => {},
    });
    expect(given.every((byte) => byte === 0)).toBe(true);
    expect(first.identityKeys.ed25519).toMatch(base64Key);
    expect(first.identityKeys.curve25519).toMatch(base64Key);
    expect([first.userId, first.deviceId]).toEqual(['@alice:x', 'DEVICEA']);
    await first.close();

    const second = await open(store, 'reopen', key);
    expect(second.identityKeys).toEqual(first.identityKeys);
    await second.close();
  });

  it('refuses a store that belongs to another device', async () => {
    const store = journal();
    const key = randomBytes(32);
    await (await open(store, 'other-device', key)).close();
    await expect(open(store, 'other-device', key, 'DEVICEB')).rejects.toMatchObject({
      code: 'crypto_store_account_mismatch',
    });
  });

  it('refuses a key of the wrong length', async () => {
    await expect(open(journal(), 'short-key', randomBytes(16))).rejects.toMatchObject({ code: 'internal' });
  });

  it('says so when the key does not open the store', async () => {
    const store = journal();
    await (await open(store, 'wrong-key', randomBytes(32))).close();
    await expect(open(store, 'wrong-key', randomBytes(32))).rejects.toMatchObject({
      code: 'store_key_mismatch',
    });
  });
});
