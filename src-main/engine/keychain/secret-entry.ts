// One keychain entry (service + account) holding raw bytes, as @napi-rs/keyring's AsyncEntry
// offers it. The async form runs on a native thread, so an unlock prompt does not block the engine.
import type { AsyncEntry } from '@napi-rs/keyring';

export interface SecretEntry {
  /** The stored bytes, or null when there is no entry. */
  getSecret(): Promise<(ArrayLike<number> & { fill(value: number): unknown }) | null>;
  setSecret(secret: Uint8Array): Promise<void>;
  /** True when an entry was deleted, false when there was none. */
  deleteCredential(): Promise<boolean>;
}

/** Opens an entry; may throw (synchronously or not) when no keychain answers. */
export type SecretEntryOpener = (service: string, account: string) => SecretEntry | Promise<SecretEntry>;

let asyncEntryClass: Promise<typeof AsyncEntry> | undefined;

/**
 * The platform keychain. Loaded lazily so a missing native binding becomes a typed
 * "keychain unavailable" rather than a failure to start the engine.
 */
export const openPlatformEntry: SecretEntryOpener = async (service, account) => {
  asyncEntryClass ??= import('@napi-rs/keyring').then((module) => module.AsyncEntry);
  const EntryClass = await asyncEntryClass.catch((error: unknown) => {
    asyncEntryClass = undefined;
    throw error;
  });
  // Pinned to the Secret Service on Linux: the library's default silently falls back to the
  // kernel keyring, which forgets everything at logout and would lose the profile's key.
  return new EntryClass(service, account, { linux: { store: 'secret-service' } });
};
