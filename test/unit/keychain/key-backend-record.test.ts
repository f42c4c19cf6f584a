import { describe, expect, it } from 'vitest';
import { EngineError } from '../../../src-main/engine/errors.ts';
import {
  describeKeyBackend,
  keyBackendRecordFromJson,
  keyBackendRecordToJson,
  parseKeyBackendRecord,
  type KeyBackendRecord,
} from '../../../src-main/engine/keychain/key-backend-record.ts';

const keychainRecord: KeyBackendRecord = {
  version: 1,
  kind: 'os-keychain',
  platform: 'windows-credential-manager',
  service: 'Tessera',
  account: '@alice:example.org|ABCDEFGH',
};

const passphraseRecord: KeyBackendRecord = {
  version: 1,
  kind: 'passphrase',
  kdf: 'scrypt',
  params: { N: 131072, r: 8, p: 1 },
  salt: Buffer.alloc(16, 3).toString('base64'),
  check: Buffer.alloc(32, 4).toString('base64'),
};

function rejects(value: unknown): void {
  expect(() => parseKeyBackendRecord(value)).toThrow(EngineError);
  try {
    parseKeyBackendRecord(value);
  } catch (error) {
    expect((error as EngineError).code).toBe('key_backend_invalid');
  }
}

describe('key backend record', () => {
  it.each([keychainRecord, passphraseRecord])('round-trips through JSON ($kind)', (record) => {
    expect(keyBackendRecordFromJson(keyBackendRecordToJson(record))).toEqual(record);
  });

  it.each([
    ['not JSON', '{'],
    ['JSON null', 'null'],
  ])('rejects %s', (_, text) => {
    expect(() => keyBackendRecordFromJson(text)).toThrow(/record of where its key is kept is damaged/);
  });

  it.each([
    ['an unknown kind', { ...keychainRecord, kind: 'plaintext' }],
    ['another version', { ...keychainRecord, version: 2 }],
    ['an unknown platform', { ...keychainRecord, platform: 'kwallet' }],
    ['an empty account', { ...keychainRecord, account: '' }],
    ['an extra field (a key must never ride along)', { ...keychainRecord, databaseKey: 'AAAA' }],
    ['an unknown kdf', { ...passphraseRecord, kdf: 'pbkdf2' }],
    ['N not a power of two', { ...passphraseRecord, params: { N: 100000, r: 8, p: 1 } }],
    ['N too small', { ...passphraseRecord, params: { N: 1024, r: 8, p: 1 } }],
    ['N too large', { ...passphraseRecord, params: { N: 2 ** 21, r: 8, p: 1 } }],
    ['too much memory', { ...passphraseRecord, params: { N: 2 ** 20, r: 16, p: 1 } }],
    ['a fractional r', { ...passphraseRecord, params: { N: 131072, r: 8.5, p: 1 } }],
    ['a short salt', { ...passphraseRecord, salt: Buffer.alloc(8).toString('base64') }],
    ['a salt that is not base64', { ...passphraseRecord, salt: '!!!!!!!!!!!!!!!!!!!!!!==' }],
    ['a non-canonical base64 salt', { ...passphraseRecord, salt: 'AwMDAwMDAwMDAwMDAwMDAw' }],
    ['a short check', { ...passphraseRecord, check: Buffer.alloc(16).toString('base64') }],
    ['a missing check', { ...passphraseRecord, check: undefined }],
  ])('rejects %s', (_, value) => {
    rejects(value);
  });

  it('refuses to serialise an invalid record', () => {
    expect(() => keyBackendRecordToJson({ ...keychainRecord, service: '' })).toThrow(EngineError);
  });

  it('describes where the keys are', () => {
    expect(describeKeyBackend(keychainRecord)).toBe('kept in Windows Credential Manager');
    expect(describeKeyBackend({ ...keychainRecord, platform: 'macos-keychain' })).toBe(
      'kept in the macOS Keychain',
    );
    expect(describeKeyBackend(passphraseRecord)).toBe('derived from a passphrase');
  });
});
