// Small media samples for the media tests: real headers, so the sniffer sees real formats.
import { createCipheriv, createHash, randomBytes } from 'node:crypto';

export const pngBytes = new Uint8Array(
  Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
    'base64',
  ),
);
export const gifBytes = new Uint8Array(
  Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64'),
);
export const jpegBytes = new Uint8Array([
  0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01,
  0x00, 0x00, 0xff, 0xd9,
]);
export const webpBytes = new Uint8Array([
  ...Buffer.from('RIFF'),
  0x1a,
  0x00,
  0x00,
  0x00,
  ...Buffer.from('WEBPVP8 '),
  0x0e,
  0x00,
  0x00,
  0x00,
  0x30,
  0x01,
  0x00,
  0x9d,
  0x01,
  0x2a,
  0x01,
  0x00,
  0x01,
  0x00,
  0x00,
  0x00,
  0x00,
  0x00,
]);
export const svgBytes = new Uint8Array(
  Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
);
export const htmlBytes = new Uint8Array(Buffer.from('<!doctype html><html><script>alert(1)</script></html>'));
export const pdfBytes = new Uint8Array(
  Buffer.from('%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n'),
);
export const zipBytes = new Uint8Array([
  0x50,
  0x4b,
  0x03,
  0x04,
  0x14,
  0x00,
  0x00,
  0x00,
  0x08,
  0x00,
  ...new Array(30).fill(0),
]);

const unpadded = (bytes: Buffer) => bytes.toString('base64').replace(/=+$/, '');

/** Encrypts like a Matrix client does (v2: random top half of the IV, zero counter half). */
export function encryptAttachment(clear: Uint8Array, url = 'mxc://example.org/abcDEF123') {
  const key = randomBytes(32);
  const iv = Buffer.concat([randomBytes(8), Buffer.alloc(8)]);
  const cipher = createCipheriv('aes-256-ctr', key, iv);
  const ciphertext = Buffer.concat([cipher.update(clear), cipher.final()]);
  const file = {
    url,
    key: {
      kty: 'oct',
      key_ops: ['encrypt', 'decrypt'],
      alg: 'A256CTR',
      k: key.toString('base64url'),
      ext: true,
    },
    iv: unpadded(iv),
    hashes: { sha256: unpadded(createHash('sha256').update(ciphertext).digest()) },
    v: 'v2',
  };
  return { ciphertext: new Uint8Array(ciphertext), file };
}
