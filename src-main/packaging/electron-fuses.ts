// Electron fuses: switches compiled into the Electron binary, flipped once at package time by
// build/after-pack.ts (DESIGN.md §8, supply chain). Build tooling only: main never imports this
// file, so @electron/fuses stays a devDependency.
//
// The list is a Record over the installed @electron/fuses FuseV1Options: when a new Electron
// brings a new fuse, upgrading @electron/fuses makes this file fail the type check until the
// fuse is named here with a decision; flipping uses strictlyRequireAllFuses, so a binary whose
// wire is longer than the list fails the package instead of inheriting a default.
import { FuseV1Options, FuseVersion, type FuseV1Config } from '@electron/fuses';
import path from 'node:path';

export interface FuseSetting {
  readonly enabled: boolean;
  /** Why, in one line: the decision must be readable where it is made. */
  readonly why: string;
}

export const fuseSettings: Readonly<Record<FuseV1Options, FuseSetting>> = {
  [FuseV1Options.RunAsNode]: {
    enabled: false,
    why: 'ELECTRON_RUN_AS_NODE would turn the signed binary into a plain Node that runs any script.',
  },
  [FuseV1Options.EnableCookieEncryption]: {
    enabled: true,
    why: 'Cookies on disk are encrypted with the OS keychain key, like every other stored secret.',
  },
  [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: {
    enabled: false,
    why: 'NODE_OPTIONS and NODE_EXTRA_CA_CERTS would let the environment preload code or trust extra CAs.',
  },
  [FuseV1Options.EnableNodeCliInspectArguments]: {
    enabled: false,
    why: '--inspect and SIGUSR1 would open a debugger on the main process holding the keys.',
  },
  [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: {
    enabled: true,
    why: 'app.asar is checked against the hash signed into the binary, so it cannot be swapped.',
  },
  [FuseV1Options.OnlyLoadAppFromAsar]: {
    enabled: true,
    why: 'Only the integrity-checked app.asar is loaded, never an app/ folder planted beside it.',
  },
  [FuseV1Options.LoadBrowserProcessSpecificV8Snapshot]: {
    enabled: false,
    why: 'We ship no custom browser-process V8 snapshot; the stock snapshot is the one Electron signs.',
  },
  [FuseV1Options.GrantFileProtocolExtraPrivileges]: {
    enabled: false,
    why: 'The app is served from app://, never file://, so file: pages get no extra powers.',
  },
  [FuseV1Options.WasmTrapHandlers]: {
    enabled: true,
    why: "Kept on (Electron's default): the crypto WebAssembly relies on V8's guard-page bounds checks.",
  },
};

/** The fuse numbers the installed @electron/fuses knows (a numeric enum maps names both ways). */
export function knownFuses(): FuseV1Options[] {
  return Object.values(FuseV1Options).filter((value): value is FuseV1Options => typeof value === 'number');
}

/**
 * The @electron/fuses configuration for one packed app. On Apple silicon the binary carries an
 * ad-hoc signature that flipping invalidates; it is redone here and replaced by the real
 * signature when electron-builder signs afterwards.
 */
export function fuseConfig(platform: string, arch: string): FuseV1Config {
  const wire = Object.fromEntries(knownFuses().map((fuse) => [fuse, fuseSettings[fuse].enabled])) as Record<
    FuseV1Options,
    boolean
  >;
  const isMac = platform === 'darwin' || platform === 'mas';
  return {
    version: FuseVersion.V1,
    strictlyRequireAllFuses: true,
    resetAdHocDarwinSignature: isMac && (arch === 'arm64' || arch === 'universal'),
    ...wire,
  };
}

/** What the hook needs from electron-builder's AfterPackContext. */
export interface PackedApp {
  readonly appOutDir: string;
  readonly electronPlatformName: string;
  readonly packager: {
    readonly appInfo: { readonly productFilename: string };
    /** Only the Linux packager has one; elsewhere the binary is named after the product. */
    readonly executableName?: string;
  };
}

/** The file holding the fuse wire, named as electron-builder names the packed binary. */
export function electronBinaryPath(app: PackedApp): string {
  const { appOutDir, electronPlatformName, packager } = app;
  switch (electronPlatformName) {
    case 'darwin':
    case 'mas':
      // @electron/fuses finds the framework binary inside the bundle.
      return path.join(appOutDir, `${packager.appInfo.productFilename}.app`);
    case 'win32':
      return path.join(appOutDir, `${packager.appInfo.productFilename}.exe`);
    case 'linux':
      if (packager.executableName === undefined) throw new Error('the Linux packager has no executableName');
      return path.join(appOutDir, packager.executableName);
    default:
      throw new Error(`no fuse settings for platform ${electronPlatformName}`);
  }
}
