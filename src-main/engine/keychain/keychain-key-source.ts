// Keys kept in the OS keychain. The record names the keychain platform; opening a profile whose
// keys were kept in another platform's keychain fails with key_backend_changed.
import { EngineError } from '../errors.ts';
import type { KeyBackendRecord, OsKeychainRecord } from './key-backend-record.ts';
import { keychainAccountFor } from './keychain-account.ts';
import {
  currentKeychainPlatform,
  describeKeychainPlatform,
  type KeychainPlatform,
} from './keychain-platform.ts';
import { KEYCHAIN_SERVICE, KeychainVault, type KeychainProbe } from './keychain-vault.ts';
import { keyBackendChanged, type CreatedKeys, type KeySource } from './key-source.ts';
import type { SecretEntryOpener } from './secret-entry.ts';
import type { StoreKeys } from './store-keys.ts';

export interface KeychainKeySourceOptions {
  service?: string;
  platform?: KeychainPlatform | null;
  openEntry?: SecretEntryOpener;
}

export class KeychainKeySource implements KeySource {
  readonly kind = 'os-keychain';
  readonly #service: string;
  readonly #platform: KeychainPlatform | null;
  readonly #openEntry: SecretEntryOpener | undefined;

  constructor(options: KeychainKeySourceOptions = {}) {
    this.#service = options.service ?? KEYCHAIN_SERVICE;
    this.#platform = options.platform === undefined ? currentKeychainPlatform() : options.platform;
    this.#openEntry = options.openEntry;
  }

  probe(): Promise<KeychainProbe> {
    return this.#vault(this.#service).probe();
  }

  /** New keys for a new profile (one Matrix device), stored in this computer's keychain. */
  async create(userId: string, deviceId: string): Promise<CreatedKeys> {
    const platform = this.#platform;
    if (platform === null) throw noKeychainHere();
    const account = keychainAccountFor(userId, deviceId);
    const keys = await this.#vault(this.#service).createKeys(account);
    const record: OsKeychainRecord = {
      version: 1,
      kind: 'os-keychain',
      platform,
      service: this.#service,
      account,
    };
    return { record, keys };
  }

  async open(record: KeyBackendRecord): Promise<StoreKeys> {
    const checked = this.#checked(record);
    return this.#vault(checked.service).readKeys(checked.account);
  }

  async forget(record: KeyBackendRecord): Promise<void> {
    const checked = this.#checked(record);
    await this.#vault(checked.service).deleteKeys(checked.account);
  }

  #checked(record: KeyBackendRecord): OsKeychainRecord {
    if (this.#platform === null) throw noKeychainHere();
    if (record.kind !== 'os-keychain' || record.platform !== this.#platform) {
      throw keyBackendChanged(record, describeKeychainPlatform(this.#platform));
    }
    return record;
  }

  #vault(service: string): KeychainVault {
    return new KeychainVault({
      service,
      platform: this.#platform,
      ...(this.#openEntry ? { openEntry: this.#openEntry } : {}),
    });
  }
}

function noKeychainHere(): EngineError {
  return new EngineError(
    'keychain_unavailable',
    'Tessera knows no keychain on this operating system. Choose a passphrase instead.',
  );
}
