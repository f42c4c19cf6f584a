// The database key in SQLCipher's raw-key form, x'<64 hex digits>', built byte by byte into a
// Buffer. Passing it to sqlite3_key (db.key) instead of through `PRAGMA key="x'...'"` means the
// hex never exists as a JS string, which could not be zeroed and would linger on the V8 heap;
// the Buffer is zeroed by the caller as soon as the key is applied. A raw key skips SQLCipher's
// PBKDF2: the key is already 256 random bits (or the output of the passphrase KDF).
export const DATABASE_KEY_BYTES = 32;

const HEX_DIGITS = Buffer.from('0123456789abcdef', 'ascii');

export function assertDatabaseKey(key: Uint8Array): void {
  if (key.length !== DATABASE_KEY_BYTES)
    throw new RangeError(`The database key must be ${DATABASE_KEY_BYTES} bytes`);
}

export function sqlcipherRawKey(key: Uint8Array): Buffer {
  assertDatabaseKey(key);
  const raw = Buffer.alloc(3 + 2 * key.length);
  raw[0] = 0x78; // x
  raw[1] = 0x27; // '
  for (let i = 0; i < key.length; i += 1) {
    const byte = key[i] ?? 0;
    raw[2 + 2 * i] = HEX_DIGITS[byte >> 4] ?? 0;
    raw[3 + 2 * i] = HEX_DIGITS[byte & 0x0f] ?? 0;
  }
  raw[raw.length - 1] = 0x27; // '
  return raw;
}
