// Fixtures for the e2e tier: harnesses (router + engine, each in its own process) on a fresh
// profile folder per test, the shared Synapse, and a watch on Content Security Policy
// violations that fails any test which causes one.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test as base, expect, type Page } from '@playwright/test';
import type { HomeserverInfo } from '../homeserver/synapse.ts';
import { startHarnessProcess, type HarnessProcess } from '../harness/harness-process.ts';
import { homeserverFromEnv } from './homeserver-env.ts';

const rendererDir = fileURLToPath(new URL('../../dist/renderer', import.meta.url));

/**
 * An environment with no Secret Service: the D-Bus session bus address points at nothing, as
 * on a desktop without a keyring. The engine then finds no keychain.
 */
export const noKeychainEnv: Record<string, string> = { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent' };

export interface CspReport {
  directive: string;
  blockedUri: string;
  sample: string;
}

export interface StartTesseraOptions {
  /** Extra environment for the harness process (see noKeychainEnv). */
  env?: Record<string, string>;
  /** Receives the single sign-on pages the engine asks main to open in the system browser. */
  onBrowserOpen?: (url: string) => void;
}

interface Fixtures {
  homeserver: HomeserverInfo;
  /** This test's account profile folder; removed after the test. */
  profileDir: string;
  /** Starts a harness on this test's profile folder; stopped after the test if still running. */
  startTessera: (options?: StartTesseraOptions) => Promise<HarnessProcess>;
  /** A harness started with the default environment (a working keychain under npm test). */
  harness: HarnessProcess;
  /** Opens the app from `harness` in `page` with a fresh one-time token. */
  openTessera: () => Promise<void>;
  /** Every CSP violation the page reported, from the DOM event and from the console. */
  cspViolations: CspReport[];
}

export const test = base.extend<Fixtures>({
  // Playwright reads a fixture's dependencies from its destructuring pattern; none here.
  // eslint-disable-next-line no-empty-pattern
  homeserver: async ({}, use) => {
    await use(homeserverFromEnv());
  },

  // eslint-disable-next-line no-empty-pattern
  profileDir: async ({}, use) => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tessera-e2e-profile-'));
    await use(dir);
    await rm(dir, { recursive: true, force: true });
  },

  startTessera: async ({ profileDir }, use) => {
    const started: HarnessProcess[] = [];
    await use(async (options = {}) => {
      const harness = await startHarnessProcess({
        rendererDir,
        profileDir,
        ...(options.env ? { workerEnv: options.env } : {}),
        ...(options.onBrowserOpen ? { onBrowserOpen: options.onBrowserOpen } : {}),
        // Rejections are expected in these tests; only engine errors are worth printing.
        onLog: (level, message) => {
          if (level === 'error') process.stderr.write(`[engine error] ${message}\n`);
        },
      });
      started.push(harness);
      return harness;
    });
    await Promise.all(started.map((harness) => harness.stop()));
  },

  harness: async ({ startTessera }, use) => {
    await use(await startTessera());
  },

  cspViolations: [
    async ({ page }, use) => {
      const reports: CspReport[] = [];
      await page.exposeFunction('__tesseraReportCsp', (report: CspReport) => {
        reports.push(report);
      });
      // Init scripts are injected by the browser's debugger protocol, not by the page, so
      // they run whatever the page's CSP says; this one only listens.
      await page.addInitScript({
        content: `document.addEventListener('securitypolicyviolation', (event) => {
          window.__tesseraReportCsp({
            directive: event.effectiveDirective,
            blockedUri: event.blockedURI,
            sample: event.sample,
          });
        });`,
      });
      page.on('console', (message) => {
        if (/Content Security Policy/i.test(message.text())) {
          reports.push({ directive: 'console', blockedUri: '', sample: message.text() });
        }
      });
      await use(reports);
      expect(reports, 'the page caused Content Security Policy violations').toEqual([]);
    },
    { auto: true },
  ],

  openTessera: async ({ page, harness }, use) => {
    await use(() => openIn(page, harness));
  },
});

export { expect };

/** Opens the app served by `harness` in `page`, with a fresh one-time token. */
export async function openIn(page: Page, harness: HarnessProcess): Promise<void> {
  await page.goto(await harness.newPageUrl());
}

/** Fills and submits the sign-in form. */
export async function signIn(page: Page, fields: { homeserver: string; user: string; password: string }) {
  await page.getByLabel('Homeserver').fill(fields.homeserver);
  await page.getByLabel('User name').fill(fields.user);
  await page.getByLabel('Password', { exact: true }).fill(fields.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Every file under `dir`, as paths relative to it (an absent folder has none). */
export async function filesUnder(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { recursive: true, withFileTypes: true });
    return entries
      .filter((entry) => entry.isFile())
      .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}
