// Store keys derived from a passphrase the person chose for this profile (never the Matrix
// password). scrypt stretches the passphrase into one master secret; HKDF-SHA256 splits that
// into the two store keys and a check key, so the stored check value reveals nothing about them.
// Argon2id is not used: node:crypto has it only from Node 24.7, and Electron 45 bundles Node 22.
import { createHmac, hkdf, scrypt } from 'node:crypto';
import type { ScryptParams } from './key-backend-record.ts';
import { STORE_KEY_BYTES, type StoreKeys } from './store-keys.ts';

/** 2^17 × 8 × 128 bytes = 128 MiB and about half a second per derivation on a current laptop. */
export const defaultScryptParams: ScryptParams = { N: 2 ** 17, r: 8, p: 1 };

const MASTER_BYTES = 32;
const info = {
  databaseKey: 'Tessera v1 database key',
  cryptoStoreKey: 'Tessera v1 crypto store key',
  check: 'Tessera v1 passphrase check key',
} as const;
const CHECK_MESSAGE = 'Tessera v1 passphrase check';

export interface PassphraseDerivation {
  keys: StoreKeys;
  /** HMAC-SHA256(check key, constant): equal for the same passphrase, salt and parameters. */
  check: Buffer;
}

/**
 * Passphrases are compared as Unicode NFC, so the same words typed on systems that compose
 * accents differently give the same key.
 */
export async function deriveFromPassphrase(
  passphrase: string,
  salt: Buffer,
  params: ScryptParams,
): Promise<PassphraseDerivation> {
  const secret = Buffer.from(passphrase.normalize('NFC'), 'utf8');
  let master: Buffer | undefined;
  try {
    master = await scryptAsync(secret, salt, params);
    const databaseKey = await expand(master, info.databaseKey);
    const cryptoStoreKey = await expand(master, info.cryptoStoreKey);
    const checkKey = await expand(master, info.check);
    const check = createHmac('sha256', checkKey).update(CHECK_MESSAGE).digest();
    checkKey.fill(0);
    return { keys: { databaseKey, cryptoStoreKey }, check };
  } finally {
    secret.fill(0);
    master?.fill(0);
  }
}

function scryptAsync(secret: Buffer, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  // maxmem must exceed 128·N·r; allow twice that so Node's bookkeeping never trips it.
  const maxmem = 2 * 128 * params.N * params.r;
  return new Promise((resolve, reject) => {
    scrypt(secret, salt, MASTER_BYTES, { ...params, maxmem }, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

function expand(master: Buffer, label: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    hkdf('sha256', master, Buffer.alloc(0), label, STORE_KEY_BYTES, (error, key) =>
      error ? reject(error) : resolve(Buffer.from(key)),
    );
  });
}
