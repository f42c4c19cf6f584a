// KeychainVault's own rules, on an in-memory keychain (the real one is test/keychain/).
import { describe, expect, it } from 'vitest';
import { EngineError } from '../../../src-main/engine/errors.ts';
import { KeychainVault } from '../../../src-main/engine/keychain/keychain-vault.ts';
import type { SecretEntry } from '../../../src-main/engine/keychain/secret-entry.ts';
import { zeroStoreKeys } from '../../../src-main/engine/keychain/store-keys.ts';

class MemoryKeychain {
  readonly entries = new Map<string, Uint8Array>();
  failWritesTo: RegExp | null = null;
  readonly handedOut: number[][] = [];

  open = (service: string, account: string): SecretEntry => {
    const name = `${service}/${account}`;
    return {
      getSecret: async () => {
        const stored = this.entries.get(name);
        if (!stored) return null;
        const copy = [...stored];
        this.handedOut.push(copy);
        return copy;
      },
      setSecret: async (secret) => {
        if (this.failWritesTo?.test(account)) {
          throw new Error("Couldn't access platform storage: Secret Service: unlock prompt was dismissed");
        }
        this.entries.set(name, Uint8Array.from(secret));
      },
      deleteCredential: async () => this.entries.delete(name),
    };
  };
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(EngineError);
  return (error as EngineError).code;
}

describe('KeychainVault rules', () => {
  it('leaves nothing behind when the second key cannot be written', async () => {
    const keychain = new MemoryKeychain();
    keychain.failWritesTo = /crypto-store-key$/;
    const vault = new KeychainVault({ platform: 'secret-service', openEntry: keychain.open });
    expect(await codeOf(vault.createKeys('@a:x|D'))).toBe('keychain_unavailable');
    expect(keychain.entries.size).toBe(0);
  });

  it('zeroes the copies of key bytes the keychain library handed out', async () => {
    const keychain = new MemoryKeychain();
    const vault = new KeychainVault({ platform: 'secret-service', openEntry: keychain.open });
    zeroStoreKeys(await vault.createKeys('@a:x|D'));
    const keys = await vault.readKeys('@a:x|D');
    expect(keychain.handedOut.length).toBeGreaterThan(0);
    for (const copy of keychain.handedOut) expect(copy.every((byte) => byte === 0)).toBe(true);
    expect(keys.databaseKey.some((byte) => byte !== 0)).toBe(true);
    zeroStoreKeys(keys);
  });

  it('uses service Tessera and one entry per key', async () => {
    const keychain = new MemoryKeychain();
    const vault = new KeychainVault({ platform: 'macos-keychain', openEntry: keychain.open });
    zeroStoreKeys(await vault.createKeys('@a:x|D'));
    expect([...keychain.entries.keys()].sort()).toEqual([
      'Tessera/@a:x|D|crypto-store-key',
      'Tessera/@a:x|D|database-key',
    ]);
  });

  it('names the platform in a missing-entry message', async () => {
    const vault = new KeychainVault({ platform: 'macos-keychain', openEntry: new MemoryKeychain().open });
    await expect(vault.readKeys('@a:x|D')).rejects.toThrow(/keys are no longer in the macOS Keychain/);
  });

  it('reports a keychain that cannot even be opened through probe()', async () => {
    const vault = new KeychainVault({
      platform: 'secret-service',
      openEntry: () => {
        throw new Error('Platform failure: No DBus session or Secret Service provider found');
      },
    });
    const probe = await vault.probe();
    expect(probe.available).toBe(false);
    expect(!probe.available && probe.error.code).toBe('keychain_unavailable');
    expect(await codeOf(vault.readKeys('@a:x|D'))).toBe('keychain_unavailable');
    expect(await codeOf(vault.deleteKeys('@a:x|D'))).toBe('keychain_unavailable');
  });

  it('reports a keychain that returns other bytes than it stored', async () => {
    const vault = new KeychainVault({
      platform: 'secret-service',
      openEntry: () => ({
        getSecret: async () => [1, 2, 3],
        setSecret: async () => {},
        deleteCredential: async () => true,
      }),
    });
    const probe = await vault.probe();
    expect(probe.available).toBe(false);
  });

  it('knows no keychain on an unknown OS', async () => {
    const vault = new KeychainVault({ platform: null, openEntry: new MemoryKeychain().open });
    expect(await codeOf(vault.createKeys('@a:x|D'))).toBe('keychain_unavailable');
    expect((await vault.probe()).available).toBe(false);
  });
});
