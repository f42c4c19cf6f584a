// Single sign-on through the UI, with a real browser page for the "system browser": the app
// asks the engine for the homeserver's ways of signing in, the engine asks main (here the
// harness) to open the SSO page, and the person goes through the identity provider and
// Synapse's confirmation page back to Tessera's loopback listener; the app then signs in.
import { randomBytes } from 'node:crypto';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import type { SignInOptions } from '../../src-preload/contract.ts';
import { startSsoHomeserver, TEST_IDP_NAME, type SsoHomeserver } from '../homeserver/sso-homeserver.ts';
import {
  callsTo,
  defaultSettings,
  fakeSession,
  openWithFakeEngine,
  type FakeEngineState,
} from './fake-engine.ts';
import { expect, openIn, test } from './fixtures.ts';

let sso: SsoHomeserver;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  // As real users see it: Synapse asks before sending the account to an app it does not know.
  sso = await startSsoHomeserver({ confirmPage: true });
});

test.afterAll(async () => {
  await sso?.stop();
});

async function expectNoAxeViolations(page: Page): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  expect(results.violations.map((violation) => violation.id)).toEqual([]);
}

async function showSsoOptions(page: Page): Promise<void> {
  await page.getByLabel('Homeserver').fill(sso.homeserver.baseUrl);
  // Leaving the field asks the homeserver how it may be signed in to.
  await page.getByLabel('Homeserver').blur();
  await expect(page.getByRole('button', { name: `Continue with ${TEST_IDP_NAME}` })).toBeVisible();
}

test('signing in with single sign-on in the browser opens the room list', async ({
  page,
  context,
  startTessera,
}) => {
  const opened: string[] = [];
  const harness = await startTessera({ onBrowserOpen: (url) => opened.push(url) });
  await openIn(page, harness);
  await showSsoOptions(page);
  // The server offers a password too, so the password form stays.
  await expect(page.getByLabel('Password', { exact: true })).toBeVisible();
  await expectNoAxeViolations(page);

  await page.getByRole('button', { name: `Continue with ${TEST_IDP_NAME}` }).click();
  const waiting = page.getByRole('status').filter({ hasText: 'Finish signing in' });
  await expect(waiting).toBeVisible();
  await expect(page.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await expectNoAxeViolations(page);

  // The "system browser": another page of the same Chromium.
  await expect.poll(() => opened.length).toBe(1);
  const browser = await context.newPage();
  await browser.goto(opened[0] ?? '');
  const username = `sso-${randomBytes(4).toString('hex')}`;
  await browser.getByLabel('User name').fill(username);
  await browser.getByRole('button', { name: 'Sign in' }).click();
  await expect(browser.getByRole('heading', { name: 'Continue to your account' })).toBeVisible();
  await browser.getByRole('link', { name: 'Continue' }).click();
  await expect(browser.getByRole('heading', { name: /signed in to Tessera/ })).toBeVisible();

  await expect(page.getByRole('navigation', { name: 'Rooms' })).toBeVisible();
  await expect(page.getByText(`@${username}:${sso.homeserver.serverName}`)).toBeVisible();
});

test('cancelling a single sign-on returns to the form without an error', async ({ page, startTessera }) => {
  const opened: string[] = [];
  const harness = await startTessera({ onBrowserOpen: (url) => opened.push(url) });
  await openIn(page, harness);
  await showSsoOptions(page);
  const continueWith = page.getByRole('button', { name: `Continue with ${TEST_IDP_NAME}` });
  await continueWith.click();
  await expect(page.getByRole('status').filter({ hasText: 'Finish signing in' })).toBeVisible();
  await expect.poll(() => opened.length).toBe(1);

  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Finish signing in' })).toHaveCount(0);
  await expect(continueWith).toBeEnabled();
  await expect(continueWith).toBeFocused();
  await expect(page.getByRole('alert')).toHaveCount(0);
  await expect(page.getByRole('navigation', { name: 'Rooms' })).toHaveCount(0);
});

// The soft-logout screen and an SSO-only homeserver against the stand-in engine: exact control
// over what the engine answers.
const ssoOnlyOptions: SignInOptions = {
  homeserver: 'https://tessera.test/',
  password: false,
  identityProviders: [
    { id: 'oidc-corp', name: 'Corp ID', brand: null },
    { id: 'github', name: 'GitHub', brand: 'github' },
  ],
};

function fakeState(overrides: Partial<FakeEngineState> = {}): FakeEngineState {
  return {
    session: null,
    rooms: [],
    details: {},
    timelines: {},
    settings: defaultSettings(),
    failures: {},
    answers: { 'session.signInOptions': ssoOnlyOptions },
    ...overrides,
  };
}

test('after a soft logout on an SSO-only homeserver, single sign-on signs the same device in again', async ({
  page,
}) => {
  const expired = fakeSession({
    storage: { state: 'unavailable', error: { code: 'soft_logout', message: 'The session expired.' } },
  });
  await openWithFakeEngine(
    page,
    fakeState({
      session: expired,
      failures: {
        'session.reauthenticateSso': {
          code: 'sso_failed',
          message: 'tessera.test did not accept the single sign-on',
        },
      },
    }),
  );
  await expect(page.getByRole('heading', { name: 'Sign in again' })).toBeVisible();
  // No password on this server: only its identity providers.
  await expect(page.getByLabel('Password')).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Continue with GitHub' })).toBeVisible();
  await expectNoAxeViolations(page);

  const corp = page.getByRole('button', { name: 'Continue with Corp ID' });
  await corp.click();
  await expect(page.getByRole('alert')).toHaveText('tessera.test did not accept the single sign-on');
  await expect(corp).toBeFocused();

  await page.evaluate(() => {
    const fake = (globalThis as unknown as { __fake: { state: FakeEngineState } }).__fake;
    fake.state.failures = {};
    fake.state.answers = {
      ...fake.state.answers,
      'session.reauthenticateSso': {
        ...fake.state.session,
        storage: { state: 'open', backend: 'os-keychain' },
      },
    };
  });
  await corp.click();
  await expect(page.getByRole('navigation', { name: 'Rooms' })).toBeVisible();
  expect(await callsTo(page, 'session.reauthenticateSso')).toEqual([
    { identityProviderId: 'oidc-corp' },
    { identityProviderId: 'oidc-corp' },
  ]);
  expect(await callsTo(page, 'session.signInOptions')).toEqual([{ homeserver: 'https://tessera.test' }]);
});

test('an SSO-only homeserver shows its providers and no password once the field is left', async ({
  page,
}) => {
  await openWithFakeEngine(page, fakeState());
  await expect(page.getByRole('heading', { name: 'Sign in to Tessera' })).toBeVisible();
  await page.getByLabel('Homeserver').fill('tessera.test');
  await page.getByLabel('Homeserver').press('Tab');
  await expect(page.getByRole('button', { name: 'Continue with Corp ID' })).toBeVisible();
  await expect(page.getByLabel('Password', { exact: true })).toHaveCount(0);
  await expect(page.getByLabel('User name')).toHaveCount(0);
  await expectNoAxeViolations(page);
  await page.getByRole('button', { name: 'Continue with GitHub' }).click();
  expect(await callsTo(page, 'session.loginSso')).toEqual([
    { homeserver: 'tessera.test', identityProviderId: 'github' },
  ]);
});

test('under an SSO-only policy the form asks for the homeserver first, then offers its providers', async ({
  page,
}) => {
  await openWithFakeEngine(
    page,
    fakeState({
      answers: {
        'session.signInOptions': ssoOnlyOptions,
        'policy.get': {
          defaultHomeserver: null,
          allowedHomeservers: null,
          passwordSignIn: false,
          passphraseKeyFallback: true,
          managed: ['passwordSignIn'],
        },
      },
    }),
  );
  await expect(page.getByRole('note')).toHaveText(/requires single sign-on/);
  await expect(page.getByLabel('Password', { exact: true })).toHaveCount(0);
  await page.getByLabel('Homeserver').fill('tessera.test');
  await page.getByRole('button', { name: 'Continue', exact: true }).click();
  await expect(page.getByRole('button', { name: 'Continue with Corp ID' })).toBeFocused();
  await expectNoAxeViolations(page);
});
