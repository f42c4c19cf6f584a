// Certificate pinning in Chromium's network stack (the main process's own requests, e.g. update
// checks): when the policy pins a host, its chain must carry a pinned key on top of passing
// Chromium's verification. Other hosts keep Chromium's verdict. Pins never turn a failure into a
// success. The engine's Node HTTP has its own check (engine/http/certificate-pins.ts).
import type { Certificate, Session } from 'electron';
import {
  certificatePin,
  chainMatchesPins,
  isWellFormedPin,
  pinsForHost,
  type CertificatePins,
} from './engine/http/certificate-pins.ts';

/** The session electron-updater downloads through (its `net` requests use this partition). */
export const updaterPartition = 'electron-updater';

/** Chromium's verify-proc answers: -2 fails the connection, -3 keeps Chromium's own verdict. */
export const verifyResult = { fail: -2, useChromiumVerdict: -3 } as const;

export interface CertificateCheck {
  hostname: string;
  /** Chromium's verdict: 0 when the chain verified. */
  errorCode: number;
  validatedCertificate: Pick<Certificate, 'data'> & { issuerCert?: CertificateCheck['validatedCertificate'] };
}

type PinLog = (level: 'warn', line: string) => void;

/** The pins of a Chromium certificate chain, leaf first. */
function chainPins(leaf: CertificateCheck['validatedCertificate']): string[] {
  const pins: string[] = [];
  const seen = new Set<unknown>();
  let current: CertificateCheck['validatedCertificate'] | undefined = leaf;
  while (current && !seen.has(current) && pins.length < 16) {
    seen.add(current);
    try {
      pins.push(certificatePin(current.data));
    } catch {
      // An unreadable certificate carries no pin.
    }
    current = current.issuerCert;
  }
  return pins;
}

export function verifyPinnedCertificate(pins: CertificatePins, check: CertificateCheck, log: PinLog): number {
  const expected = pinsForHost(pins, check.hostname);
  if (!expected) return verifyResult.useChromiumVerdict;
  // A chain Chromium refused stays refused; pins only narrow what is accepted.
  if (check.errorCode !== 0) return verifyResult.useChromiumVerdict;
  if (chainMatchesPins(chainPins(check.validatedCertificate), expected))
    return verifyResult.useChromiumVerdict;
  log('warn', `refused ${check.hostname}: its certificate does not carry a pinned key`);
  return verifyResult.fail;
}

/** Keeps only well-formed pins, host names in lower case; a host whose pins are all malformed keeps none and fails closed. */
export function normalizePins(
  pins: Readonly<Record<string, readonly string[]>>,
  log: PinLog,
): CertificatePins {
  const normalized: Record<string, string[]> = {};
  for (const [host, hostPins] of Object.entries(pins)) {
    const wellFormed = hostPins.filter(isWellFormedPin);
    if (wellFormed.length !== hostPins.length) log('warn', `ignored malformed certificate pins for ${host}`);
    normalized[host.toLowerCase().replace(/\.$/, '')] = wellFormed;
  }
  return normalized;
}

/** Installs the pins in the session when there are any; without pins Chromium decides alone. */
export function applyCertificatePins(
  session: Pick<Session, 'setCertificateVerifyProc'>,
  pins: Readonly<Record<string, readonly string[]>>,
  log: PinLog,
): void {
  const normalized = normalizePins(pins, log);
  if (Object.keys(normalized).length === 0) return;
  session.setCertificateVerifyProc((request, callback) => {
    callback(verifyPinnedCertificate(normalized, request, log));
  });
}
