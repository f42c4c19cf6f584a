// Certificate pinning by public key (SPKI SHA-256, the HPKP "pin-sha256" form), for hosts an
// administrator's policy lists. Pure: the shell's Chromium verify proc and the engine's Node TLS
// use the same matching. A pinned host is accepted only when the normal verification passed AND
// some certificate of its chain carries a pinned key; hosts without pins are not affected.
import { createHash, X509Certificate } from 'node:crypto';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';

/** Host name (lower case, no port) → pins, each `sha256/<base64 of the SPKI's SHA-256>`. */
export type CertificatePins = Readonly<Record<string, readonly string[]>>;

const pinPattern = /^sha256\/[A-Za-z0-9+/]{43}=$/;

export function isWellFormedPin(pin: string): boolean {
  return pinPattern.test(pin);
}

/** The pin of a DER-encoded SubjectPublicKeyInfo. */
export function spkiPin(spkiDer: Uint8Array): string {
  return `sha256/${createHash('sha256').update(spkiDer).digest('base64')}`;
}

/** The pin of a certificate given as PEM or DER. */
export function certificatePin(certificate: string | Uint8Array): string {
  const x509 = new X509Certificate(typeof certificate === 'string' ? certificate : Buffer.from(certificate));
  return spkiPin(x509.publicKey.export({ type: 'spki', format: 'der' }));
}

/** The pins for `hostname`, or undefined when the host is not pinned. */
export function pinsForHost(pins: CertificatePins, hostname: string): readonly string[] | undefined {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  return Object.hasOwn(pins, host) ? pins[host] : undefined;
}

/** True when any of the chain's pins is one of `expected`. */
export function chainMatchesPins(chainPins: readonly string[], expected: readonly string[]): boolean {
  return chainPins.some((pin) => expected.includes(pin));
}

export class PinMismatchError extends Error {
  readonly host: string;

  constructor(host: string) {
    super(`The certificate of ${host} does not carry a key pinned by policy`);
    this.name = 'PinMismatchError';
    this.host = host;
  }
}

/** The pins of a Node peer certificate and of its issuers, leaf first. */
function peerChainPins(leaf: PeerCertificate): string[] {
  const pins: string[] = [];
  const seen = new Set<PeerCertificate>();
  let current: PeerCertificate | undefined = leaf;
  while (current && !seen.has(current) && current.raw) {
    seen.add(current);
    pins.push(certificatePin(current.raw));
    const issuer: PeerCertificate | undefined = (current as Partial<{ issuerCertificate: PeerCertificate }>)
      .issuerCertificate;
    current = issuer;
  }
  return pins;
}

/**
 * A `checkServerIdentity` for Node's TLS (https.Agent, undici's `connect` options): the normal
 * host name check first, then the pins of the host, if it has any.
 */
export function pinnedServerIdentityCheck(
  pins: CertificatePins,
): (hostname: string, certificate: PeerCertificate) => Error | undefined {
  return (hostname, certificate) => {
    const failure = checkServerIdentity(hostname, certificate);
    if (failure) return failure;
    const expected = pinsForHost(pins, hostname);
    if (!expected) return undefined;
    return chainMatchesPins(peerChainPins(certificate), expected)
      ? undefined
      : new PinMismatchError(hostname);
  };
}
