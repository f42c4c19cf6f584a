// Detached Ed25519 signatures for Linux AppImage updates. electron-updater checks a download only
// against the SHA-512 in the feed (latest-linux.yml), which is as trustworthy as the server that
// serves it; Windows and macOS updates carry an OS code signature, an AppImage has none. So the
// release pipeline signs what the feed says about the AppImage (version, file name, SHA-512) with
// a key only it holds (build/sign-update-feed.ts), and Tessera downloads the update only when that
// signature verifies with a public key built into the app (update-signing-keys.ts). Once the
// metadata is proven, electron-updater's own SHA-512 check proves the file.
// Node's crypto does all of it; no key material is ever logged.
import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

/** What is signed: the feed's facts about one update file. */
export interface SignedUpdate {
  version: string;
  /** The file's name as published, without any path. */
  fileName: string;
  /** Base64 SHA-512 of the file, as electron-builder writes it into the feed. */
  sha512: string;
}

const SIGNATURE_BYTES = 64;

/** A version tag, so a signature can never be read as one over some other message. */
export function updateSignatureMessage(update: SignedUpdate): Buffer {
  for (const value of [update.version, update.fileName, update.sha512]) {
    if (value === '' || /[\n\r\0]/.test(value))
      throw new Error('update metadata holds a line break or is empty');
  }
  return Buffer.from(`tessera-update-v1\n${update.version}\n${update.fileName}\n${update.sha512}\n`, 'utf8');
}

/** Signs with an Ed25519 private key (PEM, PKCS#8); the signature file's text (base64). */
export function signUpdate(update: SignedUpdate, privateKeyPem: string): string {
  const key = createPrivateKey(privateKeyPem);
  if (key.asymmetricKeyType !== 'ed25519') throw new Error('the update signing key must be Ed25519');
  return sign(null, updateSignatureMessage(update), key).toString('base64');
}

/** The public key as it is built into the app: base64 of the SPKI DER. */
export function publicKeyText(privateKeyPem: string): string {
  return createPublicKey(privateKeyPem).export({ format: 'der', type: 'spki' }).toString('base64');
}

function publicKey(text: string): KeyObject | null {
  try {
    const key = createPublicKey({ key: Buffer.from(text, 'base64'), format: 'der', type: 'spki' });
    return key.asymmetricKeyType === 'ed25519' ? key : null;
  } catch {
    return null;
  }
}

/**
 * True when `signatureText` (a .sig file's content) signs `update` with one of `publicKeys`.
 * Several keys allow a rotation: the old and the new one are both built in for a while.
 */
export function verifyUpdateSignature(
  update: SignedUpdate,
  signatureText: string,
  publicKeys: readonly string[],
): boolean {
  const trimmed = signatureText.trim();
  if (!/^[A-Za-z0-9+/]{86}==$/.test(trimmed)) return false;
  const signature = Buffer.from(trimmed, 'base64');
  if (signature.length !== SIGNATURE_BYTES) return false;
  let message: Buffer;
  try {
    message = updateSignatureMessage(update);
  } catch {
    return false;
  }
  return publicKeys.some((text) => {
    const key = publicKey(text);
    return key !== null && verify(null, message, key, signature);
  });
}
