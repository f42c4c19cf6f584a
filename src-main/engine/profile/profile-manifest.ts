// The one plaintext file of an account profile: who the account is and where its keys are.
// It holds no secret (the key backend record has none, by its schema), only what is needed to
// find the keys before the encrypted database can be opened.
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { z } from 'zod';
import { EngineError } from '../errors.ts';
import { keyBackendRecordSchema, type KeyBackendRecord } from '../keychain/key-backend-record.ts';

const manifestSchema = z
  .object({
    version: z.literal(1),
    userId: z.string().min(1).max(255),
    deviceId: z.string().min(1).max(255),
    homeserver: z.string().url(),
    keyBackend: keyBackendRecordSchema,
    createdAt: z.number().int().nonnegative(),
  })
  .strict();

export type ProfileManifest = z.infer<typeof manifestSchema>;

export function newManifest(
  userId: string,
  deviceId: string,
  homeserver: string,
  keyBackend: KeyBackendRecord,
): ProfileManifest {
  return { version: 1, userId, deviceId, homeserver, keyBackend, createdAt: Date.now() };
}

/** Reads and checks a manifest; a damaged one is reported, never replaced. */
export function readManifest(path: string): ProfileManifest {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new EngineError('store_corrupt', 'The account profile’s manifest could not be read', {
      cause: error,
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new EngineError('store_corrupt', 'The account profile’s manifest is damaged (not JSON)', {
      cause: error,
    });
  }
  const result = manifestSchema.safeParse(parsed);
  if (!result.success) {
    throw new EngineError('store_corrupt', 'The account profile’s manifest is damaged (unexpected content)');
  }
  return result.data;
}

/** Writes the manifest atomically: a temporary file, flushed to disk, renamed over the old one. */
export function writeManifest(path: string, manifest: ProfileManifest): void {
  const temporary = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(temporary, 'wx', 0o600);
  try {
    writeSync(fd, `${JSON.stringify(manifestSchema.parse(manifest), null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
}
