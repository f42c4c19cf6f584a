// ESLint flat config. Besides the usual recommended rules it enforces the folder boundaries
// of DESIGN.md §5 (tested by test/unit/lint-boundaries.test.ts):
//   - nothing under src-main/engine imports electron (the engine runs in plain Node too);
//   - nothing under src-renderer imports from src-main, and only types from src-preload;
//   - nothing under src-preload imports from src-main.
import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import ts from 'typescript-eslint';

// Import sources are matched as written, so any relative path that walks into the folder
// (../src-main/x, ../../src-main, ./a/../../src-main) has the folder as one of its segments.
const intoSrcMain = '(^|/)src-main(/|$)';
const intoSrcPreload = '(^|/)src-preload(/|$)';
const electronModule = '^electron(/|$)';

/** The same boundary for dynamic import() and require(), which no-restricted-imports does not see. */
function dynamicImportsOf(regex, message) {
  const pattern = `/${regex.replaceAll('/', '\\/')}/`;
  return [
    { selector: `ImportExpression[source.value=${pattern}]`, message },
    { selector: `CallExpression[callee.name='require'][arguments.0.value=${pattern}]`, message },
  ];
}

const engineMessage =
  'src-main/engine must not import electron: the engine runs in plain Node (DESIGN.md §5).';
const rendererMainMessage =
  'src-renderer must not import from src-main: the renderer talks to main only through window.tessera.';
const rendererPreloadMessage = 'src-renderer may import only types from src-preload (use `import type`).';
const rendererElectronMessage = 'src-renderer must not import electron: it runs sandboxed with no Node.';
const preloadMainMessage = 'src-preload must not import from src-main: the preload knows only the contract.';

export default defineConfig(
  {
    ignores: [
      'dist/**',
      'release/**',
      'node_modules/**',
      'test/fixtures/lint/**',
      'playwright-report/**',
      'test-results/**',
      'coverage/**',
    ],
  },
  js.configs.recommended,
  ts.configs.recommended,
  svelte.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2024,
      sourceType: 'module',
      globals: { ...globals.node },
      parserOptions: { extraFileExtensions: ['.svelte'] },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      // With verbatimModuleSyntax, `import { type A }` still loads the module; say `import type`.
      '@typescript-eslint/no-import-type-side-effects': 'error',
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: {
      parserOptions: { parser: ts.parser },
    },
  },
  {
    files: ['src-renderer/**', 'src-preload/preload.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['test/**'],
    // e2e tests pass functions to the page, where browser globals exist.
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
  },

  // The boundaries. Each folder's rule list lives in one object so nothing overrides it.
  {
    files: ['src-main/engine/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [{ regex: electronModule, message: engineMessage }] },
      ],
      'no-restricted-syntax': ['error', ...dynamicImportsOf(electronModule, engineMessage)],
    },
  },
  {
    files: ['src-renderer/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: intoSrcMain, message: rendererMainMessage },
            { regex: intoSrcPreload, message: rendererPreloadMessage, allowTypeImports: true },
            { regex: electronModule, message: rendererElectronMessage },
          ],
        },
      ],
      'no-restricted-syntax': [
        'error',
        ...dynamicImportsOf(intoSrcMain, rendererMainMessage),
        ...dynamicImportsOf(intoSrcPreload, rendererPreloadMessage),
        ...dynamicImportsOf(electronModule, rendererElectronMessage),
      ],
    },
  },
  {
    files: ['src-preload/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [{ regex: intoSrcMain, message: preloadMainMessage }] },
      ],
      'no-restricted-syntax': ['error', ...dynamicImportsOf(intoSrcMain, preloadMainMessage)],
    },
  },
);
