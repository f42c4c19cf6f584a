// The fuse list names exactly the fuses the installed @electron/fuses knows, with the values the
// hardened shell needs, and the afterPack hook writes them into a packed binary's fuse wire.
import { FuseState, FuseV1Options, getCurrentFuseWire } from '@electron/fuses';
import { Arch } from 'builder-util';
import type { AfterPackContext } from 'electron-builder';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import afterPack from '../../build/after-pack.ts';
import {
  electronBinaryPath,
  fuseConfig,
  fuseSettings,
  knownFuses,
  type FuseSetting,
} from '../../src-main/packaging/electron-fuses.ts';

// The marker @electron/fuses looks for in the binary (its constants.js), then version and length.
const sentinel = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';

/** A stand-in Electron binary: some bytes, the fuse wire with every fuse enabled, more bytes. */
function fakeBinary(wireLength: number): Buffer {
  return Buffer.concat([
    Buffer.from('ELF-ish prefix '),
    Buffer.from(sentinel, 'ascii'),
    Buffer.from([1, wireLength]),
    Buffer.alloc(wireLength, FuseState.ENABLE),
    Buffer.from(' suffix'),
  ]);
}

function packed(appOutDir: string, platform: string, arch: Arch): AfterPackContext {
  // Only the fields the hook reads; the rest of electron-builder's context is not needed.
  const context = {
    appOutDir,
    electronPlatformName: platform,
    arch,
    packager: { appInfo: { productFilename: 'Tessera' }, executableName: 'tessera' },
  };
  return context as unknown as AfterPackContext;
}

const folders: string[] = [];
afterEach(async () => {
  await Promise.all(folders.splice(0).map((folder) => rm(folder, { recursive: true, force: true })));
});
async function tempFolder(): Promise<string> {
  const folder = await mkdtemp(path.join(os.tmpdir(), 'tessera-fuses-'));
  folders.push(folder);
  return folder;
}

describe('electron fuse list', () => {
  it('names exactly the fuses the installed @electron/fuses knows', () => {
    const runtimeFuses = Object.values(FuseV1Options)
      .filter((value) => typeof value === 'number')
      .sort();
    const listed = Object.keys(fuseSettings).map(Number).sort();
    expect(listed).toEqual(runtimeFuses);
    expect(knownFuses().sort()).toEqual(runtimeFuses);
  });

  it('sets the values the hardened shell requires', () => {
    const byName = Object.fromEntries(
      knownFuses().map((fuse) => [FuseV1Options[fuse], fuseSettings[fuse].enabled]),
    );
    expect(byName).toMatchObject({
      RunAsNode: false,
      EnableNodeOptionsEnvironmentVariable: false,
      EnableNodeCliInspectArguments: false,
      EnableCookieEncryption: true,
      EnableEmbeddedAsarIntegrityValidation: true,
      OnlyLoadAppFromAsar: true,
      GrantFileProtocolExtraPrivileges: false,
      LoadBrowserProcessSpecificV8Snapshot: false,
    });
  });

  it('cannot leave a fuse out (tsc checks the expected error below)', () => {
    const { [FuseV1Options.WasmTrapHandlers]: _left, ...rest } = fuseSettings;
    // @ts-expect-error -- a list without one of the installed fuses is not a fuse list
    const incomplete: Readonly<Record<FuseV1Options, FuseSetting>> = rest;
    expect(Object.keys(incomplete)).toHaveLength(knownFuses().length - 1);
  });

  it('gives every fuse a one-line reason', () => {
    for (const fuse of knownFuses()) {
      const { why } = fuseSettings[fuse];
      expect(why.trim().length, FuseV1Options[fuse]).toBeGreaterThan(10);
      expect(why, FuseV1Options[fuse]).not.toMatch(/\n/);
    }
  });

  it('requires every fuse when flipping, and redoes the ad-hoc signature only for Apple silicon', () => {
    const linux = fuseConfig('linux', 'x64');
    expect(linux.strictlyRequireAllFuses).toBe(true);
    expect(linux.resetAdHocDarwinSignature).toBe(false);
    for (const fuse of knownFuses()) {
      expect(linux[fuse]).toBe(fuseSettings[fuse].enabled);
    }
    expect(fuseConfig('darwin', 'arm64').resetAdHocDarwinSignature).toBe(true);
    expect(fuseConfig('darwin', 'universal').resetAdHocDarwinSignature).toBe(true);
    expect(fuseConfig('darwin', 'x64').resetAdHocDarwinSignature).toBe(false);
    expect(fuseConfig('win32', 'arm64').resetAdHocDarwinSignature).toBe(false);
  });
});

describe('afterPack hook', () => {
  it('flips the fuse wire of the packed Linux binary', async () => {
    const appOutDir = await tempFolder();
    const binary = path.join(appOutDir, 'tessera');
    await writeFile(binary, fakeBinary(knownFuses().length));

    await afterPack(packed(appOutDir, 'linux', Arch.x64));

    const wire = await getCurrentFuseWire(binary);
    for (const fuse of knownFuses()) {
      const expected = fuseSettings[fuse].enabled ? FuseState.ENABLE : FuseState.DISABLE;
      expect(wire[fuse], FuseV1Options[fuse]).toBe(expected);
    }
  });

  it('finds the framework binary inside a macOS bundle', async () => {
    const appOutDir = await tempFolder();
    const framework = path.join(appOutDir, 'Tessera.app/Contents/Frameworks/Electron Framework.framework');
    await mkdir(framework, { recursive: true });
    const binary = path.join(framework, 'Electron Framework');
    await writeFile(binary, fakeBinary(knownFuses().length));

    // x64: no ad-hoc re-signing, so no codesign is needed on this machine.
    await afterPack(packed(appOutDir, 'darwin', Arch.x64));

    const wire = await getCurrentFuseWire(binary);
    expect(wire[FuseV1Options.RunAsNode]).toBe(FuseState.DISABLE);
    expect(wire[FuseV1Options.OnlyLoadAppFromAsar]).toBe(FuseState.ENABLE);
  });

  it('fails the package when Electron has a fuse the list does not name', async () => {
    const appOutDir = await tempFolder();
    await writeFile(path.join(appOutDir, 'Tessera.exe'), fakeBinary(knownFuses().length + 1));
    await expect(afterPack(packed(appOutDir, 'win32', Arch.x64))).rejects.toThrow(/strictlyRequireAllFuses/);
  });

  it('names the binary as electron-builder does', () => {
    const app = { productFilename: 'Tessera' };
    expect(
      electronBinaryPath({ appOutDir: '/out', electronPlatformName: 'win32', packager: { appInfo: app } }),
    ).toBe(path.join('/out', 'Tessera.exe'));
    expect(
      electronBinaryPath({
        appOutDir: '/out',
        electronPlatformName: 'linux',
        packager: { appInfo: app, executableName: 'tessera' },
      }),
    ).toBe(path.join('/out', 'tessera'));
    expect(() =>
      electronBinaryPath({ appOutDir: '/out', electronPlatformName: 'freebsd', packager: { appInfo: app } }),
    ).toThrow(/freebsd/);
  });
});
