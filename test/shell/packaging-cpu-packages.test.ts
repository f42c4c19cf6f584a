// build/add-cpu-packages.ts: which per-CPU packages a macOS runner adds before packaging both
// architectures, and the integrity check on what npm pack fetched.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { integrityMatches, missingCpuPackages } from '../../build/add-cpu-packages.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const lockText = readFileSync(path.join(root, 'package-lock.json'), 'utf8');

describe('per-CPU packages for a two-architecture macOS build', () => {
  it('adds the keychain binding of both macOS CPUs from the lock, and nothing else', () => {
    const missing = missingCpuPackages(lockText, 'darwin', () => false);
    expect(missing.map((entry) => entry.name).sort()).toEqual([
      '@napi-rs/keyring-darwin-arm64',
      '@napi-rs/keyring-darwin-x64',
    ]);
    for (const entry of missing) expect(entry.integrity).toMatch(/^sha512-/);
  });

  it('skips what is installed, development packages, and other operating systems', () => {
    const lock = JSON.stringify({
      packages: {
        '': { name: 'tessera' },
        'node_modules/native-darwin-arm64': {
          version: '1.0.0',
          integrity: 'sha512-a',
          optional: true,
          os: ['darwin'],
          cpu: ['arm64'],
        },
        'node_modules/native-darwin-x64': {
          version: '1.0.0',
          integrity: 'sha512-b',
          optional: true,
          os: ['darwin'],
          cpu: ['x64'],
        },
        'node_modules/tool-darwin-x64': {
          version: '1.0.0',
          integrity: 'sha512-c',
          dev: true,
          optional: true,
          os: ['darwin'],
          cpu: ['x64'],
        },
        'node_modules/native-linux-x64': {
          version: '1.0.0',
          integrity: 'sha512-d',
          optional: true,
          os: ['linux'],
          cpu: ['x64'],
        },
        'node_modules/plain': { version: '1.0.0', integrity: 'sha512-e' },
      },
    });
    const missing = missingCpuPackages(lock, 'darwin', (folder) => folder.endsWith('arm64'));
    expect(missing).toEqual([
      {
        folder: 'node_modules/native-darwin-x64',
        name: 'native-darwin-x64',
        version: '1.0.0',
        integrity: 'sha512-b',
      },
    ]);
  });

  it('refuses a lock entry without integrity', () => {
    const lock = JSON.stringify({
      packages: {
        'node_modules/native-darwin-x64': { version: '1.0.0', optional: true, os: ['darwin'], cpu: ['x64'] },
      },
    });
    expect(() => missingCpuPackages(lock, 'darwin', () => false)).toThrow(/integrity/);
  });

  it('accepts a tarball only with the integrity the lock records', () => {
    const bytes = Buffer.from('tarball');
    const integrity = `sha512-${createHash('sha512').update(bytes).digest('base64')}`;
    expect(integrityMatches(bytes, integrity)).toBe(true);
    expect(integrityMatches(Buffer.from('tampered'), integrity)).toBe(false);
    expect(integrityMatches(bytes, '')).toBe(false);
    expect(integrityMatches(bytes, `md5-${createHash('md5').update(bytes).digest('base64')}`)).toBe(false);
  });
});
