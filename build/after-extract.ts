// electron-builder `afterExtract` hook (electron-builder.yml): writes the manifest of
// app.asar.unpacked (src-main/packaging/unpacked-integrity.ts) into dist/main, just before
// electron-builder copies the app, so the manifest is packed into app.asar and covered by ASAR
// integrity. A hook, not a build step, so no packaging can skip it; it runs for every platform
// and arch, after the dependencies are in place (later than beforePack).
//
// The manifest must list exactly what ends up unpacked, and that set is electron-builder's to
// decide (the `files` filters, asarUnpack, its own automatic unpacking of native packages, the
// package.json clean-up). So the hook asks electron-builder itself: it runs the same app-file copy
// into a scratch folder and hashes the app.asar.unpacked that comes out. The packager methods
// used are internal (no typings); test/shell/package-layout.test.ts packs the real output and
// checks that the manifest lists exactly its unpacked files, so an upgrade that changes them fails
// there.
import { AsyncTaskManager } from 'builder-util';
import type { AfterExtractContext } from 'app-builder-lib';
import type { Configuration, PlatformSpecificBuildOptions } from 'electron-builder';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { manifestOfFolder, unpackedManifestPath } from '../src-main/packaging/unpacked-integrity.ts';

interface ParsedPatterns {
  computeParsedPatterns(result: unknown[], fromDir?: string): void;
}

/** The PlatformPackager members electron-builder's own doPack uses to copy the app. */
interface PackagerInternals {
  readonly platformSpecificBuildOptions: PlatformSpecificBuildOptions;
  readonly config: Configuration;
  readonly info: {
    readonly appDir: string;
    readonly projectDir: string;
    readonly cancellationToken: unknown;
  };
  computeAsarOptions(options: PlatformSpecificBuildOptions): Promise<unknown>;
  createGetFileMatchersOptions(
    outDir: string,
    arch: AfterExtractContext['arch'],
    options: PlatformSpecificBuildOptions,
  ): { macroExpander: (pattern: string) => string };
  getExtraFileMatchers(
    isResources: boolean,
    appOutDir: string,
    options: ReturnType<PackagerInternals['createGetFileMatchersOptions']>,
  ): ParsedPatterns[] | null;
  copyAppFiles(
    tasks: AsyncTaskManager,
    asarOptions: unknown,
    resourcesPath: string,
    defaultDestination: string,
    packContext: AfterExtractContext,
    options: PlatformSpecificBuildOptions,
    excludePatterns: unknown[],
    macroExpander: (pattern: string) => string,
  ): void;
}

export default async function afterExtract(context: AfterExtractContext): Promise<void> {
  const packager = context.packager as unknown as PackagerInternals;
  const options = packager.platformSpecificBuildOptions;
  const asarOptions = await packager.computeAsarOptions(options);
  if (asarOptions === null || asarOptions === undefined) {
    throw new Error('Tessera ships only as app.asar (asar: true): the unpacked-file check depends on it');
  }
  const matcherOptions = packager.createGetFileMatchersOptions(context.outDir, context.arch, options);
  // As doPack does: extraResources and extraFiles are kept out of the app files.
  const excludePatterns: unknown[] = [];
  for (const isResources of [true, false]) {
    for (const matcher of packager.getExtraFileMatchers(isResources, context.appOutDir, matcherOptions) ??
      []) {
      matcher.computeParsedPatterns(excludePatterns, packager.info.projectDir);
    }
  }

  const scratch = await mkdtemp(path.join(os.tmpdir(), 'tessera-unpacked-'));
  try {
    const tasks = new AsyncTaskManager(packager.info.cancellationToken as never);
    packager.copyAppFiles(
      tasks,
      asarOptions,
      scratch,
      path.join(scratch, 'app'),
      context,
      options,
      excludePatterns,
      matcherOptions.macroExpander,
    );
    await tasks.awaitTasks();
    const osSignsBinaries =
      context.electronPlatformName === 'darwin' || context.electronPlatformName === 'mas';
    const manifest = await manifestOfFolder(path.join(scratch, 'app.asar.unpacked'), osSignsBinaries);
    await writeFile(
      path.join(packager.info.appDir, ...unpackedManifestPath.split('/')),
      `${JSON.stringify(manifest, null, 2)}\n`,
    );
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
