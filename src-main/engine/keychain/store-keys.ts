// The two secrets that open a profile: the SQLCipher database key and the crypto store's key.
// Both are 32 random bytes. Whoever receives a StoreKeys owns it and must zero it when done.
import { randomBytes } from 'node:crypto';

export const STORE_KEY_BYTES = 32;

export interface StoreKeys {
  databaseKey: Buffer;
  cryptoStoreKey: Buffer;
}

export function generateStoreKeys(): StoreKeys {
  return { databaseKey: randomBytes(STORE_KEY_BYTES), cryptoStoreKey: randomBytes(STORE_KEY_BYTES) };
}

export function zeroStoreKeys(keys: StoreKeys): void {
  keys.databaseKey.fill(0);
  keys.cryptoStoreKey.fill(0);
}

/**
 * Copies key bytes into a Buffer of its own and zeroes the source. Buffer.alloc is never taken
 * from Node's shared small-buffer pool, so zeroing the result later clears the only copy we hold.
 */
export function takeKeyBytes(source: ArrayLike<number> & { fill(value: number): unknown }): Buffer {
  const key = Buffer.alloc(source.length);
  for (let i = 0; i < source.length; i++) key[i] = source[i] ?? 0;
  source.fill(0);
  return key;
}
