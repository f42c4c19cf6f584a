// Refresh tokens in MatrixHttp: an expired access token is refreshed once for every request that
// met it, the new pair is stored before it is used, and a refused refresh ends the session the
// way the server's refusal of the access token says (soft logout or revoked).
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  AccessTokenRefresh,
  type RefreshedTokens,
} from '../../../src-main/engine/http/access-token-refresh.ts';
import { MatrixApiError } from '../../../src-main/engine/http/matrix-api-error.ts';
import { MatrixHttp } from '../../../src-main/engine/http/matrix-http.ts';

const ok = z.looseObject({ ok: z.literal(true) });

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

/**
 * A homeserver in a function: one valid access token at a time, refresh tokens that rotate, and a
 * journal of what happened in which order.
 */
class FakeServer {
  access = 'access-1';
  refresh = 'refresh-1';
  generation = 1;
  refreshCalls = 0;
  /** When set, /refresh answers this instead. */
  refreshAnswer: Response | undefined;
  /** How /refresh waits (to make requests meet one refresh under way). */
  refreshGate: Promise<void> = Promise.resolve();
  softLogout = true;
  readonly journal: string[] = [];

  readonly fetch: typeof fetch = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : input.toString());
    const headers = new Headers(init?.headers);
    if (url.pathname === '/_matrix/client/v3/refresh') {
      this.refreshCalls++;
      await this.refreshGate;
      if (this.refreshAnswer) return this.refreshAnswer.clone();
      const body = JSON.parse(String(init?.body)) as { refresh_token?: string };
      if (body.refresh_token !== this.refresh)
        return json(401, { errcode: 'M_UNKNOWN_TOKEN', error: 'Invalid refresh token' });
      this.generation++;
      this.access = `access-${this.generation}`;
      this.refresh = `refresh-${this.generation}`;
      this.journal.push(`refreshed to ${this.access}`);
      return json(200, { access_token: this.access, refresh_token: this.refresh, expires_in_ms: 300_000 });
    }
    const token = headers.get('authorization')?.replace(/^Bearer /, '');
    if (token !== this.access) {
      this.journal.push(`refused ${url.pathname}`);
      return json(401, { errcode: 'M_UNKNOWN_TOKEN', error: 'expired', soft_logout: this.softLogout });
    }
    this.journal.push(`served ${url.pathname} with ${token}`);
    return json(200, { ok: true });
  };
}

function client(
  server: FakeServer,
  options: {
    token?: string;
    expiresAt?: number | null;
    now?: () => number;
    persist?: (t: RefreshedTokens) => void;
  } = {},
) {
  const http = new MatrixHttp({
    baseUrl: new URL('https://hs.example'),
    accessToken: options.token ?? 'access-0',
    fetch: server.fetch,
    backoffBaseMs: 1,
  });
  const stored: RefreshedTokens[] = [];
  const logs: string[] = [];
  http.setTokenRenewal(
    new AccessTokenRefresh({
      http,
      refreshToken: server.refresh,
      accessTokenExpiresAt: options.expiresAt ?? null,
      persist:
        options.persist ??
        ((tokens) => {
          server.journal.push(`stored ${tokens.accessToken}`);
          stored.push(tokens);
        }),
      log: (_level, message) => logs.push(message),
      ...(options.now ? { now: options.now } : {}),
    }),
  );
  return { http, stored, logs };
}

describe('AccessTokenRefresh with MatrixHttp', () => {
  it('refreshes an expired token once for requests refused together, and replays each', async () => {
    const server = new FakeServer();
    let openGate: () => void = () => {};
    server.refreshGate = new Promise((resolve) => (openGate = resolve));
    const { http, stored } = client(server);
    const requests = ['/a', '/b', '/c'].map((path) => http.request('GET', path, { schema: ok }));
    // Let all three be refused before the refresh answers.
    await new Promise((resolve) => setTimeout(resolve, 20));
    openGate();
    await expect(Promise.all(requests)).resolves.toEqual([{ ok: true }, { ok: true }, { ok: true }]);
    expect(server.refreshCalls).toBe(1);
    expect(stored).toEqual([
      { accessToken: 'access-2', refreshToken: 'refresh-2', accessTokenExpiresAt: expect.any(Number) },
    ]);
    // A later request uses the new token straight away.
    await http.request('GET', '/d', { schema: ok });
    expect(server.journal.at(-1)).toBe('served /d with access-2');
  });

  it('stores the new pair before any request uses it', async () => {
    const server = new FakeServer();
    const { http } = client(server);
    await http.request('POST', '/send', { schema: ok, body: {} });
    expect(server.journal).toEqual([
      'refused /send',
      'refreshed to access-2',
      'stored access-2',
      'served /send with access-2',
    ]);
  });

  it('does not use a new pair it could not store', async () => {
    const server = new FakeServer();
    const { http } = client(server, {
      persist: () => {
        throw new Error('disk full');
      },
    });
    await expect(http.request('GET', '/a', { schema: ok })).rejects.toThrow('disk full');
    expect(server.journal.filter((line) => line.startsWith('served'))).toEqual([]);
  });

  it('hands the access token refusal on when the refresh token is refused (soft logout)', async () => {
    const server = new FakeServer();
    server.refreshAnswer = json(401, { errcode: 'M_UNKNOWN_TOKEN', error: 'Invalid refresh token' });
    const { http, stored } = client(server);
    const failure = await http.request('GET', '/sync', { schema: ok }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(MatrixApiError);
    expect(failure).toMatchObject({ status: 401, errcode: 'M_UNKNOWN_TOKEN', softLogout: true });
    expect(stored).toEqual([]);
    expect(server.refreshCalls).toBe(1);
  });

  it('a revoked device (no soft_logout) stays revoked after a refused refresh', async () => {
    const server = new FakeServer();
    server.softLogout = false;
    server.refreshAnswer = json(401, { errcode: 'M_UNKNOWN_TOKEN', error: 'gone' });
    const { http } = client(server);
    await expect(http.request('GET', '/sync', { schema: ok })).rejects.toMatchObject({
      status: 401,
      softLogout: false,
    });
  });

  it('refreshes at most once per request: a refusal of the fresh token surfaces', async () => {
    const server = new FakeServer();
    const realFetch = server.fetch;
    // The server refuses every access token, even fresh ones.
    const stubborn: typeof fetch = async (input, init) => {
      const response = await realFetch(input, init);
      if (String(input).includes('/refresh')) return response;
      return json(401, { errcode: 'M_UNKNOWN_TOKEN', error: 'no', soft_logout: true });
    };
    const http = new MatrixHttp({
      baseUrl: new URL('https://hs.example'),
      accessToken: 'access-0',
      fetch: stubborn,
    });
    http.setTokenRenewal(
      new AccessTokenRefresh({
        http,
        refreshToken: server.refresh,
        accessTokenExpiresAt: null,
        persist: () => {},
        log: () => {},
      }),
    );
    await expect(http.request('GET', '/a', { schema: ok })).rejects.toMatchObject({ status: 401 });
    expect(server.refreshCalls).toBe(1);
  });

  it('refreshes shortly before the token expires, without a refusal first', async () => {
    const server = new FakeServer();
    server.access = 'access-1';
    let clock = 1_000_000;
    const { http } = client(server, { token: 'access-1', expiresAt: clock + 100_000, now: () => clock });
    await http.request('GET', '/early', { schema: ok });
    expect(server.refreshCalls).toBe(0);
    clock += 95_000; // within the last fifth of its life
    await http.request('GET', '/late', { schema: ok });
    expect(server.refreshCalls).toBe(1);
    expect(server.journal).not.toContain('refused /late');
    expect(server.journal.at(-1)).toBe('served /late with access-2');
  });

  it('leaves unauthenticated requests and servers without refresh tokens alone', async () => {
    const server = new FakeServer();
    const http = new MatrixHttp({
      baseUrl: new URL('https://hs.example'),
      accessToken: 'access-0',
      fetch: server.fetch,
    });
    await expect(http.request('GET', '/a', { schema: ok })).rejects.toMatchObject({ status: 401 });
    expect(server.refreshCalls).toBe(0);
  });

  it('never logs a token', async () => {
    const server = new FakeServer();
    const { http, logs } = client(server);
    await http.request('GET', '/a', { schema: ok });
    expect(logs.join('\n')).not.toMatch(/access-|refresh-/);
  });
});
