// Where the built pieces live, relative to the app's root (the folder or asar archive that
// holds package.json). The engine worker is unpacked from the asar in packaged builds so
// worker_threads can load it as a plain file.
import path from 'node:path';

export interface AppPaths {
  /** The built renderer, served as app://tessera/. */
  renderer: string;
  preload: string;
  engineWorker: string;
}

export function appPaths(appRoot: string, isPackaged: boolean): AppPaths {
  const unpackedRoot = isPackaged ? appRoot.replace(/\.asar$/, '.asar.unpacked') : appRoot;
  return {
    renderer: path.join(appRoot, 'dist', 'renderer'),
    preload: path.join(appRoot, 'dist', 'preload', 'preload.cjs'),
    engineWorker: path.join(unpackedRoot, 'dist', 'main', 'engine-worker.mjs'),
  };
}
