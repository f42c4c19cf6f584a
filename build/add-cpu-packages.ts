// Adds the per-CPU packages npm left out, so one runner can package both macOS architectures
// (release.yml runs `electron-builder --mac --x64 --arm64`, which writes one latest-mac.yml
// listing both, as electron-updater needs). npm installs a package's per-CPU optional packages
// only for the runner's own CPU; this adds the other CPUs' production ones for the runner's OS
// (today @napi-rs/keyring-darwin-x64 or -arm64), at exactly the version and integrity
// package-lock.json records, fetched with `npm pack` from the configured registry.
//
//   node build/add-cpu-packages.ts
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const lockSchema = z
  .object({
    packages: z.record(
      z.string(),
      z
        .object({
          version: z.string().optional(),
          integrity: z.string().optional(),
          dev: z.boolean().optional(),
          optional: z.boolean().optional(),
          os: z.array(z.string()).optional(),
          cpu: z.array(z.string()).optional(),
        })
        .loose(),
    ),
  })
  .loose();

export interface CpuPackage {
  /** Folder relative to the project, e.g. node_modules/@napi-rs/keyring-darwin-x64. */
  folder: string;
  name: string;
  version: string;
  integrity: string;
}

/** Production optional packages for `platform` and another CPU that are not installed. */
export function missingCpuPackages(
  lockText: string,
  platform: NodeJS.Platform,
  isInstalled: (folder: string) => boolean,
): CpuPackage[] {
  const lock = lockSchema.parse(JSON.parse(lockText));
  return Object.entries(lock.packages).flatMap(([folder, entry]) => {
    const name = folder.split('node_modules/').at(-1) ?? '';
    if (!folder.startsWith('node_modules/') || name === '') return [];
    if (entry.dev === true || entry.optional !== true) return [];
    if (!entry.os?.includes(platform) || entry.cpu === undefined || isInstalled(folder)) return [];
    if (entry.version === undefined || entry.integrity === undefined) {
      throw new Error(`package-lock.json records no version or integrity for ${folder}`);
    }
    return [{ folder, name, version: entry.version, integrity: entry.integrity }];
  });
}

/** Subresource-integrity check (the form npm records: `sha512-<base64>`, possibly several). */
export function integrityMatches(bytes: Buffer, integrity: string): boolean {
  const hashes = integrity.split(/\s+/).filter((hash) => hash !== '');
  return (
    hashes.length > 0 &&
    hashes.every((hash) => {
      const [algorithm, expected] = hash.split(/-(.*)/s);
      if (algorithm !== 'sha512' && algorithm !== 'sha384' && algorithm !== 'sha256') return false;
      return createHash(algorithm).update(bytes).digest('base64') === expected;
    })
  );
}

export function addPackage(root: string, wanted: CpuPackage): void {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'tessera-cpu-package-'));
  try {
    const output = execFileSync(
      'npm',
      ['pack', `${wanted.name}@${wanted.version}`, '--pack-destination', scratch, '--json'],
      { cwd: root, encoding: 'utf8', shell: process.platform === 'win32' },
    );
    const [packed] = z.array(z.object({ filename: z.string() }).loose()).parse(JSON.parse(output));
    if (packed === undefined) throw new Error(`npm pack gave nothing for ${wanted.name}`);
    const tarball = path.join(scratch, path.basename(packed.filename));
    if (!integrityMatches(readFileSync(tarball), wanted.integrity)) {
      throw new Error(`${wanted.name}@${wanted.version} does not match the integrity in package-lock.json`);
    }
    const folder = path.join(root, ...wanted.folder.split('/'));
    mkdirSync(folder, { recursive: true });
    // npm tarballs hold one folder, `package/`.
    execFileSync('tar', ['-xzf', tarball, '--strip-components=1', '-C', folder]);
    console.log(`added ${wanted.name}@${wanted.version}`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const lockText = readFileSync(path.join(root, 'package-lock.json'), 'utf8');
  const missing = missingCpuPackages(lockText, process.platform, (folder) =>
    existsSync(path.join(root, ...folder.split('/'), 'package.json')),
  );
  for (const wanted of missing) addPackage(root, wanted);
  if (missing.length === 0) console.log('no per-CPU package missing');
}
