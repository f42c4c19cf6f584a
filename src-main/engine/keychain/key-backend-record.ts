// Which backend holds a profile's keys. The record is kept in the profile's plaintext manifest:
// it names where the keys are (or how to derive them) and contains no secret.
import { z } from 'zod';
import { EngineError } from '../errors.ts';
import { describeKeychainPlatform, keychainPlatforms } from './keychain-platform.ts';

const isPowerOfTwo = (n: number) => n > 1 && (n & (n - 1)) === 0;

/** Upper bound on scrypt memory a record may ask for, so a tampered manifest cannot exhaust RAM. */
export const SCRYPT_MAX_MEMORY_BYTES = 1024 * 1024 * 1024;

export const scryptParamsSchema = z
  .object({
    N: z
      .int()
      .min(2 ** 14)
      .max(2 ** 20)
      .refine(isPowerOfTwo, 'N must be a power of two'),
    r: z.int().min(1).max(32),
    p: z.int().min(1).max(16),
  })
  .strict()
  .refine(
    (params) => 128 * params.N * params.r <= SCRYPT_MAX_MEMORY_BYTES,
    'scrypt would need too much memory',
  );

export type ScryptParams = z.infer<typeof scryptParamsSchema>;

/** Canonical standard base64 of exactly `bytes` bytes. */
const base64Bytes = (bytes: number) =>
  z
    .string()
    .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'not base64')
    .refine((text) => {
      const decoded = Buffer.from(text, 'base64');
      return decoded.length === bytes && decoded.toString('base64') === text;
    }, `must encode ${bytes} bytes`);

export const PASSPHRASE_SALT_BYTES = 16;
export const PASSPHRASE_CHECK_BYTES = 32;

const osKeychainRecordSchema = z
  .object({
    version: z.literal(1),
    kind: z.literal('os-keychain'),
    platform: z.enum(keychainPlatforms),
    service: z.string().min(1).max(256),
    /** The account prefix; the vault appends one suffix per key. */
    account: z.string().min(1).max(2048),
  })
  .strict();

const passphraseRecordSchema = z
  .object({
    version: z.literal(1),
    kind: z.literal('passphrase'),
    kdf: z.literal('scrypt'),
    params: scryptParamsSchema,
    salt: base64Bytes(PASSPHRASE_SALT_BYTES),
    /** HMAC under a key derived beside the store keys; tells a wrong passphrase apart. */
    check: base64Bytes(PASSPHRASE_CHECK_BYTES),
  })
  .strict();

export const keyBackendRecordSchema = z.discriminatedUnion('kind', [
  osKeychainRecordSchema,
  passphraseRecordSchema,
]);

export type KeyBackendRecord = z.infer<typeof keyBackendRecordSchema>;
export type OsKeychainRecord = z.infer<typeof osKeychainRecordSchema>;
export type PassphraseRecord = z.infer<typeof passphraseRecordSchema>;
export type KeyBackendKind = KeyBackendRecord['kind'];

const invalidRecord = (cause?: unknown) =>
  new EngineError(
    'key_backend_invalid',
    "This profile's record of where its key is kept is damaged, so Tessera cannot open the profile",
    cause === undefined ? undefined : { cause },
  );

export function parseKeyBackendRecord(value: unknown): KeyBackendRecord {
  const parsed = keyBackendRecordSchema.safeParse(value);
  if (!parsed.success) throw invalidRecord(parsed.error);
  return parsed.data;
}

export function keyBackendRecordFromJson(text: string): KeyBackendRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw invalidRecord(error);
  }
  return parseKeyBackendRecord(value);
}

export function keyBackendRecordToJson(record: KeyBackendRecord): string {
  // Validate on the way out too: a record we cannot read back must never be written.
  return JSON.stringify(parseKeyBackendRecord(record));
}

/** Where the keys are, in words that follow "The key for this profile was …". */
export function describeKeyBackend(record: KeyBackendRecord): string {
  return record.kind === 'os-keychain'
    ? `kept in ${describeKeychainPlatform(record.platform)}`
    : 'derived from a passphrase';
}
