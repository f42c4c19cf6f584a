// electron-builder.yml must load and validate with electron-builder's own loader and schema,
// ship only the built output (never tests, the harness or sources), build every installer the
// issue asks for, read every credential from the environment, and register the matrix: scheme.
import { DOMParser } from '@xmldom/xmldom';
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config.js';
import { expandMacro } from 'app-builder-lib/out/util/macroExpander.js';
import { resolveFunction } from 'app-builder-lib/out/util/resolve.js';
import { LinuxTargetHelper } from 'app-builder-lib/out/targets/LinuxTargetHelper.js';
import { DebugLogger } from 'builder-util';
import type { AppInfo, Configuration, LinuxPackager } from 'electron-builder';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parsePlist } from 'plist';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const logger = new DebugLogger(false);

async function loadConfig(): Promise<Configuration> {
  return getConfig(root, null, null);
}

/** The file patterns of `files`, with the loader's file sets flattened. */
function filePatterns(config: Configuration): string[] {
  const sets = [config.files ?? []].flat() as Array<string | { filter?: string | string[] }>;
  return sets.flatMap((set) => (typeof set === 'string' ? [set] : [set.filter ?? []].flat()));
}

/** Target names of one platform, whatever form (string, object, list) the config uses. */
function targetNames(target: unknown): string[] {
  return [target ?? []]
    .flat()
    .map((entry) => (typeof entry === 'string' ? entry : (entry as { target: string }).target));
}

// electron-builder's matcher for dependency files is internal (no typings); this is its shape.
const requireCjs = createRequire(import.meta.url);
const { getNodeModuleFileMatcher } = requireCjs('app-builder-lib/out/fileMatcher.js') as {
  getNodeModuleFileMatcher(
    appDir: string,
    destination: string,
    macroExpander: (pattern: string) => string,
    platformOptions: unknown,
    packager: unknown,
  ): {
    createFilter(): (file: string, stat: { isDirectory(): boolean; moduleFullFilePath: string }) => boolean;
  };
};

/** Parses XML strictly: any warning or error from the parser fails. */
function strictXml(text: string): void {
  new DOMParser({
    onError: (level, message) => {
      throw new Error(`${level}: ${message}`);
    },
  }).parseFromString(text, 'text/xml');
}

function readEntitlements(file: string): Record<string, unknown> {
  const text = readFileSync(path.join(root, file), 'utf8');
  strictXml(text);
  const value = parsePlist(text);
  if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof Date) {
    throw new Error(`${file} is not a plist dictionary`);
  }
  return value as Record<string, unknown>;
}

describe('electron-builder.yml', () => {
  it('is a valid electron-builder 26 configuration', async () => {
    const config = await loadConfig();
    await expect(validateConfiguration(config, logger)).resolves.toBeUndefined();
    expect(config.appId).toBe('org.tessera.desktop');
    expect(config.productName).toBe('Tessera');
    expect(config.asar).toBe(true);
  }, 30_000);

  it('stays valid with the Azure Trusted Signing options release.yml adds on the command line', async () => {
    const config = await loadConfig();
    const withAzure: Configuration = {
      ...config,
      win: {
        ...config.win,
        azureSignOptions: {
          endpoint: 'https://weu.codesigning.azure.net',
          codeSigningAccountName: 'account',
          certificateProfileName: 'profile',
          publisherName: 'Tessera contributors',
        },
      },
    };
    await expect(validateConfiguration(withAzure, logger)).resolves.toBeUndefined();
    const workflow = readFileSync(path.join(root, '.github/workflows/release.yml'), 'utf8');
    for (const option of ['endpoint', 'codeSigningAccountName', 'certificateProfileName', 'publisherName']) {
      expect(workflow).toContain(`-c.win.azureSignOptions.${option}=`);
    }
  }, 30_000);

  it('packages only the built output, the CLI and package.json', async () => {
    const config = await loadConfig();
    const files = filePatterns(config);
    const included = files.filter((pattern) => !pattern.startsWith('!'));
    expect(included.sort()).toEqual([
      'dist/cli/**',
      'dist/main/**',
      'dist/preload/**',
      'dist/renderer/**',
      'package.json',
    ]);
    for (const excluded of [
      '!test/**',
      '!test/harness/**',
      '!src-main/**',
      '!src-preload/**',
      '!src-renderer/**',
    ]) {
      expect(files).toContain(excluded);
    }
  }, 30_000);

  it('ships the CLI that package.json names, as a plain file beside the unpacked native modules', async () => {
    const config = await loadConfig();
    const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
      bin: { tessera: string };
    };
    expect(manifest.bin.tessera).toBe('dist/cli/tessera.mjs');
    const buildScript = readFileSync(path.join(root, 'scripts/build-main.mjs'), 'utf8');
    expect(buildScript).toContain("outfile: 'dist/cli/tessera.mjs'");
    expect(config.asarUnpack).toEqual(
      expect.arrayContaining([
        'dist/cli/**',
        'dist/main/engine-worker.mjs',
        '**/*.node',
        'node_modules/better-sqlite3-multiple-ciphers/**',
        'node_modules/@napi-rs/**',
        'node_modules/@matrix-org/matrix-sdk-crypto-wasm/**',
      ]),
    );
    // The native modules are N-API prebuilds: no rebuild against Electron's headers.
    expect(config.npmRebuild).toBe(false);
  }, 30_000);

  it('unpacks every package the worker and the CLI load at run time, so they resolve beside them', async () => {
    const config = await loadConfig();
    // The externals of the engine bundles, as scripts/build-main.mjs lists them.
    const buildScript = readFileSync(path.join(root, 'scripts/build-main.mjs'), 'utf8');
    const list = /const engineExternals = \[([^\]]*)\]/.exec(buildScript)?.[1];
    if (list === undefined) throw new Error('engineExternals not found in scripts/build-main.mjs');
    const externals = [...list.matchAll(/'([^']+)'/g)].map((match) => match[1] ?? '');
    expect(externals.length).toBeGreaterThan(0);
    const unpacked = [config.asarUnpack ?? []].flat();
    for (const name of externals) {
      const scope = name.startsWith('@') ? name.split('/')[0] : null;
      const covered =
        unpacked.includes(`node_modules/${name}/**`) || unpacked.includes(`node_modules/${scope}/**`);
      expect(covered, name).toBe(true);
    }
  }, 30_000);

  it('declares as dependencies exactly the packages the bundles leave external', () => {
    // electron-builder ships `dependencies` into app.asar; what esbuild and vite bundle is a
    // devDependency, or it would ship twice. electron comes with the runtime.
    const buildScript = readFileSync(path.join(root, 'scripts/build-main.mjs'), 'utf8');
    const list = /const engineExternals = \[([^\]]*)\]/.exec(buildScript)?.[1] ?? '';
    const externals = [...list.matchAll(/'([^']+)'/g)].map((match) => match[1] ?? '');
    const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    expect(Object.keys(manifest.dependencies).sort()).toEqual(externals.sort());
    expect(Object.keys(manifest.devDependencies)).toEqual(
      expect.arrayContaining(['electron', 'electron-updater', 'zod']),
    );
    // Every other external of the bundles is electron itself.
    const otherExternals = [...buildScript.matchAll(/external: \[([^\]]*)\]/g)].flatMap((match) =>
      [...(match[1] ?? '').matchAll(/'([^']+)'/g)].map((name) => name[1]),
    );
    expect(new Set(otherExternals)).toEqual(new Set(['electron']));
  });

  it("keeps only this build's own SQLite binary and no C sources", async () => {
    const config = await loadConfig();
    const appInfo = { productName: 'Tessera', sanitizedProductName: 'Tessera', version: '0.1.0' };
    const expander = (pattern: string) => expandMacro(pattern, 'x64', appInfo as unknown as AppInfo);
    const matcher = getNodeModuleFileMatcher(root, '/app', expander, config.linux, {
      config,
      debugLogger: { isEnabled: false },
    });
    const filter = matcher.createFilter();
    const keeps = (relative: string) =>
      filter(path.join(root, relative), { isDirectory: () => false, moduleFullFilePath: relative });
    const module = 'node_modules/better-sqlite3-multiple-ciphers';
    expect(keeps(`${module}/prebuilds/${process.platform}-x64.node`)).toBe(true);
    const other = process.platform === 'darwin' ? 'win32' : 'darwin';
    expect(keeps(`${module}/prebuilds/${other}-x64.node`)).toBe(false);
    expect(keeps(`${module}/prebuilds/${process.platform}-arm64.node`)).toBe(false);
    expect(keeps(`${module}/deps/sqlite3/sqlite3.c`)).toBe(false);
    expect(keeps(`${module}/lib/index.js`)).toBe(true);
    expect(keeps('node_modules/zod/index.js')).toBe(true);
    // Likewise the keychain binding: a macOS runner holds both CPUs' packages.
    const keyring = (name: string) => `node_modules/@napi-rs/keyring-${name}/keyring.node`;
    expect(keeps(keyring(`${process.platform}-x64-gnu`))).toBe(true);
    expect(keeps(keyring(`${process.platform}-x64`))).toBe(true);
    expect(keeps(keyring(`${process.platform}-arm64`))).toBe(false);
    expect(keeps(keyring(`${other}-x64`))).toBe(false);
    expect(keeps('node_modules/@napi-rs/keyring/index.js')).toBe(true);
    expect(keeps('node_modules/node-addon-api/napi.h')).toBe(false);
  }, 30_000);

  it('flips the fuses in an afterPack hook electron-builder can load', async () => {
    const config = await loadConfig();
    expect(config.afterPack).toBe('./build/after-pack.ts');
    // Not electron-builder's own fuse key: one list, src-main/packaging/electron-fuses.ts.
    expect(config.electronFuses ?? null).toBeNull();
    // Loaded the way electron-builder loads it (Node's own loader, outside vitest's graph).
    const hook = await resolveFunction<unknown>(undefined, config.afterPack, 'afterPack', root);
    expect(typeof hook).toBe('function');
    expect((hook as { name: string }).name).toBe('afterPack');
  }, 30_000);

  it('writes the manifest of the unpacked files in an afterExtract hook electron-builder can load', async () => {
    const config = await loadConfig();
    // afterExtract runs after the dependencies are in place and before the app files are copied,
    // so the manifest lands in app.asar (test/shell/package-layout.test.ts checks the result).
    expect(config.afterExtract).toBe('./build/after-extract.ts');
    const hook = await resolveFunction<unknown>(undefined, config.afterExtract, 'afterExtract', root);
    expect(typeof hook).toBe('function');
    expect((hook as { name: string }).name).toBe('afterExtract');
    // Windows signing must not rewrite unpacked files after the manifest is made: electron-builder
    // signs only .exe files there unless signExts says otherwise (macOS: src-main/packaging).
    expect(config.win?.signExts ?? null).toBeNull();
    // Only the worker and the CLI of dist/ are unpacked: the manifest itself stays inside app.asar.
    expect([config.asarUnpack ?? []].flat().filter((pattern) => pattern.startsWith('dist/'))).toEqual([
      'dist/main/engine-worker.mjs',
      'dist/cli/**',
    ]);
  }, 30_000);
});

describe('installers', () => {
  it('builds NSIS with the per-user / per-machine choice and a per-machine MSI on Windows', async () => {
    const config = await loadConfig();
    expect(targetNames(config.win?.target).sort()).toEqual(['msi', 'nsis']);
    expect(config.nsis).toMatchObject({ oneClick: false, perMachine: false, allowElevation: true });
    expect(config.msi).toMatchObject({ perMachine: true, runAfterFinish: false });
    expect(config.msi?.upgradeCode).toMatch(/^[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}$/);
    expect(config.win?.verifyUpdateCodeSignature).toBe(true);
  }, 30_000);

  it('builds a hardened, notarized dmg and zip on macOS with entitlements from build/', async () => {
    const config = await loadConfig();
    expect(targetNames(config.mac?.target).sort()).toEqual(['dmg', 'zip']);
    expect(config.mac).toMatchObject({
      hardenedRuntime: true,
      notarize: true,
      entitlements: 'build/entitlements.mac.plist',
      entitlementsInherit: 'build/entitlements.mac.inherit.plist',
    });
  }, 30_000);

  it('grants JIT and nothing that weakens the hardened runtime', async () => {
    const config = await loadConfig();
    for (const file of [config.mac?.entitlements, config.mac?.entitlementsInherit]) {
      if (typeof file !== 'string') throw new Error('entitlements file missing from the config');
      expect(existsSync(path.join(root, file)), file).toBe(true);
      const entitlements = readEntitlements(file);
      expect(entitlements, file).toEqual({ 'com.apple.security.cs.allow-jit': true });
    }
  }, 30_000);

  it('rejects a malformed entitlements file', () => {
    expect(() => strictXml('<plist><dict><key>a</key><true/></plist>')).toThrow();
  });

  it('builds AppImage, deb and rpm on Linux with a desktop entry that handles matrix: URIs', async () => {
    const config = await loadConfig();
    expect(targetNames(config.linux?.target).sort()).toEqual(['AppImage', 'deb', 'rpm']);
    // They never update themselves: no update metadata, which would hold the hash of the rpm
    // from before release.yml signs it.
    expect(config.deb?.publish).toBeNull();
    expect(config.rpm?.publish).toBeNull();
    expect([config.protocols ?? []].flat()).toEqual([{ name: 'Matrix', schemes: ['matrix'] }]);

    // The entry exactly as electron-builder writes it into the packages.
    const packager = {
      appInfo: {
        productName: 'Tessera',
        sanitizedProductName: 'Tessera',
        description: 'A secure desktop client',
      },
      executableName: config.linux?.executableName,
      info: { metadata: { desktopName: 'tessera.desktop' } },
      fileAssociations: [],
      config,
      platformSpecificBuildOptions: config.linux,
    };
    const helper = new LinuxTargetHelper(packager as unknown as LinuxPackager);
    const entry = await helper.computeDesktopEntry(config.linux ?? {});
    const lines = entry.split('\n');
    expect(lines[0]).toBe('[Desktop Entry]');
    expect(lines).toContain('MimeType=x-scheme-handler/matrix;');
    expect(lines).toContain('Exec=/opt/Tessera/tessera %U');
    expect(lines).toContain('Type=Application');
    expect(lines).toContain('StartupWMClass=tessera');
  }, 30_000);
});

describe('credentials', () => {
  // Keys that would hold a credential if anyone wrote one into the file.
  const credentialKey = /password|secret|token|csclink|certificatefile|apikey|privatekey/i;

  function credentialPaths(value: unknown, at = ''): string[] {
    if (value === null || typeof value !== 'object') return [];
    return Object.entries(value).flatMap(([key, inner]) => [
      ...(credentialKey.test(key) ? [`${at}${key}`] : []),
      ...credentialPaths(inner, `${at}${key}.`),
    ]);
  }

  it('electron-builder.yml names no credential: signing and notarization read the environment', async () => {
    const config = await loadConfig();
    expect(credentialPaths(config)).toEqual([]);
    const text = readFileSync(path.join(root, 'electron-builder.yml'), 'utf8');
    expect(text).not.toMatch(/-----BEGIN|[A-Za-z0-9+/]{80,}/);
    expect(config.mac?.identity ?? null).toBeNull();
    expect(config.win?.signtoolOptions ?? null).toBeNull();
  }, 30_000);

  it('the release workflow takes every credential from the repository secrets', () => {
    const workflow = readFileSync(path.join(root, '.github/workflows/release.yml'), 'utf8');
    expect(workflow).not.toMatch(/-----BEGIN|[A-Za-z0-9+/]{80,}/);
    // Each credential variable electron-builder reads is set from secrets.*, never a literal.
    for (const name of [
      'WIN_CSC_LINK',
      'WIN_CSC_KEY_PASSWORD',
      'AZURE_CLIENT_SECRET',
      'CSC_KEY_PASSWORD',
      'APPLE_API_KEY_ID',
      'APPLE_API_ISSUER',
    ]) {
      const assignments = workflow.split('\n').filter((line) => line.trim().startsWith(`${name}:`));
      expect(assignments.length, name).toBeGreaterThan(0);
      for (const line of assignments) expect(line, name).toMatch(/\$\{\{.*secrets\./);
    }
  });
});
