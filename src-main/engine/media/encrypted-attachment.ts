// Encrypted attachments (spec "Sending encrypted attachments"): AES-256-CTR with the key and IV
// of the event's `file` object. The SHA-256 of the ciphertext is checked before anything is
// decrypted or returned, so a server that swapped the bytes gets nothing shown.
import { createDecipheriv, createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { MediaError, parseMxc, type MxcAddress } from './media-request.ts';

const unpaddedBase64 = /^[A-Za-z0-9+/]+={0,2}$/;
const base64Url = /^[A-Za-z0-9_-]+={0,2}$/;

/** The `file` object (EncryptedFile); unknown fields are kept out. */
export const encryptedFileSchema = z.object({
  url: z.string(),
  key: z.looseObject({
    kty: z.literal('oct'),
    alg: z.literal('A256CTR'),
    k: z.string().regex(base64Url),
    key_ops: z.array(z.string()).refine((ops) => ops.includes('decrypt')),
    ext: z.literal(true),
  }),
  iv: z.string().regex(unpaddedBase64),
  hashes: z.looseObject({ sha256: z.string().regex(unpaddedBase64) }),
  v: z.literal('v2'),
});

export interface AttachmentKeys {
  source: MxcAddress;
  key: Uint8Array;
  iv: Uint8Array;
  sha256: Uint8Array;
}

/** Reads and checks a `file` object; throws MediaError('not_found') when it is not usable. */
export function attachmentKeys(file: unknown): AttachmentKeys {
  const parsed = encryptedFileSchema.safeParse(file);
  if (!parsed.success) throw new MediaError('not_found', 'The attachment has no usable encryption info');
  const source = parseMxc(parsed.data.url);
  const key = Buffer.from(parsed.data.key.k, 'base64url');
  const iv = Buffer.from(parsed.data.iv, 'base64');
  const sha256 = Buffer.from(parsed.data.hashes.sha256, 'base64');
  if (!source || key.length !== 32 || iv.length !== 16 || sha256.length !== 32) {
    throw new MediaError('not_found', 'The attachment has no usable encryption info');
  }
  return { source, key, iv, sha256 };
}

/** Verifies the ciphertext's hash, then decrypts it. */
export function decryptAttachment(ciphertext: Uint8Array, keys: AttachmentKeys): Uint8Array {
  const actual = createHash('sha256').update(ciphertext).digest();
  if (!timingSafeEqual(actual, keys.sha256)) {
    throw new MediaError('integrity', 'The attachment does not match its hash');
  }
  const decipher = createDecipheriv('aes-256-ctr', keys.key, keys.iv);
  const clear = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  return new Uint8Array(clear.buffer, clear.byteOffset, clear.byteLength);
}
