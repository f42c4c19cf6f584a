import { defineConfig } from 'vitest/config';

// Tiers per DESIGN.md §6. Playwright runs the e2e tier separately (playwright.config.ts).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'shell',
          include: ['test/shell/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/homeserver/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // One Synapse serves the tier; files run one at a time on these 2-core machines.
          fileParallelism: false,
        },
      },
      {
        test: {
          // Tessera against a client we did not write (matrix-js-sdk with Rust crypto), real Synapse.
          name: 'interop',
          include: ['test/interop/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/homeserver/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          // Real OS keychain. On Linux: scripts/with-secret-service.sh npx vitest run --project keychain
          name: 'keychain',
          include: ['test/keychain/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/keychain/global-setup.ts'],
          testTimeout: 60_000,
        },
      },
    ],
  },
});
