// Single sign-on against a real Synapse with a real (test) OpenID identity provider: the engine's
// loopback listener, the browser (Playwright's request context: it follows redirects and keeps
// Synapse's OIDC session cookie), m.login.token, and the same path after it as a password.
import { randomBytes } from 'node:crypto';
import { request } from 'playwright';
import { z } from 'zod';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import type { BrowserOpenRequest, SessionView, SignInOptions } from '../../src-preload/contract.ts';
import type { EnginePolicy } from '../../src-main/engine/protocol.ts';
import {
  startSsoHomeserver,
  TEST_IDP_ID,
  TEST_IDP_NAME,
  type SsoHomeserver,
} from '../homeserver/sso-homeserver.ts';
import { until } from '../support/until.ts';
import { startEngine, type RecordedEngine } from './engine-harness.ts';
import { runCli } from '../../src-main/engine/cli/cli-run.ts';
import { parseCli } from '../../src-main/engine/cli/cli-args.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let sso: SsoHomeserver;
const running: RecordedEngine[] = [];

beforeAll(async () => {
  sso = await startSsoHomeserver();
});

afterAll(async () => {
  await sso?.stop();
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((recorded) => recorded.dispose()));
});

const unmanaged: EnginePolicy = { passwordSignIn: true, passphraseKeyFallback: true, lockedSettings: {} };

function engine(options: Parameters<typeof startEngine>[0] = {}): RecordedEngine {
  const recorded = startEngine({ forceSyncV3: true, ...options });
  running.push(recorded);
  return recorded;
}

/** The n-th sign-in page the engine asked main to open (counting from 1). */
function browserRequest(tessera: RecordedEngine, nth = 1): Promise<string> {
  return until('the engine to ask for a browser', () => {
    const requests = tessera.events.filter((event) => event.name === 'browser.openRequested');
    return (requests[nth - 1]?.payload as BrowserOpenRequest | undefined)?.url;
  });
}

/** What a browser does with the page: the identity provider, Synapse, back to Tessera's listener. */
async function completeInBrowser(url: string) {
  const browser = await request.newContext();
  try {
    const response = await browser.get(url);
    return {
      status: response.status(),
      url: response.url(),
      headers: response.headers(),
      body: await response.text(),
    };
  } finally {
    await browser.dispose();
  }
}

const newUsername = () => `sso-${randomBytes(4).toString('hex')}`;
const userIdOf = (username: string) => `@${username}:${sso.homeserver.serverName}`;

describe('single sign-on options', () => {
  it('lists the test identity provider and the password', async () => {
    const tessera = engine();
    const outcome = await tessera.invoke('session.signInOptions', { homeserver: sso.homeserver.baseUrl });
    expect(outcome).toEqual({
      ok: true,
      value: {
        homeserver: `${sso.homeserver.baseUrl}/`,
        password: true,
        identityProviders: [{ id: TEST_IDP_ID, name: TEST_IDP_NAME, brand: null }],
      } satisfies SignInOptions,
    });
  });

  it('lists no provider on a server without single sign-on, and refuses SSO there before a browser opens', async () => {
    const shared = inject('homeserver');
    const tessera = engine();
    expect(await tessera.invoke('session.signInOptions', { homeserver: shared.baseUrl })).toMatchObject({
      ok: true,
      value: { password: true, identityProviders: [] },
    });
    const outcome = await tessera.invoke('session.loginSso', { homeserver: shared.baseUrl });
    expect(outcome).toMatchObject({ ok: false, error: { code: 'sso_unsupported' } });
    expect(tessera.events.some((event) => event.name === 'browser.openRequested')).toBe(false);
  });

  it('refuses an identity provider the server does not list', async () => {
    const tessera = engine();
    const outcome = await tessera.invoke('session.loginSso', {
      homeserver: sso.homeserver.baseUrl,
      identityProviderId: 'oidc-elsewhere',
    });
    expect(outcome).toMatchObject({ ok: false, error: { code: 'sso_unsupported' } });
    expect(tessera.events.some((event) => event.name === 'browser.openRequested')).toBe(false);
  });
});

describe('single sign-on', () => {
  it('creates the account and a working session, and a restart reopens it without signing in', async () => {
    const username = newUsername();
    sso.identityProvider.signInNext(username);
    const tessera = engine();
    const signingIn = tessera.invoke('session.loginSso', {
      homeserver: sso.homeserver.baseUrl,
      identityProviderId: TEST_IDP_ID,
    });
    const url = new URL(await browserRequest(tessera));
    expect(url.origin + url.pathname).toBe(
      `${sso.homeserver.baseUrl}/_matrix/client/v3/login/sso/redirect/${TEST_IDP_ID}`,
    );
    const redirectUrl = new URL(url.searchParams.get('redirectUrl') ?? '');
    expect(redirectUrl.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(redirectUrl.pathname).toMatch(/^\/sso\/[A-Za-z0-9_-]{43}$/);

    const page = await completeInBrowser(url.href);
    expect(page.status).toBe(200);
    expect(page.body).toContain('signed in to Tessera');
    expect(page.headers['content-security-policy']).toBe("default-src 'none'");
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.headers['cache-control']).toBe('no-store');
    const loginToken = new URL(page.url).searchParams.get('loginToken');
    expect(loginToken).toBeTruthy();

    const outcome = await signingIn;
    expect(outcome).toMatchObject({
      ok: true,
      value: { userId: userIdOf(username), storage: { state: 'open', backend: 'os-keychain' } },
    });
    const view = (outcome as { value: SessionView }).value;
    await until('sync to run', () => (tessera.engine.syncState === 'live' ? true : undefined));
    expect(tessera.engine.session?.db.securityLog.entries().map((entry) => entry.kind)).toContain('sign_in');
    // The device carries Tessera's name on the server, like a password sign-in's.
    const devices = await tessera.engine.session?.http.request('GET', '/_matrix/client/v3/devices', {
      schema: z.object({
        devices: z.array(z.looseObject({ device_id: z.string(), display_name: z.string().optional() })),
      }),
    });
    expect(devices?.devices).toContainEqual(
      expect.objectContaining({ device_id: view.deviceId, display_name: 'Tessera' }),
    );

    // Neither the login token nor the listener's state reaches a log line.
    const logged = tessera.logs.map((line) => line.message).join('\n');
    expect(logged).not.toContain(loginToken);
    expect(logged).not.toContain(redirectUrl.pathname.slice('/sso/'.length));

    // A restart opens the stored account; nobody signs in again.
    await tessera.engine.shutdown();
    const restarted = startEngine({ forceSyncV3: true, profileDir: tessera.profileDir });
    running.splice(running.indexOf(tessera), 1, restarted);
    const reopened = await until('the stored account to open', async () => {
      const current = await restarted.invoke('session.get');
      return current.ok && current.value && (current.value as SessionView).storage.state === 'open'
        ? (current.value as SessionView)
        : undefined;
    });
    expect(reopened).toMatchObject({ userId: view.userId, deviceId: view.deviceId });
    await until('sync to run again', () => (restarted.engine.syncState === 'live' ? true : undefined));
    expect(restarted.events.some((event) => event.name === 'browser.openRequested')).toBe(false);
  });

  it('signs in with the server’s own choice when no provider is named', async () => {
    const username = newUsername();
    sso.identityProvider.signInNext(username);
    const tessera = engine();
    const signingIn = tessera.invoke('session.loginSso', { homeserver: sso.homeserver.baseUrl });
    const url = new URL(await browserRequest(tessera));
    expect(url.pathname).toBe('/_matrix/client/v3/login/sso/redirect');
    // Synapse with one provider sends the browser straight to it.
    expect((await completeInBrowser(url.href)).status).toBe(200);
    expect(await signingIn).toMatchObject({ ok: true, value: { userId: userIdOf(username) } });
  });

  it('cancels a waiting sign-in: the call fails with sso_cancelled and the listener closes', async () => {
    const tessera = engine();
    const signingIn = tessera.invoke('session.loginSso', {
      homeserver: sso.homeserver.baseUrl,
      identityProviderId: TEST_IDP_ID,
    });
    const url = new URL(await browserRequest(tessera));
    // Only one single sign-on at a time.
    expect(await tessera.invoke('session.loginSso', { homeserver: sso.homeserver.baseUrl })).toMatchObject({
      ok: false,
      error: { code: 'sso_in_progress' },
    });

    expect(await tessera.invoke('session.cancelSso')).toEqual({ ok: true, value: null });
    expect(await signingIn).toMatchObject({ ok: false, error: { code: 'sso_cancelled' } });
    expect(await tessera.invoke('session.get')).toEqual({ ok: true, value: null });
    const listener = new URL(url.searchParams.get('redirectUrl') ?? '');
    await expect(fetch(`${listener.href}?loginToken=late`)).rejects.toThrow();

    // The slot is free again.
    const again = tessera.invoke('session.loginSso', { homeserver: sso.homeserver.baseUrl });
    await browserRequest(tessera, 2);
    await tessera.invoke('session.cancelSso');
    expect(await again).toMatchObject({ ok: false, error: { code: 'sso_cancelled' } });
  });

  it('refuses a login token the server does not know with sso_failed, and keeps nothing', async () => {
    const tessera = engine();
    const signingIn = tessera.invoke('session.loginSso', {
      homeserver: sso.homeserver.baseUrl,
      identityProviderId: TEST_IDP_ID,
    });
    const url = new URL(await browserRequest(tessera));
    const listener = new URL(url.searchParams.get('redirectUrl') ?? '');
    listener.searchParams.set('loginToken', 'syl_not_a_real_token');
    expect((await fetch(listener)).status).toBe(200);
    expect(await signingIn).toMatchObject({ ok: false, error: { code: 'sso_failed' } });
    expect(await tessera.invoke('session.get')).toEqual({ ok: true, value: null });
    expect(tessera.logs.map((line) => line.message).join('\n')).not.toContain('syl_not_a_real_token');
  });
});

describe('single sign-on under the organization’s policy', () => {
  it('stays allowed when password sign-in is turned off', async () => {
    const tessera = engine({ policy: { ...unmanaged, passwordSignIn: false } });
    expect(
      await tessera.invoke('session.signInOptions', { homeserver: sso.homeserver.baseUrl }),
    ).toMatchObject({ ok: true, value: { password: false, identityProviders: [{ id: TEST_IDP_ID }] } });

    const username = newUsername();
    sso.identityProvider.signInNext(username);
    const signingIn = tessera.invoke('session.loginSso', {
      homeserver: sso.homeserver.baseUrl,
      identityProviderId: TEST_IDP_ID,
    });
    expect((await completeInBrowser(await browserRequest(tessera))).status).toBe(200);
    expect(await signingIn).toMatchObject({ ok: true, value: { userId: userIdOf(username) } });
  });

  it('refuses a homeserver not on the allowed list before anything is opened', async () => {
    const tessera = engine({ policy: { ...unmanaged, allowedHomeservers: ['matrix.example.org'] } });
    expect(
      await tessera.invoke('session.signInOptions', { homeserver: sso.homeserver.baseUrl }),
    ).toMatchObject({ ok: false, error: { code: 'homeserver_not_allowed' } });
    expect(
      await tessera.invoke('session.loginSso', {
        homeserver: sso.homeserver.baseUrl,
        identityProviderId: TEST_IDP_ID,
      }),
    ).toMatchObject({ ok: false, error: { code: 'homeserver_not_allowed' } });
    expect(tessera.events.some((event) => event.name === 'browser.openRequested')).toBe(false);
  });

  it('refuses the passphrase fallback the policy turns off, before anything is opened', async () => {
    const tessera = engine({ policy: { ...unmanaged, passphraseKeyFallback: false } });
    const outcome = await tessera.invoke('session.loginSso', {
      homeserver: sso.homeserver.baseUrl,
      storagePassphrase: 'a long passphrase',
    });
    expect(outcome).toMatchObject({ ok: false, error: { code: 'passphrase_fallback_not_allowed' } });
    expect(tessera.events.some((event) => event.name === 'browser.openRequested')).toBe(false);
  });
});

describe('tessera login --sso', () => {
  it('prints the address to open, and signs in once the browser comes back', async () => {
    const profileDir = mkdtempSync(join(tmpdir(), 'tessera-cli-sso-'));
    const username = newUsername();
    sso.identityProvider.signInNext(username);
    const stdout: string[] = [];
    const stderr: string[] = [];
    const run = (argv: string[]) =>
      runCli(
        parseCli(['--profile', profileDir, '--json', ...argv]),
        {
          stdout: (text) => stdout.push(text),
          stderr: (text) => stderr.push(text),
          readPassword: async () => undefined,
        },
        {
          profileDir,
          loadPolicy: async () => ({
            kind: 'loaded',
            policy: {},
            machine: {},
            user: {},
            locked: [],
            issues: [],
            sources: [],
          }),
        },
      );
    try {
      const exit = run(['login', '--homeserver', sso.homeserver.baseUrl, '--sso', '--idp', TEST_IDP_ID]);
      const address = await until(
        'the address to open',
        () => /^(https?:\/\/\S+\/login\/sso\/redirect\S*)$/m.exec(stderr.join(''))?.[1],
      );
      expect((await completeInBrowser(address)).status).toBe(200);
      expect(await exit).toBe(0);
      expect(JSON.parse(stdout.join(''))).toMatchObject({
        ok: true,
        session: { userId: userIdOf(username) },
      });
      stdout.length = 0;
      expect(await run(['logout'])).toBe(0);
    } finally {
      rmSync(profileDir, { recursive: true, force: true });
    }
  });
});

describe('signing in again with single sign-on after a soft logout', () => {
  // Its own Synapse whose refresh tokens live 8 s: a session away longer is soft-logged-out.
  let expiring: SsoHomeserver;

  beforeAll(async () => {
    expiring = await startSsoHomeserver({
      extraConfig: { refreshable_access_token_lifetime: '2s', refresh_token_lifetime: '8s' },
    });
  });

  afterAll(async () => {
    await expiring?.stop();
  });

  it('keeps the same device, and refuses another account', async () => {
    const username = newUsername();
    const userId = `@${username}:${expiring.homeserver.serverName}`;
    const tessera = engine();
    expiring.identityProvider.signInNext(username);
    const signingIn = tessera.invoke('session.loginSso', { homeserver: expiring.homeserver.baseUrl });
    expect((await completeInBrowser(await browserRequest(tessera, 1))).status).toBe(200);
    const first = await signingIn;
    expect(first).toMatchObject({ ok: true, value: { userId } });
    const deviceId = (first as { value: SessionView }).value.deviceId;

    // Away longer than the refresh token lives: the server now soft-logs the session out.
    await tessera.engine.shutdown();
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    const again = startEngine({ forceSyncV3: true, profileDir: tessera.profileDir });
    running.splice(running.indexOf(tessera), 1, again);
    const softLogout = async () => {
      const view = await again.invoke('session.get');
      const value = view.ok ? (view.value as SessionView | null) : null;
      return value?.storage.state === 'unavailable' && value.storage.error.code === 'soft_logout'
        ? value
        : undefined;
    };
    await until('the soft logout', softLogout);

    // Someone else at the identity provider: refused, and the session stays as it was.
    expiring.identityProvider.signInNext(newUsername());
    const wrong = again.invoke('session.reauthenticateSso', { identityProviderId: TEST_IDP_ID });
    expect((await completeInBrowser(await browserRequest(again, 1))).status).toBe(200);
    expect(await wrong).toMatchObject({ ok: false, error: { code: 'sso_failed' } });
    expect(await softLogout()).toMatchObject({ userId, deviceId });

    expiring.identityProvider.signInNext(username);
    const right = again.invoke('session.reauthenticateSso', { identityProviderId: TEST_IDP_ID });
    expect((await completeInBrowser(await browserRequest(again, 2))).status).toBe(200);
    expect(await right).toMatchObject({ ok: true, value: { userId, deviceId, storage: { state: 'open' } } });
    await until('sync after signing in again', () => (again.engine.syncState === 'live' ? true : undefined));
    const kinds = again.engine.session?.db.securityLog.entries().map((entry) => entry.kind) ?? [];
    expect(kinds).toEqual(expect.arrayContaining(['sign_in', 'soft_logout', 'reauthenticated']));
  }, 120_000);
});
