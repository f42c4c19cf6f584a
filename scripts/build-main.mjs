// Bundles the Node-side pieces with esbuild (DESIGN.md §5):
//   src-main/main.ts          -> dist/main/main.cjs          (Electron main, CommonJS)
//   src-preload/preload.ts    -> dist/preload/preload.cjs    (sandboxed preload, CommonJS)
//   src-main/engine/worker.ts -> dist/main/engine-worker.mjs (engine worker, ES module)
//   src-main/engine/cli/main.ts -> dist/cli/tessera.mjs     (the `tessera` CLI, ES module)
// electron stays external: the runtime provides it.
import { build } from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const shared = {
  absWorkingDir: root,
  bundle: true,
  sourcemap: true,
  logLevel: 'warning',
  legalComments: 'none',
  define: { 'process.env.NODE_ENV': '"production"' },
};

// Native modules (.node files) and the crypto WebAssembly load from node_modules at run time.
// They are package.json's only `dependencies`, the only packages electron-builder ships;
// everything bundled here is a devDependency (test/shell/packaging-config.test.ts).
const engineExternals = [
  '@napi-rs/keyring',
  'better-sqlite3-multiple-ciphers',
  '@matrix-org/matrix-sdk-crypto-wasm',
];
// Bundled CommonJS dependencies call require(); give the ES module one.
const requireBanner =
  "import { createRequire as __tesseraCreateRequire } from 'node:module'; const require = __tesseraCreateRequire(import.meta.url);";

// Electron 45 bundles Node 22.
const targets = [
  {
    ...shared,
    entryPoints: ['src-main/main.ts'],
    outfile: 'dist/main/main.cjs',
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    external: ['electron'],
  },
  {
    ...shared,
    entryPoints: ['src-preload/preload.ts'],
    outfile: 'dist/preload/preload.cjs',
    // A sandboxed preload has a browser-like environment with a limited require().
    platform: 'browser',
    format: 'cjs',
    target: 'chrome140',
    external: ['electron'],
  },
  {
    ...shared,
    entryPoints: ['src-main/engine/worker.ts'],
    outfile: 'dist/main/engine-worker.mjs',
    platform: 'node',
    format: 'esm',
    target: 'node22',
    external: engineExternals,
    banner: { js: requireBanner },
  },
  {
    ...shared,
    entryPoints: ['src-main/engine/cli/main.ts'],
    outfile: 'dist/cli/tessera.mjs',
    platform: 'node',
    format: 'esm',
    target: 'node22',
    external: engineExternals,
    // The shebang comes from the entry file; esbuild keeps it first.
    banner: { js: requireBanner },
  },
];

try {
  await Promise.all(targets.map((options) => build(options)));
} catch {
  // esbuild has already printed the errors.
  process.exitCode = 1;
}
if (!process.exitCode) {
  console.log(`built ${targets.map((target) => target.outfile).join(', ')}`);
}
