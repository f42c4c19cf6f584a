// The folder boundaries of DESIGN.md §5 are enforced by ESLint (eslint.config.js). These tests
// lint snippets as if they sat inside the real folders and check the rule fires, or stays quiet.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const fixture = (name: string) => readFile(new URL(`../fixtures/lint/${name}`, import.meta.url), 'utf8');

const boundaryRules = new Set(['@typescript-eslint/no-restricted-imports', 'no-restricted-syntax']);

let eslint: ESLint;

beforeAll(() => {
  eslint = new ESLint({ cwd: root });
}, 60_000);

/** The boundary messages ESLint reports for `code` placed at `filePath` (relative to the repo). */
async function boundaryErrors(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${root}${filePath}` });
  if (!result) throw new Error('ESLint returned no result');
  const fatal = result.messages.filter((message) => message.fatal);
  expect(fatal).toEqual([]);
  return result.messages
    .filter(
      (message) => message.ruleId !== null && boundaryRules.has(message.ruleId) && message.severity === 2,
    )
    .map((message) => message.message);
}

describe('lint boundary: src-main/engine never imports electron', () => {
  it.each([
    ["import { app } from 'electron';\nexport const a = app;\n"],
    ["import { ipcMain } from 'electron/main';\nexport const i = ipcMain;\n"],
    ["import type { App } from 'electron';\nexport type A = App;\n"],
    ["export * from 'electron';\n"],
    ["export const load = () => import('electron');\n"],
    [
      "import { createRequire } from 'node:module';\nconst require = createRequire(import.meta.url);\nexport const e: unknown = require('electron');\n",
    ],
  ])(
    'flags %j',
    async (code) => {
      const errors = await boundaryErrors(code, 'src-main/engine/bad.ts');
      expect(errors.length).toBeGreaterThan(0);
      expect(errors.join('\n')).toMatch(/engine must not import electron/);
    },
    30_000,
  );

  it('flags the fixture file in a nested engine folder', async () => {
    const errors = await boundaryErrors(
      await fixture('engine-imports-electron.ts'),
      'src-main/engine/http/bad.ts',
    );
    expect(errors).toHaveLength(1);
  }, 30_000);

  it('allows electron in the main process outside the engine', async () => {
    const errors = await boundaryErrors(await fixture('engine-imports-electron.ts'), 'src-main/bad.ts');
    expect(errors).toEqual([]);
  }, 30_000);

  it('allows node built-ins and the contract in the engine', async () => {
    const code =
      "import { Worker } from 'node:worker_threads';\nimport type { CommandName } from '../../src-preload/contract.ts';\nexport type C = CommandName;\nexport const W = Worker;\n";
    expect(await boundaryErrors(code, 'src-main/engine/ok.ts')).toEqual([]);
  }, 30_000);
});

describe('lint boundary: src-renderer never imports from src-main', () => {
  it.each([
    [
      "import { IpcRouter } from '../src-main/ipc-router.ts';\nexport const r = IpcRouter;\n",
      'src-renderer/bad.ts',
    ],
    [
      "import type { AppPaths } from '../../src-main/app-paths.ts';\nexport type P = AppPaths;\n",
      'src-renderer/lib/bad.ts',
    ],
    ["export { appHost } from '../src-main/app-origin.ts';\n", 'src-renderer/bad.ts'],
    ["import '../../src-main/engine/protocol.ts';\n", 'src-renderer/lib/bad.ts'],
    ["import x from './lib/../../src-main/main.ts';\nexport default x;\n", 'src-renderer/bad.ts'],
    ["export const load = () => import('../src-main/main.ts');\n", 'src-renderer/bad.ts'],
  ])(
    'flags %j',
    async (code, filePath) => {
      const errors = await boundaryErrors(code, filePath);
      expect(errors.join('\n')).toMatch(/src-renderer must not import from src-main/);
    },
    30_000,
  );

  it('flags the fixture file', async () => {
    const errors = await boundaryErrors(await fixture('renderer-imports-main.ts'), 'src-renderer/lib/bad.ts');
    expect(errors).toHaveLength(1);
  }, 30_000);

  it('flags a Svelte component that imports from src-main', async () => {
    const errors = await boundaryErrors(
      await fixture('RendererImportsMain.svelte'),
      'src-renderer/views/RendererImportsMain.svelte',
    );
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/src-renderer must not import from src-main/);
  }, 30_000);

  it('flags electron in the renderer', async () => {
    const errors = await boundaryErrors(
      "import { ipcRenderer } from 'electron';\nexport const i = ipcRenderer;\n",
      'src-renderer/bad.ts',
    );
    expect(errors.join('\n')).toMatch(/must not import electron/);
  }, 30_000);
});

describe('lint boundary: src-renderer takes only types from the contract', () => {
  it('allows a type import of the contract', async () => {
    const code = await fixture('renderer-imports-contract-types.ts');
    expect(await boundaryErrors(code, 'src-renderer/lib/ok.ts')).toEqual([]);
  }, 30_000);

  it('allows a type import of the contract from a Svelte component', async () => {
    const code =
      '<script lang="ts">\n  import type { SessionView } from \'../../src-preload/contract.ts\';\n  let { session }: { session: SessionView } = $props();\n</script>\n\n<p>{session.userId}</p>\n';
    expect(await boundaryErrors(code, 'src-renderer/views/Ok.svelte')).toEqual([]);
  }, 30_000);

  it.each([
    ["import { commandNames } from '../../src-preload/contract.ts';\nexport const c = commandNames;\n"],
    [
      "import { commandSchemas, type CommandName } from '../../src-preload/contract.ts';\nexport const s = commandSchemas;\nexport type C = CommandName;\n",
    ],
  ])(
    'flags a value import of the contract: %j',
    async (code) => {
      const errors = await boundaryErrors(code, 'src-renderer/lib/bad.ts');
      expect(errors.join('\n')).toMatch(/only types from src-preload/);
    },
    30_000,
  );
});

describe('lint boundary: src-preload never imports from src-main', () => {
  it('flags an import of main code', async () => {
    const errors = await boundaryErrors(
      "import { isAppUrl } from '../src-main/app-origin.ts';\nexport const f = isAppUrl;\n",
      'src-preload/bad.ts',
    );
    expect(errors.join('\n')).toMatch(/src-preload must not import from src-main/);
  }, 30_000);

  it('allows the preload to import the contract and electron', async () => {
    const code =
      "import { contextBridge } from 'electron';\nimport { commandNames } from './contract.ts';\nexport const x = [contextBridge, commandNames];\n";
    expect(await boundaryErrors(code, 'src-preload/ok.ts')).toEqual([]);
  }, 30_000);
});
