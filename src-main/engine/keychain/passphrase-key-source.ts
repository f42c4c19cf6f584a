// Keys derived from a passphrase, for a person who chose it over the OS keychain (or has none).
// The record keeps the salt, the scrypt parameters and a check value; the passphrase itself is
// never stored, and a wrong one is told apart (passphrase_wrong) from a damaged database.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { EngineError } from '../errors.ts';
import {
  PASSPHRASE_SALT_BYTES,
  type KeyBackendRecord,
  type PassphraseRecord,
  type ScryptParams,
} from './key-backend-record.ts';
import { keyBackendChanged, type CreatedKeys, type KeySource } from './key-source.ts';
import { defaultScryptParams, deriveFromPassphrase } from './passphrase-kdf.ts';
import { zeroStoreKeys, type StoreKeys } from './store-keys.ts';

export const PASSPHRASE_MIN_CHARACTERS = 8;
export const PASSPHRASE_MAX_CHARACTERS = 1024;

export class PassphraseKeySource implements KeySource {
  readonly kind = 'passphrase';
  // A JS string cannot be zeroed; it is held only as long as this object is.
  readonly #passphrase: string;

  constructor(passphrase: string) {
    this.#passphrase = passphrase;
  }

  /** New keys for a new profile; `params` exists for tests and is checked by the record schema. */
  async create(params: ScryptParams = defaultScryptParams): Promise<CreatedKeys> {
    const length = [...this.#passphrase.normalize('NFC')].length;
    if (length < PASSPHRASE_MIN_CHARACTERS || length > PASSPHRASE_MAX_CHARACTERS) {
      throw new EngineError(
        'invalid_arguments',
        `Choose a passphrase of at least ${PASSPHRASE_MIN_CHARACTERS} characters (and at most ${PASSPHRASE_MAX_CHARACTERS})`,
        { field: 'passphrase' },
      );
    }
    const salt = randomBytes(PASSPHRASE_SALT_BYTES);
    const { keys, check } = await deriveFromPassphrase(this.#passphrase, salt, params);
    const record: PassphraseRecord = {
      version: 1,
      kind: 'passphrase',
      kdf: 'scrypt',
      params: { ...params },
      salt: salt.toString('base64'),
      check: check.toString('base64'),
    };
    return { record, keys };
  }

  async open(record: KeyBackendRecord): Promise<StoreKeys> {
    if (record.kind !== 'passphrase') throw keyBackendChanged(record, 'a passphrase');
    const { keys, check } = await deriveFromPassphrase(
      this.#passphrase,
      Buffer.from(record.salt, 'base64'),
      record.params,
    );
    const expected = Buffer.from(record.check, 'base64');
    if (expected.length !== check.length || !timingSafeEqual(expected, check)) {
      zeroStoreKeys(keys);
      throw new EngineError('passphrase_wrong', 'That passphrase does not unlock this profile', {
        field: 'passphrase',
      });
    }
    return keys;
  }

  /** Nothing is kept anywhere but in the record. */
  async forget(): Promise<void> {}
}
