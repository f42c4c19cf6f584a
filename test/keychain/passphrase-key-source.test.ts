// Keys derived from a passphrase with scrypt: stable for the same passphrase and salt, told
// apart from a wrong passphrase, with the parameters recorded in the key backend record.
import { createHash, createHmac, hkdfSync, scryptSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  keyBackendRecordFromJson,
  keyBackendRecordToJson,
} from '../../src-main/engine/keychain/key-backend-record.ts';
import { defaultScryptParams, deriveFromPassphrase } from '../../src-main/engine/keychain/passphrase-kdf.ts';
import { PassphraseKeySource } from '../../src-main/engine/keychain/passphrase-key-source.ts';
import { zeroStoreKeys } from '../../src-main/engine/keychain/store-keys.ts';
import { engineErrorOf } from './test-keychain.ts';

const passphrase = 'correct horse battery staple';

describe('PassphraseKeySource', () => {
  it('records scrypt with N=2^17, r=8, p=1, a 16-byte salt and a check value', async () => {
    const { record, keys } = await new PassphraseKeySource(passphrase).create();
    expect(record).toEqual({
      version: 1,
      kind: 'passphrase',
      kdf: 'scrypt',
      params: { N: 131072, r: 8, p: 1 },
      salt: expect.stringMatching(/^[A-Za-z0-9+/]{22}==$/),
      check: expect.stringMatching(/^[A-Za-z0-9+/]{43}=$/),
    });
    expect(defaultScryptParams).toEqual({ N: 2 ** 17, r: 8, p: 1 });
    // Neither the passphrase nor a key is in the record.
    const json = keyBackendRecordToJson(record);
    expect(json).not.toContain(passphrase);
    for (const key of [keys.databaseKey, keys.cryptoStoreKey]) {
      expect(json).not.toContain(key.toString('base64'));
      expect(json).not.toContain(key.toString('hex'));
    }
    expect(keys.databaseKey.equals(keys.cryptoStoreKey)).toBe(false);
    zeroStoreKeys(keys);
  });

  it('gives the same keys for the same passphrase and record, and a salt of its own each time', async () => {
    const created = await new PassphraseKeySource(passphrase).create();
    const record = keyBackendRecordFromJson(keyBackendRecordToJson(created.record));
    const opened = await new PassphraseKeySource(passphrase).open(record);
    expect(opened.databaseKey.equals(created.keys.databaseKey)).toBe(true);
    expect(opened.cryptoStoreKey.equals(created.keys.cryptoStoreKey)).toBe(true);

    const again = await new PassphraseKeySource(passphrase).create();
    expect(again.record.kind === 'passphrase' && again.record.salt).not.toBe(
      created.record.kind === 'passphrase' && created.record.salt,
    );
    expect(again.keys.databaseKey.equals(created.keys.databaseKey)).toBe(false);
    for (const keys of [created.keys, opened, again.keys]) zeroStoreKeys(keys);
  });

  it('derives scrypt, then HKDF-SHA256 per key, then an HMAC check (the scheme must never drift)', async () => {
    const salt = Buffer.alloc(16, 1);
    const { keys, check } = await deriveFromPassphrase(passphrase, salt, defaultScryptParams);

    // The documented scheme (docs/threat-model.md, "Key storage"), written out independently.
    const master = scryptSync(passphrase, salt, 32, { N: 2 ** 17, r: 8, p: 1, maxmem: 256 * 1024 * 1024 });
    const expand = (label: string) => Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), label, 32));
    expect(keys.databaseKey.equals(expand('Tessera v1 database key'))).toBe(true);
    expect(keys.cryptoStoreKey.equals(expand('Tessera v1 crypto store key'))).toBe(true);
    const expectedCheck = createHmac('sha256', expand('Tessera v1 passphrase check key'))
      .update('Tessera v1 passphrase check')
      .digest();
    expect(check.equals(expectedCheck)).toBe(true);

    const digest = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex').slice(0, 16);
    expect({
      databaseKey: digest(keys.databaseKey),
      cryptoStoreKey: digest(keys.cryptoStoreKey),
      check: digest(check),
    }).toEqual({
      databaseKey: '3db7de34661b3587',
      cryptoStoreKey: '92dc4d9b6174820e',
      check: 'd546e5aae37abc16',
    });
    master.fill(0);
    zeroStoreKeys(keys);
  });

  it('says the passphrase is wrong, with a code of its own', async () => {
    const { record, keys } = await new PassphraseKeySource(passphrase).create();
    zeroStoreKeys(keys);
    const error = await engineErrorOf(
      new PassphraseKeySource('correct horse battery stapler').open(record),
      'passphrase_wrong',
    );
    expect(error.message).toBe('That passphrase does not unlock this profile');
    expect(error.field).toBe('passphrase');
  });

  it('treats the same words in composed and decomposed Unicode as one passphrase', async () => {
    const composed = 'clé du coffre-fort';
    const decomposed = composed.normalize('NFD');
    expect(decomposed).not.toBe(composed);
    const { record, keys } = await new PassphraseKeySource(composed).create();
    const opened = await new PassphraseKeySource(decomposed).open(record);
    expect(opened.databaseKey.equals(keys.databaseKey)).toBe(true);
    zeroStoreKeys(keys);
    zeroStoreKeys(opened);
  });

  it('refuses a passphrase that is too short', async () => {
    const error = await engineErrorOf(new PassphraseKeySource('short').create(), 'invalid_arguments');
    expect(error.field).toBe('passphrase');
  });

  it('uses the parameters the record names', async () => {
    const params = { N: 2 ** 14, r: 8, p: 1 };
    const { record, keys } = await new PassphraseKeySource(passphrase).create(params);
    expect(record.kind === 'passphrase' && record.params).toEqual(params);
    const opened = await new PassphraseKeySource(passphrase).open(record);
    expect(opened.databaseKey.equals(keys.databaseKey)).toBe(true);
    zeroStoreKeys(keys);
    zeroStoreKeys(opened);
  });
});
