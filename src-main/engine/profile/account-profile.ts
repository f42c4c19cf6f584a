// One account's folder under the profile directory: the plaintext manifest (who, and where the
// keys are) and the encrypted database (everything else, crypto store included).
//
//   <profileDir>/account/manifest.json
//   <profileDir>/account/account.sqlite (+ -wal, -shm while open)
//
// Order on creation: keys into their backend, then the manifest, then the database. A crash in
// between leaves at worst keychain entries without a manifest (no data), never data whose key
// nobody recorded.
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { EngineError } from '../errors.ts';
import { describeKeyBackend, type KeyBackendRecord } from '../keychain/key-backend-record.ts';
import { KeychainKeySource } from '../keychain/keychain-key-source.ts';
import type { CreatedKeys, KeySource } from '../keychain/key-source.ts';
import { PassphraseKeySource } from '../keychain/passphrase-key-source.ts';
import type { StoreKeys } from '../keychain/store-keys.ts';
import { AccountDatabase } from '../store/account-database.ts';
import { removeAccountDatabase } from '../store/remove-account-database.ts';
import { newManifest, readManifest, writeManifest, type ProfileManifest } from './profile-manifest.ts';

export interface KeySources {
  keychain: () => KeychainKeySource;
  passphrase: (passphrase: string) => PassphraseKeySource;
}

export const defaultKeySources: KeySources = {
  keychain: () => new KeychainKeySource(),
  passphrase: (passphrase) => new PassphraseKeySource(passphrase),
};

export class AccountProfile {
  readonly dir: string;
  readonly manifestPath: string;
  readonly databasePath: string;
  readonly #keySources: KeySources;

  constructor(profileDir: string, keySources: KeySources = defaultKeySources) {
    this.dir = join(profileDir, 'account');
    this.manifestPath = join(this.dir, 'manifest.json');
    this.databasePath = join(this.dir, 'account.sqlite');
    this.#keySources = keySources;
  }

  exists(): boolean {
    return existsSync(this.manifestPath);
  }

  /** The manifest of the existing account, or null when there is none. Damage is an error. */
  manifest(): ProfileManifest | null {
    return this.exists() ? readManifest(this.manifestPath) : null;
  }

  /**
   * Keys for a new account: in the OS keychain, or derived from a passphrase the person chose
   * because no keychain answers. Writes the manifest; the caller opens the database next.
   */
  async create(
    identity: { userId: string; deviceId: string; homeserver: string },
    storagePassphrase: string | undefined,
  ): Promise<{ manifest: ProfileManifest; keys: StoreKeys }> {
    if (this.exists())
      throw new EngineError('already_signed_in', 'An account is already stored on this computer');
    let created: CreatedKeys;
    if (storagePassphrase === undefined) {
      created = await this.#keySources.keychain().create(identity.userId, identity.deviceId);
    } else {
      created = await this.#keySources.passphrase(storagePassphrase).create();
    }
    const manifest = newManifest(identity.userId, identity.deviceId, identity.homeserver, created.record);
    try {
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      writeManifest(this.manifestPath, manifest);
    } catch (error) {
      created.keys.databaseKey.fill(0);
      created.keys.cryptoStoreKey.fill(0);
      await this.#sourceFor(created.record, storagePassphrase)
        .forget(created.record)
        .catch(() => undefined);
      throw error;
    }
    return { manifest, keys: created.keys };
  }

  /** The keys of the existing account; a passphrase is needed when its record says so. */
  async openKeys(manifest: ProfileManifest, passphrase?: string): Promise<StoreKeys> {
    return this.#sourceFor(manifest.keyBackend, passphrase).open(manifest.keyBackend);
  }

  /** Opens the database with the key; the key is zeroed whatever happens. */
  openDatabase(manifest: ProfileManifest, databaseKey: Buffer): AccountDatabase {
    return AccountDatabase.open({
      path: this.databasePath,
      key: databaseKey,
      keySource: describeKeyBackend(manifest.keyBackend),
    });
  }

  /**
   * Removes everything of this account from this computer: the database and its WAL/SHM, the
   * crypto store (inside it), the keychain entries, the manifest and the folder. A keychain that
   * does not answer does not stop the files from going; it is reported to the caller.
   */
  async remove(manifest: ProfileManifest | null): Promise<{ keychainCleared: boolean }> {
    let keychainCleared = true;
    if (manifest?.keyBackend.kind === 'os-keychain') {
      try {
        await this.#keySources.keychain().forget(manifest.keyBackend);
      } catch {
        keychainCleared = false;
      }
    }
    removeAccountDatabase(this.databasePath);
    rmSync(this.manifestPath, { force: true });
    // Leftovers (temporary manifest files) go too; nothing else is ever written here.
    if (existsSync(this.dir)) {
      for (const name of readdirSync(this.dir))
        rmSync(join(this.dir, name), { force: true, recursive: true });
      rmSync(this.dir, { force: true, recursive: true });
    }
    return { keychainCleared };
  }

  #sourceFor(record: KeyBackendRecord, passphrase: string | undefined): KeySource {
    if (record.kind === 'passphrase') {
      if (passphrase === undefined)
        throw new EngineError('passphrase_wrong', 'Enter the passphrase of this account');
      return this.#keySources.passphrase(passphrase);
    }
    return this.#keySources.keychain();
  }
}
