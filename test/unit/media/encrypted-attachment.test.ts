// Encrypted attachments: AES-256-CTR with the event's key and IV, the ciphertext's SHA-256
// checked before anything is decrypted; every malformed `file` object is refused.
import { describe, expect, it } from 'vitest';
import { attachmentKeys, decryptAttachment } from '../../../src-main/engine/media/encrypted-attachment.ts';
import { MediaError } from '../../../src-main/engine/media/media-request.ts';
import { encryptAttachment, pngBytes } from './media-samples.ts';

function reasonOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return error instanceof MediaError ? error.reason : 'not a MediaError';
  }
  return undefined;
}

describe('encrypted attachments', () => {
  it('decrypt to the original bytes', () => {
    const { ciphertext, file } = encryptAttachment(pngBytes);
    const keys = attachmentKeys(file);
    expect(keys.source).toEqual({ serverName: 'example.org', mediaId: 'abcDEF123' });
    expect(decryptAttachment(ciphertext, keys)).toEqual(pngBytes);
  });

  it('return nothing when the ciphertext does not match its hash', () => {
    const { ciphertext, file } = encryptAttachment(pngBytes);
    ciphertext[0] = (ciphertext[0] ?? 0) ^ 1;
    expect(reasonOf(() => decryptAttachment(ciphertext, attachmentKeys(file)))).toBe('integrity');
  });

  it('return nothing when the server sends other bytes entirely', () => {
    const { file } = encryptAttachment(pngBytes);
    expect(reasonOf(() => decryptAttachment(new Uint8Array(16), attachmentKeys(file)))).toBe('integrity');
  });

  const broken: Array<[string, (file: Record<string, unknown>) => unknown]> = [
    ['no file at all', () => undefined],
    ['a string', () => 'mxc://example.org/abc'],
    ['no key', ({ key: _key, ...rest }) => rest],
    [
      'a key of the wrong algorithm',
      (file) => ({ ...file, key: { ...(file.key as object), alg: 'A128CTR' } }),
    ],
    [
      'a key that may not decrypt',
      (file) => ({ ...file, key: { ...(file.key as object), key_ops: ['encrypt'] } }),
    ],
    ['a short key', (file) => ({ ...file, key: { ...(file.key as object), k: 'AAAA' } })],
    ['a short IV', (file) => ({ ...file, iv: 'AAAA' })],
    ['an IV that is not base64', (file) => ({ ...file, iv: '!!!!' })],
    ['no sha256 hash', (file) => ({ ...file, hashes: {} })],
    ['version v1', (file) => ({ ...file, v: 'v1' })],
    ['an http URL', (file) => ({ ...file, url: 'https://example.org/file' })],
    ['a traversal in the media id', (file) => ({ ...file, url: 'mxc://example.org/../../etc/passwd' })],
  ];

  it.each(broken)('are refused with %s', (_name, change) => {
    const { file } = encryptAttachment(pngBytes);
    expect(reasonOf(() => attachmentKeys(change(file)))).toBe('not_found');
  });
});
