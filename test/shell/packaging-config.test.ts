// electron-builder.yml must load and validate with electron-builder's own loader and schema,
// and ship only the built output (never tests, the harness or sources).
import { fileURLToPath } from 'node:url';
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config.js';
import { DebugLogger } from 'builder-util';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

describe('electron-builder.yml', () => {
  it('is a valid electron-builder 26 configuration', async () => {
    const config = await getConfig(root, null, null);
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
    expect(config.appId).toBe('org.tessera.desktop');
    expect(config.productName).toBe('Tessera');
    expect(config.asar).toBe(true);
  }, 30_000);

  it('packages only dist/main, dist/preload, dist/renderer and package.json', async () => {
    const config = await getConfig(root, null, null);
    // The loader normalizes `files` into file sets; flatten their filters.
    const sets = [config.files ?? []].flat() as Array<string | { filter?: string | string[] }>;
    const files = sets.flatMap((set) => (typeof set === 'string' ? [set] : [set.filter ?? []].flat()));
    const included = files.filter((pattern) => !pattern.startsWith('!'));
    expect(included.sort()).toEqual(['dist/main/**', 'dist/preload/**', 'dist/renderer/**', 'package.json']);
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
});
