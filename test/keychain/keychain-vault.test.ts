// KeychainVault against a real Secret Service (gnome-keyring on a private bus).
import { afterEach, describe, expect, it } from 'vitest';
import { KeychainVault } from '../../src-main/engine/keychain/keychain-vault.ts';
import { STORE_KEY_BYTES, zeroStoreKeys } from '../../src-main/engine/keychain/store-keys.ts';
import { runKeychainProbe } from './keychain-process.ts';
import { engineErrorOf, randomAccount, rawEntry, TEST_SERVICE } from './test-keychain.ts';

const vault = new KeychainVault({ service: TEST_SERVICE });
const made: string[] = [];

function account(): string {
  const name = randomAccount();
  made.push(name);
  return name;
}

afterEach(async () => {
  await Promise.all(made.splice(0).map((name) => vault.deleteKeys(name)));
});

describe('KeychainVault', () => {
  it('answers a probe', async () => {
    expect(await vault.probe()).toEqual({ available: true, platform: 'secret-service' });
  });

  it('creates two distinct 32-byte keys and reads the same ones back', async () => {
    const name = account();
    const created = await vault.createKeys(name);
    expect(created.databaseKey).toHaveLength(STORE_KEY_BYTES);
    expect(created.cryptoStoreKey).toHaveLength(STORE_KEY_BYTES);
    expect(created.databaseKey.equals(created.cryptoStoreKey)).toBe(false);

    const read = await vault.readKeys(name);
    expect(read.databaseKey.equals(created.databaseKey)).toBe(true);
    expect(read.cryptoStoreKey.equals(created.cryptoStoreKey)).toBe(true);
    zeroStoreKeys(created);
    zeroStoreKeys(read);
  });

  it('stores the keys as raw bytes in two entries', async () => {
    const name = account();
    const created = await vault.createKeys(name);
    const stored = rawEntry(name, 'database-key').getSecret();
    expect(Buffer.from(stored ?? []).equals(created.databaseKey)).toBe(true);
    expect(
      Buffer.from(rawEntry(name, 'crypto-store-key').getSecret() ?? []).equals(created.cryptoStoreKey),
    ).toBe(true);
    zeroStoreKeys(created);
  });

  it('keeps the keys of two accounts apart', async () => {
    const [first, second] = [account(), account()];
    const a = await vault.createKeys(first);
    const b = await vault.createKeys(second);
    expect(a.databaseKey.equals(b.databaseKey)).toBe(false);

    const readA = await vault.readKeys(first);
    const readB = await vault.readKeys(second);
    expect(readA.databaseKey.equals(a.databaseKey)).toBe(true);
    expect(readB.databaseKey.equals(b.databaseKey)).toBe(true);
    expect(readB.cryptoStoreKey.equals(b.cryptoStoreKey)).toBe(true);

    await vault.deleteKeys(first);
    const stillB = await vault.readKeys(second);
    expect(stillB.databaseKey.equals(b.databaseKey)).toBe(true);
    for (const keys of [a, b, readA, readB, stillB]) zeroStoreKeys(keys);
  });

  it('keeps keys in the keychain, not in the process: another process reads the same keys', async () => {
    const name = account();
    const created = await runKeychainProbe({ operation: 'create', service: TEST_SERVICE, account: name });
    const read = await runKeychainProbe({ operation: 'read', service: TEST_SERVICE, account: name });
    expect(created.ok).toBe(true);
    expect(read).toEqual(created);
  });

  it('refuses to overwrite existing keys', async () => {
    const name = account();
    const original = await vault.createKeys(name);
    const error = await engineErrorOf(vault.createKeys(name), 'keychain_entry_exists');
    expect(error.message).toMatch(/will not replace/);
    const read = await vault.readKeys(name);
    expect(read.databaseKey.equals(original.databaseKey)).toBe(true);
    zeroStoreKeys(original);
    zeroStoreKeys(read);
  });

  it('refuses to create when only one of the two entries exists', async () => {
    const name = account();
    rawEntry(name, 'crypto-store-key').setSecret(new Uint8Array(STORE_KEY_BYTES).fill(7));
    await engineErrorOf(vault.createKeys(name), 'keychain_entry_exists');
    expect(rawEntry(name, 'database-key').getSecret()).toBeNull();
  });

  it('says the entry is missing when the keys are gone, and never makes new ones', async () => {
    const name = account();
    const error = await engineErrorOf(vault.readKeys(name), 'keychain_entry_missing');
    expect(error.message).toMatch(/keys are no longer in the Secret Service keyring/);
    expect(rawEntry(name, 'database-key').getSecret()).toBeNull();
  });

  it('says which key is missing when one entry was removed by hand', async () => {
    const name = account();
    zeroStoreKeys(await vault.createKeys(name));
    expect(rawEntry(name, 'crypto-store-key').deleteCredential()).toBe(true);
    const error = await engineErrorOf(vault.readKeys(name), 'keychain_entry_missing');
    expect(error.message).toMatch(/crypto store key is no longer in/);
  });

  it('rejects an entry another program rewrote with the wrong length', async () => {
    const name = account();
    zeroStoreKeys(await vault.createKeys(name));
    rawEntry(name, 'database-key').setSecret(new Uint8Array(16));
    const error = await engineErrorOf(vault.readKeys(name), 'keychain_entry_missing');
    expect(error.message).toMatch(/database key .* was changed by another program/);
  });

  it('deletes both entries, and deleting again is fine', async () => {
    const name = account();
    zeroStoreKeys(await vault.createKeys(name));
    await vault.deleteKeys(name);
    expect(rawEntry(name, 'database-key').getSecret()).toBeNull();
    expect(rawEntry(name, 'crypto-store-key').getSecret()).toBeNull();
    await vault.deleteKeys(name);
    await engineErrorOf(vault.readKeys(name), 'keychain_entry_missing');
  });

  it('leaves no probe entry behind', async () => {
    const { findCredentials } = await import('@napi-rs/keyring');
    const before = findCredentials(TEST_SERVICE).length;
    await vault.probe();
    expect(findCredentials(TEST_SERVICE)).toHaveLength(before);
  });
});
