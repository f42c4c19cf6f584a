// The loopback listener of single sign-on: only GET of its exact path with a login token, once;
// everything else is refused without logging the path or query; cancel and timeout close it.
import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import {
  listenForSsoRedirect,
  type SsoRedirectListener,
} from '../../../src-main/engine/auth/sso-redirect-listener.ts';
import { EngineError } from '../../../src-main/engine/errors.ts';

const open: SsoRedirectListener[] = [];
const logs: string[] = [];

async function listen(timeoutMs?: number): Promise<SsoRedirectListener> {
  const listener = await listenForSsoRedirect({
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    log: (level, message) => logs.push(`${level} ${message}`),
  });
  open.push(listener);
  return listener;
}

afterEach(async () => {
  for (const listener of open.splice(0)) {
    listener.cancel();
    await listener.closed;
  }
  logs.length = 0;
});

async function codeOf(promise: Promise<unknown>): Promise<string | null> {
  try {
    await promise;
    return null;
  } catch (error) {
    if (error instanceof EngineError) return error.code;
    throw error;
  }
}

/** A raw request, so the method and the Host header can be anything. */
function send(
  url: URL,
  options: { method?: string; host?: string } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      url,
      { method: options.method ?? 'GET', ...(options.host ? { headers: { host: options.host } } : {}) },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    outgoing.on('error', reject);
    outgoing.end();
  });
}

function withToken(listener: SsoRedirectListener, token: string): URL {
  const url = new URL(listener.redirectUrl);
  url.searchParams.set('loginToken', token);
  return url;
}

/** Whether the token is still awaited (no callback accepted, not cancelled). */
async function stillWaiting(listener: SsoRedirectListener): Promise<boolean> {
  const marker = Symbol('waiting');
  const outcome = await Promise.race([
    listener.loginToken.then(
      () => 'resolved',
      () => 'rejected',
    ),
    new Promise((resolve) => setImmediate(() => resolve(marker))),
  ]);
  return outcome === marker;
}

describe('the single sign-on loopback listener', () => {
  it('listens on 127.0.0.1 with a path of 32 random bytes', async () => {
    const listener = await listen();
    const url = new URL(listener.redirectUrl);
    expect(url.protocol).toBe('http:');
    expect(url.hostname).toBe('127.0.0.1');
    expect(url.pathname).toMatch(/^\/sso\/[A-Za-z0-9_-]{43}$/);
    const other = await listen();
    expect(new URL(other.redirectUrl).pathname).not.toBe(url.pathname);
  });

  it('accepts the first valid callback with an inert page, then closes', async () => {
    const listener = await listen();
    const answer = await send(withToken(listener, 'syt_the-login-token'));
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('signed in to Tessera');
    expect(answer.body).not.toContain('<script');
    expect(answer.headers['content-security-policy']).toBe("default-src 'none'");
    expect(answer.headers['referrer-policy']).toBe('no-referrer');
    expect(answer.headers['cache-control']).toBe('no-store');
    expect(answer.headers['content-type']).toBe('text/html; charset=utf-8');
    await expect(listener.loginToken).resolves.toBe('syt_the-login-token');
    await listener.closed;
    // A second callback finds nobody listening.
    await expect(send(withToken(listener, 'syt_another'))).rejects.toThrow();
  });

  it.each([
    ['the root', (url: URL) => new URL('/?loginToken=t', url)],
    ['another path', (url: URL) => new URL('/login?loginToken=t', url)],
    ['a longer path', (url: URL) => new URL(`${url.pathname}/more?loginToken=t`, url)],
    ['a wrong state of the same length', (url: URL) => new URL(`/sso/${'A'.repeat(43)}?loginToken=t`, url)],
    [
      'an encoded path',
      (url: URL) => new URL(`${url.pathname.replace('/sso/', '/sso%2F')}?loginToken=t`, url),
    ],
  ])('refuses %s with 404 and keeps waiting', async (_label, target) => {
    const listener = await listen();
    const answer = await send(target(new URL(listener.redirectUrl)));
    expect(answer.status).toBe(404);
    expect(answer.headers['content-security-policy']).toBe("default-src 'none'");
    expect(await stillWaiting(listener)).toBe(true);
  });

  it('refuses another method and another Host with 404', async () => {
    const listener = await listen();
    expect((await send(withToken(listener, 't'), { method: 'POST' })).status).toBe(404);
    expect((await send(withToken(listener, 't'), { host: 'evil.example' })).status).toBe(404);
    expect(await stillWaiting(listener)).toBe(true);
  });

  it('answers its path without a token with 400 and keeps waiting', async () => {
    const listener = await listen();
    expect((await send(new URL(listener.redirectUrl))).status).toBe(400);
    expect((await send(withToken(listener, ''))).status).toBe(400);
    expect((await send(withToken(listener, 'x'.repeat(5000)))).status).toBe(400);
    expect(await stillWaiting(listener)).toBe(true);
    // The right callback still works afterwards.
    await send(withToken(listener, 'syt_after'));
    await expect(listener.loginToken).resolves.toBe('syt_after');
  });

  it('fails with sso_cancelled on cancel and closes', async () => {
    const listener = await listen();
    listener.cancel();
    expect(await codeOf(listener.loginToken)).toBe('sso_cancelled');
    await listener.closed;
    await expect(send(withToken(listener, 'late'))).rejects.toThrow();
  });

  it('fails with sso_timed_out after its timeout and closes', async () => {
    const listener = await listen(20);
    expect(await codeOf(listener.loginToken)).toBe('sso_timed_out');
    await listener.closed;
  });

  it('never logs the login token or the state', async () => {
    const listener = await listen();
    const state = new URL(listener.redirectUrl).pathname.slice('/sso/'.length);
    await send(new URL(`/elsewhere?loginToken=syt_secret-one&state=${state}`, listener.redirectUrl));
    await send(new URL(listener.redirectUrl));
    await send(withToken(listener, 'syt_secret-two'));
    await listener.loginToken;
    expect(logs.length).toBeGreaterThan(0);
    const logged = logs.join('\n');
    expect(logged).not.toContain('syt_secret');
    expect(logged).not.toContain(state);
  });
});
