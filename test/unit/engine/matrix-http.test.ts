// The HTTP client against a local server that misbehaves on purpose.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MatrixApiError } from '../../../src-main/engine/http/matrix-api-error.ts';
import { MatrixHttp, parseRetryAfter } from '../../../src-main/engine/http/matrix-http.ts';

let server: Server | undefined;

async function serve(
  handler: (request: IncomingMessage, response: ServerResponse, count: number) => void,
): Promise<MatrixHttp> {
  let count = 0;
  server = createServer((request, response) => handler(request, response, ++count));
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return new MatrixHttp({
    baseUrl: new URL(`http://127.0.0.1:${port}`),
    accessToken: 'secret-token',
    backoffBaseMs: 5,
  });
}

afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

const ok = z.object({ ok: z.literal(true) });

describe('MatrixHttp', () => {
  it('waits as 429 retry_after_ms says, then succeeds', async () => {
    const http = await serve((_request, response, count) => {
      response.writeHead(count === 1 ? 429 : 200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify(count === 1 ? { errcode: 'M_LIMIT_EXCEEDED', retry_after_ms: 20 } : { ok: true }),
      );
    });
    await expect(http.request('POST', '/x', { schema: ok, body: {} })).resolves.toEqual({ ok: true });
  });

  it('honours the Retry-After header, and surfaces a long wait as rate_limited', async () => {
    const http = await serve((_request, response) => {
      response.writeHead(429, { 'content-type': 'application/json', 'retry-after': '3600' });
      response.end(JSON.stringify({ errcode: 'M_LIMIT_EXCEEDED' }));
    });
    await expect(http.request('GET', '/x', { schema: ok })).rejects.toMatchObject({ code: 'rate_limited' });
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter(new Date(Date.now() + 5000).toUTCString())).toBeGreaterThan(3000);
    expect(parseRetryAfter('soon')).toBeUndefined();
  });

  it('retries an idempotent request after a 5xx', async () => {
    const flaky = await serve((_request, response, count) => {
      response.writeHead(count < 3 ? 502 : 200, { 'content-type': 'application/json' });
      response.end(count < 3 ? 'bad gateway' : JSON.stringify({ ok: true }));
    });
    await expect(flaky.request('GET', '/x', { schema: ok })).resolves.toEqual({ ok: true });
  });

  it('gives a typed error for a server error without retrying a POST', async () => {
    let requests = 0;
    const http = await serve((_request, response) => {
      requests++;
      response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ errcode: 'M_UNKNOWN', error: 'boom' }));
    });
    const error = await http
      .request('POST', '/x', { schema: ok, body: {} })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MatrixApiError);
    expect(error).toMatchObject({ status: 500, errcode: 'M_UNKNOWN' });
    expect(requests).toBe(1);
  });

  it('rejects a body that is not JSON, or of the wrong shape, as invalid_response', async () => {
    const http = await serve((request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(request.url === '/html' ? '<html>' : JSON.stringify({ ok: 'yes' }));
    });
    await expect(http.request('GET', '/html', { schema: ok, retries: 0 })).rejects.toMatchObject({
      code: 'invalid_response',
    });
    await expect(http.request('GET', '/shape', { schema: ok, retries: 0 })).rejects.toMatchObject({
      code: 'invalid_response',
    });
  });

  it('times out a request that never answers', async () => {
    const http = await serve(() => undefined);
    await expect(http.request('GET', '/x', { schema: ok, timeoutMs: 50, retries: 0 })).rejects.toMatchObject({
      code: 'timeout',
    });
  });

  it('sends the token only when asked, and never follows redirects', async () => {
    const seen: (string | undefined)[] = [];
    const http = await serve((request, response) => {
      seen.push(request.headers.authorization);
      if (request.url === '/redirect') {
        response.writeHead(302, { location: 'http://127.0.0.1:1/elsewhere' });
        response.end();
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ ok: true }));
    });
    await http.request('GET', '/a', { schema: ok });
    await http.request('GET', '/b', { schema: ok, authenticated: false });
    expect(seen).toEqual(['Bearer secret-token', undefined]);
    await expect(http.request('GET', '/redirect', { schema: ok, retries: 0 })).rejects.toMatchObject({
      code: 'unreachable',
    });
  });
});
