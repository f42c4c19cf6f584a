// Fixtures for the e2e tier: a fresh harness (router + engine) per test, the shared Synapse,
// and a watch on Content Security Policy violations that fails any test which causes one.
import { fileURLToPath } from 'node:url';
import { test as base, expect, type Page } from '@playwright/test';
import type { HomeserverInfo } from '../homeserver/synapse.ts';
import { startHarness, type Harness } from '../harness/server.ts';
import { homeserverFromEnv } from './homeserver-env.ts';

const rendererDir = fileURLToPath(new URL('../../dist/renderer', import.meta.url));

export interface CspReport {
  directive: string;
  blockedUri: string;
  sample: string;
}

interface Fixtures {
  homeserver: HomeserverInfo;
  harness: Harness;
  /** Opens the app in `page` with a fresh one-time token. */
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
  harness: async ({}, use) => {
    // Rejections are expected in these tests; only engine errors are worth printing.
    const harness = await startHarness({
      rendererDir,
      onLog: (level, message) => {
        if (level === 'error') process.stderr.write(`[engine error] ${message}\n`);
      },
    });
    await use(harness);
    await harness.stop();
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
    await use(async () => {
      await page.goto(harness.newPageUrl());
    });
  },
});

export { expect };

/** Fills and submits the sign-in form. */
export async function signIn(page: Page, fields: { homeserver: string; user: string; password: string }) {
  await page.getByLabel('Homeserver').fill(fields.homeserver);
  await page.getByLabel('User name').fill(fields.user);
  await page.getByLabel('Password').fill(fields.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}
