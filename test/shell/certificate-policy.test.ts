// Certificate pinning: Chromium's verify proc in the shell and Node's checkServerIdentity for the
// engine, both by SPKI SHA-256. Pins only narrow what is accepted; unpinned hosts are untouched.
import { X509Certificate } from 'node:crypto';
import type { PeerCertificate } from 'node:tls';
import type { Session } from 'electron';
import { describe, expect, it } from 'vitest';
import {
  applyCertificatePins,
  normalizePins,
  verifyPinnedCertificate,
  verifyResult,
  type CertificateCheck,
} from '../../src-main/certificate-policy.ts';
import {
  certificatePin,
  isWellFormedPin,
  pinnedServerIdentityCheck,
  PinMismatchError,
} from '../../src-main/engine/http/certificate-pins.ts';
import { caPem, leafPem, otherPem } from './certificate-fixtures.ts';
import { FakeSession } from './fake-electron.ts';

// Computed independently: openssl x509 -pubkey | openssl pkey -pubin -outform der | sha256 | base64.
const caPin = 'sha256/IL1hvE2PGDsBtaR2sdf4567fxYOoSFE2rY1muM0OE00=';
const leafPin = 'sha256/U9fX2q5cjfatFnWzKGNs0OqWN5PZYoVLdRr6GIphLEg=';
const otherPin = 'sha256/fQjy7pK3fcJ50y3Bl+xCivxFzOREyoTqS3ci25cEzso=';

const host = 'matrix.example.org';
const chain = { data: leafPem, issuerCert: { data: caPem } };
const check = (
  hostname: string,
  validatedCertificate: CertificateCheck['validatedCertificate'],
  errorCode = 0,
) => ({ hostname, errorCode, validatedCertificate }) satisfies CertificateCheck;

describe('certificate pins', () => {
  it('are the SHA-256 of the SubjectPublicKeyInfo', () => {
    expect(certificatePin(leafPem)).toBe(leafPin);
    expect(certificatePin(caPem)).toBe(caPin);
    expect(certificatePin(new X509Certificate(otherPem).raw)).toBe(otherPin);
  });

  it('are well formed only as sha256/<base64 of 32 bytes>', () => {
    expect(isWellFormedPin(leafPin)).toBe(true);
    expect(isWellFormedPin('sha1/abc=')).toBe(false);
    expect(isWellFormedPin('sha256/short=')).toBe(false);
  });

  it('drop malformed pins and keep the host (which then fails closed)', () => {
    const logs: string[] = [];
    expect(normalizePins({ 'Matrix.Example.org.': ['nonsense'] }, (_l, line) => logs.push(line))).toEqual({
      'matrix.example.org': [],
    });
    expect(logs).toEqual(['ignored malformed certificate pins for Matrix.Example.org.']);
  });
});

describe('the Chromium verify proc', () => {
  const log = () => {};

  it('accepts a pinned host whose leaf key is pinned, keeping Chromium’s verdict', () => {
    expect(verifyPinnedCertificate({ [host]: [leafPin] }, check(host, chain), log)).toBe(
      verifyResult.useChromiumVerdict,
    );
  });

  it('accepts a pinned host whose CA key is pinned', () => {
    expect(verifyPinnedCertificate({ [host]: [caPin] }, check(host, chain), log)).toBe(
      verifyResult.useChromiumVerdict,
    );
  });

  it('fails a pin mismatch and logs the host only', () => {
    const logs: string[] = [];
    expect(
      verifyPinnedCertificate({ [host]: [leafPin] }, check(host, { data: otherPem }), (_l, line) =>
        logs.push(line),
      ),
    ).toBe(verifyResult.fail);
    expect(logs).toEqual(['refused matrix.example.org: its certificate does not carry a pinned key']);
  });

  it('never turns a chain Chromium refused into a success, even with a matching pin', () => {
    expect(verifyPinnedCertificate({ [host]: [leafPin] }, check(host, chain, -202), log)).toBe(
      verifyResult.useChromiumVerdict,
    );
  });

  it('leaves unpinned hosts to Chromium', () => {
    expect(
      verifyPinnedCertificate({ [host]: [leafPin] }, check('other.example.org', { data: otherPem }), log),
    ).toBe(verifyResult.useChromiumVerdict);
  });

  it('fails a host whose pins were all malformed', () => {
    const pins = normalizePins({ [host]: ['sha256/garbage'] }, log);
    expect(verifyPinnedCertificate(pins, check(host, chain), log)).toBe(verifyResult.fail);
  });

  it('is installed in the session only when the policy sets pins', () => {
    const none = new FakeSession();
    applyCertificatePins(none as unknown as Session, {}, log);
    expect(none.certificateVerifyProc).toBeNull();

    const pinned = new FakeSession();
    applyCertificatePins(pinned as unknown as Session, { [host]: [leafPin] }, log);
    const answers: number[] = [];
    pinned.certificateVerifyProc?.(
      {
        hostname: host,
        errorCode: 0,
        validatedCertificate: { data: otherPem },
        certificate: { data: otherPem },
      },
      (result) => answers.push(result),
    );
    pinned.certificateVerifyProc?.(
      { hostname: host, errorCode: 0, validatedCertificate: chain, certificate: chain },
      (result) => answers.push(result),
    );
    expect(answers).toEqual([verifyResult.fail, verifyResult.useChromiumVerdict]);
  });
});

describe('the engine’s checkServerIdentity', () => {
  function peer(pem: string, issuer?: PeerCertificate): PeerCertificate {
    const x509 = new X509Certificate(pem);
    return {
      raw: x509.raw,
      subject: { CN: host },
      subjectaltname: `DNS:${host}`,
      ...(issuer ? { issuerCertificate: issuer } : {}),
    } as unknown as PeerCertificate;
  }

  it('accepts a pinned chain', () => {
    const verify = pinnedServerIdentityCheck({ [host]: [caPin] });
    expect(verify(host, peer(leafPem, peer(caPem)))).toBeUndefined();
  });

  it('refuses a pin mismatch', () => {
    const verify = pinnedServerIdentityCheck({ [host]: [leafPin] });
    expect(verify(host, peer(otherPem))).toBeInstanceOf(PinMismatchError);
  });

  it('still checks the host name first', () => {
    const verify = pinnedServerIdentityCheck({});
    expect(verify('evil.example.org', peer(leafPem))).toBeInstanceOf(Error);
    expect(verify(host, peer(otherPem))).toBeUndefined();
  });
});
