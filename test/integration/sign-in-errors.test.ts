// Every way sign-in can go wrong gets a typed error and a plain message (issue 2's bad-input list).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ErrorView, InvokeOutcome } from '../../src-preload/contract.ts';
import { registerUser, type RegisteredUser } from '../homeserver/synapse.ts';
import { startEngine } from './engine-harness.ts';

const homeserver = inject('homeserver');
let alice: RegisteredUser;
const servers: Server[] = [];

function listen(server: Server): Promise<string> {
  servers.push(server);
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve(String((server.address() as AddressInfo).port))),
  );
}

async function closedPort(): Promise<number> {
  const probe = createNetServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

async function login(homeserverUrl: string, user: string, password: string): Promise<ErrorView> {
  const tessera = startEngine();
  const outcome: InvokeOutcome<unknown> = await tessera.invoke('session.login', {
    homeserver: homeserverUrl,
    user,
    password,
  });
  await tessera.dispose();
  if (outcome.ok) throw new Error('sign-in unexpectedly succeeded');
  expect(outcome.error.message).not.toContain(password);
  expect(await tessera.invoke('session.get')).toEqual({ ok: true, value: null });
  return outcome.error;
}

beforeAll(async () => {
  alice = await registerUser(homeserver);
});

afterAll(async () => {
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
});

describe('sign-in errors', () => {
  it('wrong password', async () => {
    const error = await login(homeserver.baseUrl, alice.localpart, `${alice.password}-wrong`);
    expect(error).toMatchObject({ code: 'invalid_credentials', field: 'password' });
    expect(error.message).toMatch(/user name or password is wrong/);
  });

  it('unknown user (same answer as a wrong password: no account enumeration)', async () => {
    const error = await login(homeserver.baseUrl, 'nobody-by-this-name', 'whatever-password');
    expect(error).toMatchObject({ code: 'invalid_credentials' });
  });

  it('a URL that is not a Matrix homeserver', async () => {
    const port = await listen(
      createHttpServer((_request, response) => {
        response.writeHead(200, { 'content-type': 'text/html' });
        response.end('<html><body>Just a web site</body></html>');
      }),
    );
    const error = await login(`http://127.0.0.1:${port}`, alice.localpart, alice.password);
    expect(error).toMatchObject({ code: 'not_a_homeserver', field: 'homeserver' });
    expect(error.message).toContain(`127.0.0.1:${port}`);
  });

  it('a server that answers /versions with JSON of the wrong shape', async () => {
    const port = await listen(
      createHttpServer((_request, response) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ versions: 'r0.6.1' }));
      }),
    );
    expect(await login(`http://127.0.0.1:${port}`, alice.localpart, alice.password)).toMatchObject({
      code: 'not_a_homeserver',
    });
  });

  it('an unreachable host', async () => {
    const port = await closedPort();
    const error = await login(`http://127.0.0.1:${port}`, alice.localpart, alice.password);
    expect(error.code).toBe('unreachable');
    expect(error.message).toMatch(/cannot reach 127\.0\.0\.1:\d+/);
  });

  it('a TLS failure: a self-signed certificate is refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-tls-'));
    try {
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:prime256v1',
          '-nodes',
          '-keyout',
          join(dir, 'key.pem'),
          '-out',
          join(dir, 'cert.pem'),
          '-days',
          '1',
          '-subj',
          '/CN=127.0.0.1',
        ],
        { stdio: 'ignore' },
      );
      const server = createHttpsServer(
        { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) },
        (_request, response) => {
          response.writeHead(200, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ versions: ['v1.11'] }));
        },
      );
      const port = await listen(server);
      const error = await login(`https://127.0.0.1:${port}`, alice.localpart, alice.password);
      expect(error.code).toBe('tls_failure');
      expect(error.message).toMatch(/certificate/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a TLS failure: https to a server that answers in plain HTTP', async () => {
    const plain = createNetServer((socket) => {
      socket.once('data', () => socket.end('HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n'));
    });
    await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', () => resolve()));
    try {
      const { port } = plain.address() as AddressInfo;
      expect((await login(`https://127.0.0.1:${port}`, alice.localpart, alice.password)).code).toBe(
        'tls_failure',
      );
    } finally {
      await new Promise((resolve) => plain.close(resolve));
    }
  });

  it.each([
    ['@alice', /no server name/],
    ['@:example.org', /empty/],
    ['@alice:exa mple.org', /server name is not valid/],
    ['@al ice:example.org', /characters/],
    ['alice bob', /characters/],
  ])('an invalid user id %s', async (user, why) => {
    const error = await login(homeserver.baseUrl, user, 'irrelevant-password');
    expect(error).toMatchObject({ code: 'invalid_user_id', field: 'user' });
    expect(error.message).toMatch(why);
  });

  it('plain http to a host other than this computer is refused before any request', async () => {
    const error = await login('http://matrix.example.org', alice.localpart, alice.password);
    expect(error).toMatchObject({ code: 'invalid_homeserver_url', field: 'homeserver' });
  });

  it('a homeserver address that cannot be parsed, or uses another scheme', async () => {
    expect(await login('https://', alice.localpart, alice.password)).toMatchObject({
      code: 'invalid_homeserver_url',
    });
    expect(await login('ftp://example.org', alice.localpart, alice.password)).toMatchObject({
      code: 'invalid_homeserver_url',
    });
    expect(await login('not a server', alice.localpart, alice.password)).toMatchObject({
      code: 'invalid_homeserver_url',
    });
  });

  it('a localpart with no homeserver', async () => {
    expect(await login('', alice.localpart, alice.password)).toMatchObject({
      code: 'invalid_homeserver_url',
      field: 'homeserver',
    });
  });
});
