// Builds the renderer (DESIGN.md §4) into dist/renderer, loaded from app://tessera/index.html
// in the app and from the e2e harness in tests. The page runs under
// `script-src 'self'; style-src 'self'`, so nothing may be inlined into index.html.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

const rendererRoot = fileURLToPath(new URL('./src-renderer', import.meta.url));
const outDir = fileURLToPath(new URL('./dist/renderer', import.meta.url));

export default defineConfig({
  root: rendererRoot,
  // Relative asset URLs work under app://tessera/ and under the harness's http://127.0.0.1.
  base: './',
  plugins: [
    svelte({
      configFile: false,
      // Component styles go to .css files through Vite, never into <style> tags at runtime.
      emitCss: true,
      compilerOptions: { runes: true, css: 'external' },
    }),
  ],
  build: {
    outDir,
    emptyOutDir: true,
    sourcemap: false,
    // The polyfill is unneeded in Chromium and would be one more script to audit.
    modulePreload: { polyfill: false },
    // Keep every asset a file: a data: URL would be refused by the CSP.
    assetsInlineLimit: 0,
    target: 'chrome130',
  },
  server: { strictPort: true },
});
