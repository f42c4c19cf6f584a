// The OS keychain as the holder of a profile's two store keys (DESIGN.md §3 "Keychain").
// Each key is its own entry under service `Tessera`, account `<user id>|<device id>|<purpose>`.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { EngineError } from '../errors.ts';
import { keychainFailure } from './keychain-failure.ts';
import {
  currentKeychainPlatform,
  describeKeychainPlatform,
  type KeychainPlatform,
} from './keychain-platform.ts';
import { openPlatformEntry, type SecretEntry, type SecretEntryOpener } from './secret-entry.ts';
import {
  generateStoreKeys,
  STORE_KEY_BYTES,
  takeKeyBytes,
  zeroStoreKeys,
  type StoreKeys,
} from './store-keys.ts';

export const KEYCHAIN_SERVICE = 'Tessera';

const purposes = { databaseKey: 'database-key', cryptoStoreKey: 'crypto-store-key' } as const;
type Purpose = keyof typeof purposes;
const purposeWords: Record<Purpose, string> = {
  databaseKey: 'database key',
  cryptoStoreKey: 'crypto store key',
};

export type KeychainProbe =
  | { available: true; platform: KeychainPlatform }
  | { available: false; platform: KeychainPlatform | null; error: EngineError };

export interface KeychainVaultOptions {
  service?: string;
  /** Defaults to this OS's keychain; tests pass another to see the messages of another OS. */
  platform?: KeychainPlatform | null;
  openEntry?: SecretEntryOpener;
}

export class KeychainVault {
  readonly service: string;
  readonly platform: KeychainPlatform | null;
  readonly #openEntry: SecretEntryOpener;

  constructor(options: KeychainVaultOptions = {}) {
    this.service = options.service ?? KEYCHAIN_SERVICE;
    this.platform = options.platform === undefined ? currentKeychainPlatform() : options.platform;
    this.#openEntry = options.openEntry ?? openPlatformEntry;
  }

  /** Whether a keychain answers: writes, reads back and deletes a throwaway entry. */
  async probe(): Promise<KeychainProbe> {
    const platform = this.platform;
    const probe = randomBytes(STORE_KEY_BYTES);
    try {
      const entry = await this.#entry(`probe|${randomBytes(8).toString('hex')}`);
      try {
        await entry.setSecret(probe);
        const stored = await entry.getSecret();
        const back = stored === null ? null : takeKeyBytes(stored);
        const same = back !== null && back.length === probe.length && timingSafeEqual(back, probe);
        back?.fill(0);
        if (!same) throw new Error('the keychain returned different bytes than were stored');
      } finally {
        await entry.deleteCredential().catch(() => false);
      }
      if (platform === null) throw new Error('unreachable: #entry refuses without a platform');
      return { available: true, platform };
    } catch (error) {
      return { available: false, platform, error: keychainFailure(error, platform) };
    } finally {
      probe.fill(0);
    }
  }

  /**
   * Creates both keys for a new profile and stores them. Refuses when either entry already
   * exists: overwriting would make that profile's data unreadable for good.
   */
  async createKeys(account: string): Promise<StoreKeys> {
    const entries = await this.#entries(account);
    for (const purpose of Object.keys(purposes) as Purpose[]) {
      const existing = await this.#read(entries[purpose]);
      if (existing !== null) {
        existing.fill(0);
        throw new EngineError(
          'keychain_entry_exists',
          `${this.#where()} already holds a ${purposeWords[purpose]} for this account on this device; Tessera will not replace it.`,
        );
      }
    }
    const keys = generateStoreKeys();
    try {
      await this.#write(entries.databaseKey, keys.databaseKey);
      await this.#write(entries.cryptoStoreKey, keys.cryptoStoreKey);
    } catch (error) {
      zeroStoreKeys(keys);
      // Leave no half-made pair behind (neither entry existed before).
      await Promise.all(Object.values(entries).map((entry) => entry.deleteCredential().catch(() => false)));
      throw error;
    }
    return keys;
  }

  /** Reads both keys. A missing or damaged entry is `keychain_entry_missing`, never a fresh key. */
  async readKeys(account: string): Promise<StoreKeys> {
    const entries = await this.#entries(account);
    const databaseKey = await this.#read(entries.databaseKey);
    let cryptoStoreKey: Buffer | null;
    try {
      cryptoStoreKey = await this.#read(entries.cryptoStoreKey);
    } catch (error) {
      databaseKey?.fill(0);
      throw error;
    }
    if (databaseKey !== null && cryptoStoreKey !== null) {
      const keys = { databaseKey, cryptoStoreKey };
      if (databaseKey.length === STORE_KEY_BYTES && cryptoStoreKey.length === STORE_KEY_BYTES) return keys;
      zeroStoreKeys(keys);
      throw this.#damaged(keys);
    }
    databaseKey?.fill(0);
    cryptoStoreKey?.fill(0);
    throw this.#missing(databaseKey === null, cryptoStoreKey === null);
  }

  /** Deletes both entries; deleting what is not there is not an error. */
  async deleteKeys(account: string): Promise<void> {
    const entries = await this.#entries(account);
    for (const entry of Object.values(entries)) {
      try {
        await entry.deleteCredential();
      } catch (error) {
        throw keychainFailure(error, this.platform);
      }
    }
  }

  #missing(databaseKey: boolean, cryptoStoreKey: boolean): EngineError {
    const what =
      databaseKey && cryptoStoreKey
        ? "This profile's keys are"
        : `This profile's ${purposeWords[databaseKey ? 'databaseKey' : 'cryptoStoreKey']} is`;
    return new EngineError(
      'keychain_entry_missing',
      `${what} no longer in ${describeKeychainPlatform(this.platform)}, so its local data cannot be opened. ` +
        'If you reset or switched your keychain (for example from GNOME Keyring to KWallet), switch back and try again; ' +
        'otherwise remove this account from Tessera and sign in again.',
    );
  }

  /** Zeroed keys of the wrong length: another program rewrote the entry. */
  #damaged(keys: StoreKeys): EngineError {
    const damaged = (Object.keys(purposes) as Purpose[]).filter(
      (purpose) => keys[purpose].length !== STORE_KEY_BYTES,
    );
    return new EngineError(
      'keychain_entry_missing',
      `The ${damaged.map((purpose) => purposeWords[purpose]).join(' and ')} kept in ${describeKeychainPlatform(this.platform)} ` +
        'for this profile was changed by another program and can no longer open its data.',
    );
  }

  async #entries(account: string): Promise<Record<Purpose, SecretEntry>> {
    return {
      databaseKey: await this.#entry(`${account}|${purposes.databaseKey}`),
      cryptoStoreKey: await this.#entry(`${account}|${purposes.cryptoStoreKey}`),
    };
  }

  async #entry(account: string): Promise<SecretEntry> {
    if (this.platform === null) {
      throw new EngineError(
        'keychain_unavailable',
        'Tessera knows no keychain on this operating system. Choose a passphrase instead.',
      );
    }
    try {
      return await this.#openEntry(this.service, account);
    } catch (error) {
      throw keychainFailure(error, this.platform);
    }
  }

  async #read(entry: SecretEntry): Promise<Buffer | null> {
    try {
      const stored = await entry.getSecret();
      return stored === null ? null : takeKeyBytes(stored);
    } catch (error) {
      throw keychainFailure(error, this.platform);
    }
  }

  async #write(entry: SecretEntry, key: Buffer): Promise<void> {
    try {
      await entry.setSecret(key);
    } catch (error) {
      throw keychainFailure(error, this.platform);
    }
  }

  #where(): string {
    const where = describeKeychainPlatform(this.platform);
    return where.charAt(0).toUpperCase() + where.slice(1);
  }
}
