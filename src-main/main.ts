// Electron main entry (bundled to dist/main/main.cjs). The only file that imports the
// electron runtime; everything it does lives in small modules that take electron as a parameter.
import { pathToFileURL } from 'node:url';
import * as electron from 'electron';
import { appPaths } from './app-paths.ts';
import { EngineHost } from './engine-host.ts';
import { startMainProcess } from './main-process.ts';

const paths = appPaths(electron.app.getAppPath(), electron.app.isPackaged);

startMainProcess(electron, {
  paths,
  startEngine: (onEvent) =>
    EngineHost.start({
      workerUrl: pathToFileURL(paths.engineWorker),
      // The account profile (manifest + encrypted database) lives in the per-user data folder.
      engineOptions: { profileDir: electron.app.getPath('userData') },
      onEvent,
      onLog: (level, message) => {
        if (level === 'warn' || level === 'error') console[level](`[engine] ${message}`);
      },
    }),
});
