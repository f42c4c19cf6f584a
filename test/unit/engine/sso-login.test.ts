// Single sign-on's server side in the engine: reading GET /login (providers, bad JSON), the
// redirect URL, the checks before a browser opens, and the m.login.token exchange's errors.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { fetchLoginFlows, GENERIC_SSO } from '../../../src-main/engine/auth/sign-in-options.ts';
import { checkSsoOffered, ssoRedirectUrl, tokenLogin } from '../../../src-main/engine/auth/sso-login.ts';
import { SsoBrowserSignIn } from '../../../src-main/engine/auth/sso-browser-sign-in.ts';
import { EngineError } from '../../../src-main/engine/errors.ts';
import { MatrixHttp } from '../../../src-main/engine/http/matrix-http.ts';

let server: Server | undefined;

async function serve(status: number, body: unknown, seen?: (request: unknown) => void): Promise<MatrixHttp> {
  server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (chunks.length > 0) seen?.(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(typeof body === 'string' ? body : JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return new MatrixHttp({ baseUrl: new URL(`http://127.0.0.1:${port}`), backoffBaseMs: 5 });
}

async function stopServer(): Promise<void> {
  const running = server;
  server = undefined;
  if (!running) return;
  running.closeAllConnections();
  await new Promise((resolve) => running.close(resolve));
}

afterEach(stopServer);

async function codeOf(run: Promise<unknown> | (() => unknown)): Promise<string | null> {
  try {
    await (typeof run === 'function' ? run() : run);
    return null;
  } catch (error) {
    if (error instanceof EngineError) return error.code;
    throw error;
  }
}

describe('fetchLoginFlows', () => {
  it('reads the password and the identity providers, without their icons', async () => {
    const http = await serve(200, {
      flows: [
        { type: 'm.login.password' },
        {
          type: 'm.login.sso',
          identity_providers: [
            { id: 'oidc-corp', name: 'Corp', icon: 'mxc://example.org/icon' },
            { id: 'github', name: 'GitHub', brand: 'github' },
          ],
        },
        { type: 'm.login.token' },
      ],
    });
    expect(await fetchLoginFlows(http)).toEqual({
      password: true,
      identityProviders: [
        { id: 'oidc-corp', name: 'Corp', brand: null },
        { id: 'github', name: 'GitHub', brand: 'github' },
      ],
    });
  });

  it('offers one generic entry when m.login.sso lists no providers', async () => {
    const http = await serve(200, { flows: [{ type: 'm.login.sso' }] });
    expect(await fetchLoginFlows(http)).toEqual({ password: false, identityProviders: [GENERIC_SSO] });
  });

  it('leaves out providers of the wrong shape or repeated, and says when there is no SSO', async () => {
    const http = await serve(200, {
      flows: [
        {
          type: 'm.login.sso',
          identity_providers: [
            { id: 'bad/id', name: 'Path' },
            { id: 'no-name' },
            { id: 42, name: 'Number' },
            'text',
            { id: 'ok', name: 'Fine' },
            { id: 'ok', name: 'Again' },
          ],
        },
      ],
    });
    expect((await fetchLoginFlows(http)).identityProviders).toEqual([
      { id: 'ok', name: 'Fine', brand: null },
    ]);
    await stopServer();
    const passwordOnly = await serve(200, { flows: [{ type: 'm.login.password' }] });
    expect(await fetchLoginFlows(passwordOnly)).toEqual({ password: true, identityProviders: null });
  });

  it.each([
    ['no flows', { versions: [] }],
    ['flows that are not a list', { flows: 'm.login.sso' }],
    ['a flow without a type', { flows: [{ identity_providers: [] }] }],
    ['text that is not JSON', 'not json'],
  ])('refuses %s with invalid_response', async (_label, body) => {
    const http = await serve(200, body);
    expect(await codeOf(fetchLoginFlows(http))).toBe('invalid_response');
  });
});

describe('checkSsoOffered', () => {
  const flows = { password: true, identityProviders: [{ id: 'oidc-corp', name: 'Corp', brand: null }] };

  it('allows a listed provider and the server’s own choice', async () => {
    expect(await codeOf(() => checkSsoOffered('hs', flows, 'oidc-corp'))).toBeNull();
    expect(await codeOf(() => checkSsoOffered('hs', flows, null))).toBeNull();
  });

  it('refuses a server without SSO and a provider it does not list', async () => {
    expect(await codeOf(() => checkSsoOffered('hs', { password: true, identityProviders: null }, null))).toBe(
      'sso_unsupported',
    );
    expect(await codeOf(() => checkSsoOffered('hs', flows, 'oidc-other'))).toBe('sso_unsupported');
  });
});

describe('ssoRedirectUrl', () => {
  it('names the provider and carries the loopback address as redirectUrl', () => {
    const url = ssoRedirectUrl(
      new URL('https://hs.example.org/'),
      'http://127.0.0.1:5000/sso/abc',
      'oidc-corp',
    );
    expect(url.href).toBe(
      'https://hs.example.org/_matrix/client/v3/login/sso/redirect/oidc-corp?redirectUrl=http%3A%2F%2F127.0.0.1%3A5000%2Fsso%2Fabc',
    );
  });

  it('keeps a base URL’s path and leaves the provider out for the server’s choice', () => {
    const url = ssoRedirectUrl(new URL('https://example.org/matrix/'), 'http://127.0.0.1:1/sso/x', null);
    expect(url.origin + url.pathname).toBe('https://example.org/matrix/_matrix/client/v3/login/sso/redirect');
  });
});

describe('tokenLogin', () => {
  const answer = {
    user_id: '@carol:hs',
    device_id: 'DEV',
    access_token: 'syt_access',
    refresh_token: 'syr_r',
  };

  it('sends m.login.token as a new device, asking for a refresh token', async () => {
    let body: unknown;
    const http = await serve(200, answer, (seen) => (body = seen));
    expect(await tokenLogin(http, 'syl_token')).toEqual({
      userId: '@carol:hs',
      deviceId: 'DEV',
      accessToken: 'syt_access',
      refreshToken: 'syr_r',
    });
    expect(body).toEqual({
      type: 'm.login.token',
      token: 'syl_token',
      initial_device_display_name: 'Tessera',
      refresh_token: true,
    });
  });

  it('signs the same device in again after a soft logout', async () => {
    let body: unknown;
    const http = await serve(200, answer, (seen) => (body = seen));
    await tokenLogin(http, 'syl_token', { deviceId: 'DEV' });
    expect(body).toEqual({
      type: 'm.login.token',
      token: 'syl_token',
      device_id: 'DEV',
      refresh_token: true,
    });
  });

  it.each([
    [403, { errcode: 'M_FORBIDDEN', error: 'Invalid login token' }, 'sso_failed'],
    [400, { errcode: 'M_UNKNOWN', error: 'bad' }, 'sso_failed'],
    [403, { errcode: 'M_USER_DEACTIVATED', error: 'gone' }, 'user_deactivated'],
    [500, { errcode: 'M_UNKNOWN', error: 'oops' }, 'server_error'],
    [200, { user_id: '@carol:hs' }, 'invalid_response'],
  ])('maps %i %j to %s, never naming the token', async (status, body, code) => {
    const http = await serve(status, body);
    try {
      await tokenLogin(http, 'syl_secret_token');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(EngineError);
      expect((error as EngineError).code).toBe(code);
      expect((error as EngineError).message).not.toContain('syl_secret_token');
    }
  });
});

describe('SsoBrowserSignIn', () => {
  it('allows one attempt at a time and frees the slot at its end', async () => {
    const sso = new SsoBrowserSignIn({ openBrowser: () => {}, log: () => {} });
    const attempt = sso.begin();
    expect(await codeOf(() => sso.begin())).toBe('sso_in_progress');
    attempt.end();
    sso.begin().end();
  });

  it('cancels an attempt before its browser opens: nothing is opened', async () => {
    const opened: string[] = [];
    const sso = new SsoBrowserSignIn({ openBrowser: (url) => opened.push(url), log: () => {} });
    const attempt = sso.begin();
    sso.cancel();
    expect(await codeOf(attempt.loginToken(new URL('https://hs.example.org/'), null))).toBe('sso_cancelled');
    attempt.end();
    expect(opened).toEqual([]);
  });

  it('opens the homeserver’s page and cancels the wait', async () => {
    const opened: string[] = [];
    const sso = new SsoBrowserSignIn({ openBrowser: (url) => opened.push(url), log: () => {} });
    const attempt = sso.begin();
    const token = attempt.loginToken(new URL('https://hs.example.org/'), 'oidc-corp');
    await new Promise((resolve) => setImmediate(resolve));
    while (opened.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(opened[0]).toMatch(
      /^https:\/\/hs\.example\.org\/_matrix\/client\/v3\/login\/sso\/redirect\/oidc-corp\?redirectUrl=http%3A%2F%2F127\.0\.0\.1%3A\d+%2Fsso%2F/,
    );
    sso.cancel();
    expect(await codeOf(token)).toBe('sso_cancelled');
    attempt.end();
    expect(sso.waiting).toBe(false);
  });
});
