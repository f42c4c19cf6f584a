// What a profile's keys come from. Each backend opens the keys its record describes, and
// refuses (key_backend_changed) rather than create fresh keys when the record is not its own.
import { EngineError } from '../errors.ts';
import { describeKeyBackend, type KeyBackendKind, type KeyBackendRecord } from './key-backend-record.ts';
import type { StoreKeys } from './store-keys.ts';

export interface KeySource {
  readonly kind: KeyBackendKind;
  /** The keys for a profile; the caller owns them and must zero them. */
  open(record: KeyBackendRecord): Promise<StoreKeys>;
  /** Removes whatever this backend keeps for the profile; nothing left is not an error. */
  forget(record: KeyBackendRecord): Promise<void>;
}

export interface CreatedKeys {
  /** Goes into the profile manifest; holds no secret. */
  record: KeyBackendRecord;
  keys: StoreKeys;
}

/** The record names a backend other than the one asked to open it: say so, never start fresh. */
export function keyBackendChanged(record: KeyBackendRecord, current: string): EngineError {
  return new EngineError(
    'key_backend_changed',
    `The key for this profile was ${describeKeyBackend(record)}, but Tessera now sees ${current}. ` +
      'Tessera will not create a new key over this profile’s data: bring back the keychain that holds the key, ' +
      'or remove this account from Tessera and sign in again.',
  );
}
