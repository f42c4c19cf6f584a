// electron-builder `afterPack` hook (electron-builder.yml): flips Electron's fuses on the packed
// binary before electron-builder signs it. Node 24 loads this file as TypeScript directly.
// The fuse list and its reasons live in src-main/packaging/electron-fuses.ts.
import { flipFuses } from '@electron/fuses';
import { Arch } from 'builder-util';
import type { AfterPackContext } from 'electron-builder';
import { electronBinaryPath, fuseConfig } from '../src-main/packaging/electron-fuses.ts';

export default async function afterPack(context: AfterPackContext): Promise<void> {
  await flipFuses(electronBinaryPath(context), fuseConfig(context.electronPlatformName, Arch[context.arch]));
}
