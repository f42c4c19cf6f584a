// Electron main entry (bundled to dist/main/main.cjs). The only file that imports the
// electron runtime (and electron-updater, which needs it); everything it does lives in small
// modules that take electron as a parameter.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as electron from 'electron';
import { autoUpdater } from 'electron-updater';
import { appPaths } from './app-paths.ts';
import { EngineHost } from './engine-host.ts';
import { startMainProcess } from './main-process.ts';
import { verifyUnpackedFiles } from './packaging/unpacked-integrity.ts';
import { loadAdminPolicy } from './policy/load-admin-policy.ts';
import { systemPolicyReaders } from './policy/system-policy-readers.ts';
import { feedUrlFromAppUpdateYml, publisherNamesFromAppUpdateYml } from './updates/app-update-config.ts';
import { fetchSignatureText } from './updates/signature-fetch.ts';
import {
  createUpdateService,
  selfUpdateSupported,
  updaterSessionPartition,
} from './updates/update-service.ts';
import { updateSigningKeys } from './updates/update-signing-keys.ts';

const paths = appPaths(electron.app.getAppPath(), electron.app.isPackaged);

// Read at once, so the policy files and the registry are read while Electron starts.
const policy = loadAdminPolicy(process.platform, systemPolicyReaders(process.platform));
// Likewise the files outside app.asar (the engine worker, the CLI, the native modules).
const unpackedFiles = verifyUnpackedFiles({
  appRoot: electron.app.getAppPath(),
  isPackaged: electron.app.isPackaged,
});

/** resources/app-update.yml, which electron-builder writes next to a packaged app. */
function appUpdateYml(): string | null {
  if (!electron.app.isPackaged) return null;
  try {
    return readFileSync(path.join(process.resourcesPath, 'app-update.yml'), 'utf8');
  } catch {
    return null;
  }
}

startMainProcess(electron, {
  paths,
  policy,
  unpackedFiles,
  startEngine: (onEvent, enginePolicy) =>
    EngineHost.start({
      workerUrl: pathToFileURL(paths.engineWorker),
      // The account profile (manifest + encrypted database) lives in the per-user data folder.
      engineOptions: { profileDir: electron.app.getPath('userData'), policy: enginePolicy },
      onEvent,
      onLog: (level, message) => {
        if (level === 'warn' || level === 'error') console[level](`[engine] ${message}`);
      },
    }),
  startUpdates: ({ policy: adminPolicy, onUpdateReady, log }) => {
    const config = appUpdateYml();
    const service = createUpdateService({
      updater: autoUpdater,
      policy: adminPolicy,
      platform: process.platform,
      isPackaged: electron.app.isPackaged,
      canSelfUpdate: selfUpdateSupported(process.platform, process.env),
      // Windows: the publisher names (none: updates stay off).
      publisherNames:
        process.platform === 'win32' && config !== null ? publisherNamesFromAppUpdateYml(config) : [],
      updateSigningKeys,
      feedUrl: config !== null ? feedUrlFromAppUpdateYml(config) : null,
      // Through electron-updater's own session, which carries the policy's certificate pins.
      fetchSignature: (url) =>
        fetchSignatureText(electron.session.fromPartition(updaterSessionPartition).fetch, url),
      onUpdateReady,
      log,
    });
    service.start();
    return service;
  },
});
