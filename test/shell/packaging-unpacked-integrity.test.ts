// The check of the files outside app.asar (src-main/packaging/unpacked-integrity.ts) on a temp
// folder, and main's answer to it against the fake electron: a refused check ends Tessera before
// the engine or a window starts. test/shell/package-layout.test.ts runs it on the packed app.
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appPaths } from '../../src-main/app-paths.ts';
import { startMainProcess, type ElectronMain } from '../../src-main/main-process.ts';
import {
  checkUnpackedFolder,
  manifestOfFolder,
  osCodeSignature,
  unpackedManifestPath,
  verifyUnpackedFiles,
  type UnpackedCheck,
} from '../../src-main/packaging/unpacked-integrity.ts';
import { createFakeElectron } from './fake-electron.ts';
import { appRoot, RecordingEngine } from './shell-harness.ts';

let folder = '';
let unpacked = '';

/** A Mach-O 64-bit header (little-endian magic), as a signed .node on macOS starts. */
const machO = Buffer.from([0xcf, 0xfa, 0xed, 0xfe, 7, 0, 0, 1]);

async function put(relative: string, content: string | Buffer): Promise<void> {
  const file = path.join(unpacked, ...relative.split('/'));
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, content);
}

async function manifestText(osSignsBinaries = false): Promise<string> {
  return JSON.stringify(await manifestOfFolder(unpacked, osSignsBinaries));
}

beforeEach(async () => {
  folder = await mkdtemp(path.join(os.tmpdir(), 'tessera-unpacked-'));
  unpacked = path.join(folder, 'app.asar.unpacked');
  await put('dist/main/engine-worker.mjs', 'export {};\n');
  await put('dist/cli/tessera.mjs', '#!/usr/bin/env node\n');
  await put('node_modules/native/package.json', '{"name":"native"}');
  await put('node_modules/native/prebuilds/linux-x64.node', machO);
});

afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('the manifest of app.asar.unpacked', () => {
  it('lists every file by POSIX path with its SHA-256', async () => {
    const manifest = await manifestOfFolder(unpacked, false);
    expect(Object.keys(manifest.files).sort()).toEqual([
      'dist/cli/tessera.mjs',
      'dist/main/engine-worker.mjs',
      'node_modules/native/package.json',
      'node_modules/native/prebuilds/linux-x64.node',
    ]);
    for (const hash of Object.values(manifest.files)) expect(hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('leaves Mach-O files to the OS signature for macOS targets, and hashes everything else', async () => {
    const manifest = await manifestOfFolder(unpacked, true);
    expect(manifest.files['node_modules/native/prebuilds/linux-x64.node']).toBe(osCodeSignature);
    expect(manifest.files['dist/main/engine-worker.mjs']).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses to describe a folder holding a symlink', async () => {
    await symlink('/etc/hostname', path.join(unpacked, 'dist/main/link.mjs'));
    await expect(manifestOfFolder(unpacked, false)).rejects.toThrow(/dist\/main\/link\.mjs/);
  });
});

describe('checking app.asar.unpacked against the manifest', () => {
  it('accepts the untouched folder', async () => {
    const result = await checkUnpackedFolder(unpacked, await manifestText());
    expect(result).toMatchObject({ kind: 'verified', files: 4 });
  });

  it('refuses a modified file and names it', async () => {
    const manifest = await manifestText();
    await put('dist/main/engine-worker.mjs', 'export const stolen = true;\n');
    const result = await checkUnpackedFolder(unpacked, manifest);
    expect(result).toMatchObject({
      kind: 'refused',
      reason: 'modified',
      file: 'dist/main/engine-worker.mjs',
    });
    if (result.kind !== 'refused') throw new Error('expected a refusal');
    expect(result.message).toContain('dist/main/engine-worker.mjs');
  });

  it('refuses an added file, even one module resolution would only find by name', async () => {
    const manifest = await manifestText();
    await put('dist/main/node_modules/better-sqlite3-multiple-ciphers/index.js', 'module.exports = {};');
    expect(await checkUnpackedFolder(unpacked, manifest)).toMatchObject({
      kind: 'refused',
      reason: 'unlisted',
      file: 'dist/main/node_modules/better-sqlite3-multiple-ciphers/index.js',
    });
  });

  it('refuses an added native module', async () => {
    const manifest = await manifestText();
    await put('node_modules/native/prebuilds/linux-arm64.node', machO);
    expect(await checkUnpackedFolder(unpacked, manifest)).toMatchObject({
      reason: 'unlisted',
      file: 'node_modules/native/prebuilds/linux-arm64.node',
    });
  });

  it("ignores Finder's .DS_Store, which no module resolution loads", async () => {
    const manifest = await manifestText();
    await put('node_modules/native/.DS_Store', 'finder');
    expect(await checkUnpackedFolder(unpacked, manifest)).toMatchObject({ kind: 'verified', files: 4 });
  });

  it('refuses a missing file (resolution would look further up for it)', async () => {
    const manifest = await manifestText();
    await rm(path.join(unpacked, 'node_modules/native/package.json'));
    expect(await checkUnpackedFolder(unpacked, manifest)).toMatchObject({
      reason: 'missing',
      file: 'node_modules/native/package.json',
    });
  });

  it('refuses a listed file replaced by a symlink', async () => {
    const manifest = await manifestText();
    await rm(path.join(unpacked, 'dist/cli/tessera.mjs'));
    await symlink('/etc/hostname', path.join(unpacked, 'dist/cli/tessera.mjs'));
    expect(await checkUnpackedFolder(unpacked, manifest)).toMatchObject({
      reason: 'not-a-file',
      file: 'dist/cli/tessera.mjs',
    });
  });

  it('refuses a missing unpacked folder', async () => {
    const manifest = await manifestText();
    await rm(unpacked, { recursive: true });
    expect(await checkUnpackedFolder(unpacked, manifest)).toMatchObject({ reason: 'missing' });
  });

  it('refuses without a manifest, or with one that is not valid', async () => {
    expect(await checkUnpackedFolder(unpacked, null)).toMatchObject({ reason: 'no-manifest' });
    expect(await checkUnpackedFolder(unpacked, '{not json')).toMatchObject({ reason: 'bad-manifest' });
    expect(await checkUnpackedFolder(unpacked, '{"version":1,"files":{"a.js":"abc"}}')).toMatchObject({
      reason: 'bad-manifest',
    });
    expect(await checkUnpackedFolder(unpacked, '{"version":2,"files":{}}')).toMatchObject({
      reason: 'bad-manifest',
    });
  });

  it('on macOS leaves a signed Mach-O file to the OS, but still refuses extra or missing ones', async () => {
    const manifest = await manifestText(true);
    // Signing rewrites the binary after packing: the check must not refuse that.
    await put(
      'node_modules/native/prebuilds/linux-x64.node',
      Buffer.concat([machO, Buffer.from('signature')]),
    );
    expect(await checkUnpackedFolder(unpacked, manifest)).toMatchObject({ kind: 'verified' });
    await put('node_modules/native/prebuilds/extra.node', machO);
    expect(await checkUnpackedFolder(unpacked, manifest)).toMatchObject({ reason: 'unlisted' });
  });
});

describe('the start-up check', () => {
  it('does nothing in development builds', async () => {
    expect(await verifyUnpackedFiles({ appRoot: path.join(folder, 'app'), isPackaged: false })).toEqual({
      kind: 'not-packaged',
    });
  });

  it('reads the manifest from inside app.asar and checks app.asar.unpacked beside it', async () => {
    const manifest = await manifestText();
    const asar = path.join(folder, 'app.asar');
    const read: string[] = [];
    const result = await verifyUnpackedFiles({
      appRoot: asar,
      isPackaged: true,
      readManifest: (file) => {
        read.push(file);
        return Promise.resolve(manifest);
      },
    });
    expect(read).toEqual([path.join(asar, ...unpackedManifestPath.split('/'))]);
    expect(result).toMatchObject({ kind: 'verified', files: 4 });
  });

  it('refuses a packaged app whose manifest is missing', async () => {
    const result = await verifyUnpackedFiles({ appRoot: path.join(folder, 'app.asar'), isPackaged: true });
    expect(result).toMatchObject({ kind: 'refused', reason: 'no-manifest' });
  });
});

describe('main and the check', () => {
  function startWith(unpackedFiles: Promise<UnpackedCheck>) {
    const electron = createFakeElectron({ appPath: appRoot, isPackaged: true });
    const engine = new RecordingEngine();
    const logs: string[] = [];
    let engineStarts = 0;
    const main = startMainProcess(electron as unknown as ElectronMain, {
      paths: appPaths(appRoot, true),
      unpackedFiles,
      startEngine: () => {
        engineStarts += 1;
        return Promise.resolve(engine);
      },
      log: (level, line) => logs.push(`${level} ${line}`),
    });
    if (!main) throw new Error('expected the first instance to start');
    return { electron, main, logs, engineStarts: () => engineStarts };
  }

  it('refused: shows the error box naming the file and exits with 1, without an engine or a window', async () => {
    const refused = await (async () => {
      const manifest = await manifestText();
      await put('dist/main/engine-worker.mjs', 'tampered');
      return checkUnpackedFolder(unpacked, manifest);
    })();
    const shell = startWith(Promise.resolve(refused));
    await shell.electron.app.becomeReady();
    await shell.main.ready;
    expect(shell.electron.errorBoxes).toHaveLength(1);
    expect(shell.electron.errorBoxes[0]?.title).toBe('Tessera cannot start');
    expect(shell.electron.errorBoxes[0]?.content).toContain('dist/main/engine-worker.mjs');
    expect(shell.electron.app.exitCode).toBe(1);
    expect(shell.engineStarts()).toBe(0);
    expect(await shell.main.engine).toBeNull();
    expect(shell.electron.BrowserWindow.instances).toHaveLength(0);
    expect(shell.logs).toContain(
      'error installed files refused (modified "dist/main/engine-worker.mjs"); quitting',
    );
  });

  it('a check that fails outright refuses too', async () => {
    const shell = startWith(Promise.reject(new Error('EACCES')));
    await shell.electron.app.becomeReady();
    await shell.main.ready;
    expect(shell.electron.app.exitCode).toBe(1);
    expect(shell.engineStarts()).toBe(0);
  });

  it('verified: the engine and the window start', async () => {
    const shell = startWith(checkUnpackedFolder(unpacked, await manifestText()));
    await shell.electron.app.becomeReady();
    await shell.main.ready;
    expect(shell.electron.errorBoxes).toEqual([]);
    expect(shell.engineStarts()).toBe(1);
    expect(shell.electron.BrowserWindow.instances).toHaveLength(1);
    expect(shell.logs).toContain('info installed files verified (4 files)');
  });
});
