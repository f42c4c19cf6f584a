// A profile's key backend record says where its keys are. Opening it from any other backend
// fails with key_backend_changed and a plain message; nothing fresh is created.
import { afterEach, describe, expect, it } from 'vitest';
import {
  keyBackendRecordFromJson,
  keyBackendRecordToJson,
  type KeyBackendRecord,
} from '../../src-main/engine/keychain/key-backend-record.ts';
import { KeychainKeySource } from '../../src-main/engine/keychain/keychain-key-source.ts';
import { PassphraseKeySource } from '../../src-main/engine/keychain/passphrase-key-source.ts';
import { zeroStoreKeys } from '../../src-main/engine/keychain/store-keys.ts';
import { engineErrorOf, rawEntry, TEST_SERVICE } from './test-keychain.ts';

const keychain = new KeychainKeySource({ service: TEST_SERVICE });
const records: KeyBackendRecord[] = [];

afterEach(async () => {
  await Promise.all(records.splice(0).map((record) => keychain.forget(record)));
});

async function createInKeychain(userId: string, deviceId: string) {
  const created = await keychain.create(userId, deviceId);
  records.push(created.record);
  return created;
}

describe('key backend record', () => {
  it('records the keychain that holds the keys and reopens them from the record alone', async () => {
    const { record, keys } = await createInKeychain('@alice:example.org', `D${Date.now()}`);
    expect(record).toEqual({
      version: 1,
      kind: 'os-keychain',
      platform: 'secret-service',
      service: TEST_SERVICE,
      account: expect.stringMatching(/^@alice:example\.org\|D\d+$/),
    });
    const stored = keyBackendRecordFromJson(keyBackendRecordToJson(record));
    const opened = await new KeychainKeySource().open(stored);
    expect(opened.databaseKey.equals(keys.databaseKey)).toBe(true);
    expect(opened.cryptoStoreKey.equals(keys.cryptoStoreKey)).toBe(true);
    zeroStoreKeys(keys);
    zeroStoreKeys(opened);
  });

  it('says so when the keys were kept in another platform’s keychain', async () => {
    const record: KeyBackendRecord = {
      version: 1,
      kind: 'os-keychain',
      platform: 'macos-keychain',
      service: TEST_SERVICE,
      account: '@alice:example.org|MACDEVICE',
    };
    const error = await engineErrorOf(keychain.open(record), 'key_backend_changed');
    expect(error.message).toMatch(
      /^The key for this profile was kept in the macOS Keychain, but Tessera now sees the Secret Service keyring/,
    );
    // Nothing was created in this keychain under that name.
    expect(rawEntry(record.account, 'database-key').getSecret()).toBeNull();
  });

  it('a keychain profile opened with a passphrase, and the other way round', async () => {
    const { record, keys } = await createInKeychain('@bob:example.org', `D${Date.now()}`);
    zeroStoreKeys(keys);
    const viaPassphrase = await engineErrorOf(
      new PassphraseKeySource('a passphrase of some length').open(record),
      'key_backend_changed',
    );
    expect(viaPassphrase.message).toMatch(/kept in the Secret Service keyring.*now sees a passphrase/);

    const passphraseProfile = await new PassphraseKeySource('a passphrase of some length').create({
      N: 2 ** 14,
      r: 8,
      p: 1,
    });
    zeroStoreKeys(passphraseProfile.keys);
    const viaKeychain = await engineErrorOf(keychain.open(passphraseProfile.record), 'key_backend_changed');
    expect(viaKeychain.message).toMatch(
      /was derived from a passphrase, but Tessera now sees the Secret Service/,
    );
  });

  it('reports a missing entry, not a backend change, when the same keychain lost the keys', async () => {
    const { record, keys } = await createInKeychain('@carol:example.org', `D${Date.now()}`);
    zeroStoreKeys(keys);
    await keychain.forget(record);
    await engineErrorOf(keychain.open(record), 'keychain_entry_missing');
    await keychain.forget(record);
  });

  it('on a system with no keychain, says the keychain is unavailable', async () => {
    const { record, keys } = await createInKeychain('@dave:example.org', `D${Date.now()}`);
    zeroStoreKeys(keys);
    const nowhere = new KeychainKeySource({ service: TEST_SERVICE, platform: null });
    await engineErrorOf(nowhere.open(record), 'keychain_unavailable');
    await engineErrorOf(nowhere.create('@dave:example.org', 'OTHER'), 'keychain_unavailable');
  });
});
