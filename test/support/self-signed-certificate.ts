// A throwaway P-256 certificate for localhost, made with openssl for one test run, for loopback
// HTTPS servers (certificate pinning tests). The key never leaves the test process.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface SelfSignedCertificate {
  certificate: string;
  key: string;
}

export function selfSignedLocalhostCertificate(): SelfSignedCertificate {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'tessera-test-cert-'));
  try {
    const keyPath = path.join(folder, 'key.pem');
    const certPath = path.join(folder, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        keyPath,
        '-out',
        certPath,
        '-days',
        '2',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost',
      ],
      { stdio: 'ignore' },
    );
    return { certificate: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8') };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
