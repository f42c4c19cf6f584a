// Packs the built app with the real electron-builder (the `dir` target, as release.yml runs it
// minus the installer step) around a stand-in Electron distribution: the Electron binary cannot
// be downloaded here, and the packing does not need it to run. Checks what ships: the fuses as
// src-main/packaging/electron-fuses.ts sets them, the app inside app.asar with only the packages
// loaded from node_modules at run time, the engine worker, the CLI and their native packages
// unpacked where plain Node resolves them, and the manifest of those unpacked files inside
// app.asar, with the start-up check run against the packed output (untouched and tampered).
import { FuseState, FuseV1Options, getCurrentFuseWire } from '@electron/fuses';
import { createPackage, extractFile, listPackage } from '@electron/asar';
import { execFile } from 'node:child_process';
import { appendFile, chmod, cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fuseSettings, knownFuses } from '../../src-main/packaging/electron-fuses.ts';
import {
  unpackedManifestPath,
  verifyUnpackedFiles,
  type ManifestReader,
} from '../../src-main/packaging/unpacked-integrity.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const built = ['dist/main/main.cjs', 'dist/cli/tessera.mjs', 'dist/main/engine-worker.mjs'].every((file) =>
  existsSync(path.join(root, file)),
);
// `npm test` builds before the tiers run; by hand, run `npm run build` first. CI never skips.
const packIt = process.platform === 'linux' && (built || process.env.CI === 'true') ? it : it.skip;

function run(command: string, args: string[], cwd: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

let work = '';
let resources = '';
let binary = '';
let packed: { code: number; output: string } = { code: -1, output: '' };

beforeAll(async () => {
  if (process.platform !== 'linux') return;
  if (!built) {
    if (process.env.CI === 'true')
      throw new Error('dist/ is not built: run `npm run build` before the tests');
    return;
  }
  work = await mkdtemp(path.join(os.tmpdir(), 'tessera-package-'));
  // A stand-in for Electron's Linux zip: an executable carrying a fuse wire, all fuses on.
  const electronDist = path.join(work, 'electron-dist');
  await mkdir(path.join(electronDist, 'resources'), { recursive: true });
  const fuses = knownFuses().length;
  const electron = path.join(electronDist, 'electron');
  await writeFile(
    electron,
    Buffer.concat([
      Buffer.from('#!/bin/sh\nexit 0\n'),
      Buffer.from('dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX', 'ascii'),
      Buffer.from([1, fuses]),
      Buffer.alloc(fuses, FuseState.ENABLE),
    ]),
  );
  await chmod(electron, 0o755);
  await writeFile(path.join(electronDist, 'LICENSE'), 'stand-in');
  const output = path.join(work, 'release');
  const manifest = JSON.parse(
    await readFile(path.join(root, 'node_modules/electron/package.json'), 'utf8'),
  ) as {
    version: string;
  };
  packed = await run(
    process.execPath,
    [
      path.join(root, 'node_modules/electron-builder/cli.js'),
      '--linux',
      'dir',
      '--publish',
      'never',
      `-c.electronDist=${electronDist}`,
      `-c.electronVersion=${manifest.version}`,
      `-c.directories.output=${output}`,
    ],
    root,
  );
  resources = path.join(output, 'linux-unpacked', 'resources');
  binary = path.join(output, 'linux-unpacked', 'tessera');
}, 300_000);

afterAll(async () => {
  if (work !== '') await rm(work, { recursive: true, force: true });
});

/** Reads a file inside an asar archive the way Electron's fs does in main; null when absent. */
function asarReader(asar: string): ManifestReader {
  return (file) => {
    try {
      return Promise.resolve(extractFile(asar, path.relative(asar, file)).toString('utf8'));
    } catch {
      return Promise.resolve(null);
    }
  };
}

/** Every file below `root`, as POSIX paths relative to it. */
async function filesBelow(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => !entry.isDirectory())
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
    .sort();
}

/** A copy of the packed resources folder to tamper with. */
async function copyOfResources(name: string): Promise<string> {
  const copy = path.join(work, name);
  await cp(resources, copy, { recursive: true });
  return copy;
}

function checkPacked(resourcesDir: string) {
  const asar = path.join(resourcesDir, 'app.asar');
  return verifyUnpackedFiles({ appRoot: asar, isPackaged: true, readManifest: asarReader(asar) });
}

describe('packed app (electron-builder, Linux dir target)', () => {
  packIt('packs without errors', () => {
    expect(packed.output).not.toMatch(/⨯/);
    expect(packed.code).toBe(0);
  });

  packIt('has the fuses flipped as the typed list says', async () => {
    const wire = await getCurrentFuseWire(binary);
    for (const fuse of knownFuses()) {
      const expected = fuseSettings[fuse].enabled ? FuseState.ENABLE : FuseState.DISABLE;
      expect(wire[fuse], FuseV1Options[fuse]).toBe(expected);
    }
  });

  packIt('keeps the app in app.asar and ships no sources, tests or source maps', () => {
    const entries = listPackage(path.join(resources, 'app.asar'), { isPack: false }).map((entry) =>
      entry.split(path.sep).join('/'),
    );
    for (const file of [
      '/package.json',
      '/dist/main/main.cjs',
      '/dist/preload/preload.cjs',
      '/dist/renderer/index.html',
      '/dist/cli/tessera.mjs',
    ]) {
      expect(entries).toContain(file);
    }
    const own = entries.filter((entry) => !entry.startsWith('/node_modules/'));
    expect(own.filter((entry) => /^\/(src-|test|scripts|build\/|bench)/.test(entry))).toEqual([]);
    expect(entries.filter((entry) => entry.endsWith('.map'))).toEqual([]);
  });

  packIt(
    'unpacks the worker, the CLI and their native packages, with only this platform’s SQLite',
    async () => {
      const unpacked = path.join(resources, 'app.asar.unpacked');
      for (const file of [
        'dist/main/engine-worker.mjs',
        'dist/cli/tessera.mjs',
        'node_modules/better-sqlite3-multiple-ciphers/package.json',
        'node_modules/@napi-rs/keyring/package.json',
        'node_modules/@matrix-org/matrix-sdk-crypto-wasm/package.json',
      ]) {
        expect(existsSync(path.join(unpacked, file)), file).toBe(true);
      }
      const sqlite = path.join(unpacked, 'node_modules/better-sqlite3-multiple-ciphers');
      expect(await readdir(path.join(sqlite, 'prebuilds'))).toEqual([`linux-${process.arch}.node`]);
      expect(existsSync(path.join(sqlite, 'deps'))).toBe(false);
    },
  );

  packIt('ships in app.asar only the packages loaded from node_modules at run time', async () => {
    // Everything else is bundled by esbuild or vite and would only ship twice.
    const entries = listPackage(path.join(resources, 'app.asar'), { isPack: false }).map((entry) =>
      entry.split(path.sep).join('/'),
    );
    const shipped = new Set(
      entries.flatMap((entry) => {
        const name = /^\/node_modules\/(@[^/]+\/[^/]+|[^@/][^/]*)(?:\/|$)/.exec(entry)?.[1];
        return name === undefined ? [] : [name];
      }),
    );
    const manifest = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    // The runtime packages and what they depend on, as installed (a platform's optional
    // packages only where npm installed them); node-addon-api is build-time headers, trimmed.
    const expected = new Set<string>();
    const visit = async (name: string): Promise<void> => {
      const file = path.join(root, 'node_modules', name, 'package.json');
      if (expected.has(name) || !existsSync(file)) return;
      expected.add(name);
      const info = JSON.parse(await readFile(file, 'utf8')) as {
        dependencies?: Record<string, string>;
        optionalDependencies?: Record<string, string>;
      };
      for (const dependency of Object.keys({ ...info.dependencies, ...info.optionalDependencies })) {
        await visit(dependency);
      }
    };
    for (const name of Object.keys(manifest.dependencies)) await visit(name);
    expected.delete('node-addon-api');
    expect([...shipped].sort()).toEqual([...expected].sort());
    expect(shipped).toContain(`@napi-rs/keyring-linux-${process.arch}-gnu`);
  });

  packIt('packs the manifest of the unpacked files into app.asar, listing exactly those files', async () => {
    const asar = path.join(resources, 'app.asar');
    const entries = listPackage(asar, { isPack: true }).map((entry) => entry.split(path.sep).join('/'));
    // Packed, not unpacked: ASAR integrity covers it.
    expect(entries).toContain(`pack   : /${unpackedManifestPath}`);
    const unpacked = path.join(resources, 'app.asar.unpacked');
    expect(existsSync(path.join(unpacked, unpackedManifestPath))).toBe(false);
    const manifest = JSON.parse(extractFile(asar, unpackedManifestPath).toString('utf8')) as {
      files: Record<string, string>;
    };
    expect(Object.keys(manifest.files).sort()).toEqual(await filesBelow(unpacked));
    expect(Object.keys(manifest.files)).toContain('dist/main/engine-worker.mjs');
    expect(Object.keys(manifest.files)).toContain(
      `node_modules/better-sqlite3-multiple-ciphers/prebuilds/linux-${process.arch}.node`,
    );
  });

  packIt('the start-up check accepts the untouched packed app', async () => {
    expect(await checkPacked(resources)).toMatchObject({ kind: 'verified' });
  });

  packIt('the start-up check refuses a modified unpacked file', async () => {
    const copy = await copyOfResources('modified');
    await appendFile(path.join(copy, 'app.asar.unpacked/dist/main/engine-worker.mjs'), '\n// tampered\n');
    expect(await checkPacked(copy)).toMatchObject({
      kind: 'refused',
      reason: 'modified',
      file: 'dist/main/engine-worker.mjs',
    });
  });

  packIt('the start-up check refuses an extra unpacked file', async () => {
    const copy = await copyOfResources('extra');
    const extra = 'node_modules/@napi-rs/keyring/extra.js';
    await writeFile(path.join(copy, 'app.asar.unpacked', extra), 'module.exports = {};\n');
    expect(await checkPacked(copy)).toMatchObject({ kind: 'refused', reason: 'unlisted', file: extra });
  });

  packIt('the start-up check refuses a packaged app without a manifest in app.asar', async () => {
    const copy = await copyOfResources('no-manifest');
    const app = path.join(work, 'no-manifest-app');
    await mkdir(app);
    await writeFile(path.join(app, 'package.json'), '{"name":"tessera"}');
    await rm(path.join(copy, 'app.asar'));
    await createPackage(app, path.join(copy, 'app.asar'));
    expect(await checkPacked(copy)).toMatchObject({ kind: 'refused', reason: 'no-manifest' });
  });

  packIt('loads the native packages from beside the CLI with plain Node', async () => {
    // A probe next to the packed CLI imports what the CLI and the worker import at run time.
    const probe = path.join(resources, 'app.asar.unpacked/dist/cli/probe.mjs');
    await writeFile(
      probe,
      [
        "import Database from 'better-sqlite3-multiple-ciphers';",
        "import { Entry } from '@napi-rs/keyring';",
        "import { initAsync } from '@matrix-org/matrix-sdk-crypto-wasm';",
        "const db = new Database(':memory:');",
        "db.prepare('select 1').get();",
        'await initAsync();',
        "console.log(typeof Entry === 'function' ? 'loaded' : 'missing');",
      ].join('\n'),
    );
    const result = await run(process.execPath, [probe], os.tmpdir());
    await rm(probe);
    expect(result.output.trim()).toBe('loaded');
    const help = await run(
      process.execPath,
      [path.join(resources, 'app.asar.unpacked/dist/cli/tessera.mjs'), '--help'],
      os.tmpdir(),
    );
    expect(help.code).toBe(0);
    expect(help.output).toMatch(/Usage: tessera/);
  });

  packIt('writes the updater feed electron-updater reads', async () => {
    const feed = await readFile(path.join(resources, 'app-update.yml'), 'utf8');
    expect(feed).toMatch(/^provider: generic$/m);
  });
});
