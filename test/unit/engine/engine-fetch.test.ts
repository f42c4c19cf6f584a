// The engine's fetch against a loopback HTTPS server with a self-signed certificate (made with
// openssl for this run): a pinned host must show a pinned key, an unpinned host is not affected,
// and pins never loosen the normal verification. The test trusts its certificate through the
// fetch's `ca` option, which only tests use.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { discoverHomeserver } from '../../../src-main/engine/auth/discovery.ts';
import { EngineError } from '../../../src-main/engine/errors.ts';
import { certificatePin, type CertificatePins } from '../../../src-main/engine/http/certificate-pins.ts';
import { createEngineFetch } from '../../../src-main/engine/http/engine-fetch.ts';
import { selfSignedLocalhostCertificate } from '../../support/self-signed-certificate.ts';
import { MatrixHttp } from '../../../src-main/engine/http/matrix-http.ts';
import { MatrixApiError } from '../../../src-main/engine/http/matrix-api-error.ts';
import { mediaFetcherFor } from '../../../src-main/engine/media/session-media.ts';
import type { AccountSession } from '../../../src-main/engine/account/account-session.ts';

const wrongPin = `sha256/${Buffer.alloc(32, 7).toString('base64')}`;
const versionsSchema = z.object({ versions: z.array(z.string()) });

let server: Server;
let certificate: string;
let baseUrl: URL;
let requests = 0;

beforeAll(async () => {
  const made = selfSignedLocalhostCertificate();
  certificate = made.certificate;
  server = createServer({ key: made.key, cert: certificate }, (request, response) => {
    requests++;
    response.setHeader('content-type', 'application/json');
    if (request.url === '/_matrix/client/versions') {
      response.end(JSON.stringify({ versions: ['v1.11'] }));
    } else {
      response.statusCode = 404;
      response.end(JSON.stringify({ errcode: 'M_NOT_FOUND', error: 'no' }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = new URL(`https://localhost:${(server.address() as AddressInfo).port}`);
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function versions(fetch: typeof globalThis.fetch): Promise<unknown> {
  return new MatrixHttp({ baseUrl, fetch }).request('GET', '/_matrix/client/versions', {
    schema: versionsSchema,
    authenticated: false,
    retries: 0,
  });
}

async function failure(promise: Promise<unknown>): Promise<EngineError> {
  const error: unknown = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(EngineError);
  return error as EngineError;
}

describe('the engine fetch with certificate pins', () => {
  it('connects to a pinned host that shows a pinned key', async () => {
    const fetch = createEngineFetch(
      { localhost: [wrongPin, certificatePin(certificate)] },
      { ca: certificate },
    );
    await expect(versions(fetch)).resolves.toEqual({ versions: ['v1.11'] });
  });

  it('refuses a pinned host whose key is not pinned, as tls_failure naming the host', async () => {
    const before = requests;
    const fetch = createEngineFetch({ localhost: [wrongPin] }, { ca: certificate });
    const error = await failure(versions(fetch));
    expect(error.code).toBe('tls_failure');
    expect(error.message).toContain(baseUrl.host);
    expect(error.message).toMatch(/policy/);
    expect(error.message).not.toContain(wrongPin);
    // The request never reached the server: nothing was sent over the refused connection.
    expect(requests).toBe(before);
  });

  it('checks every new connection, not only the first (no resumed TLS sessions)', async () => {
    const fetch = createEngineFetch({ localhost: [wrongPin] }, { ca: certificate });
    for (let attempt = 0; attempt < 3; attempt++) {
      expect((await failure(versions(fetch))).code).toBe('tls_failure');
    }
  });

  it('leaves hosts without pins to the normal verification', async () => {
    const fetch = createEngineFetch({ 'matrix.example.org': [wrongPin] }, { ca: certificate });
    await expect(versions(fetch)).resolves.toEqual({ versions: ['v1.11'] });
    // Other answers pass through as before.
    await expect(
      new MatrixHttp({ baseUrl, fetch }).request('GET', '/missing', {
        schema: versionsSchema,
        authenticated: false,
        retries: 0,
      }),
    ).rejects.toBeInstanceOf(MatrixApiError);
  });

  it('never loosens the normal verification: a right pin on an untrusted certificate is refused', async () => {
    const fetch = createEngineFetch({ localhost: [certificatePin(certificate)] });
    expect((await failure(versions(fetch))).code).toBe('tls_failure');
  });

  it('refuses the pinned host during discovery as tls_failure', async () => {
    const fetch = createEngineFetch({ localhost: [wrongPin] }, { ca: certificate });
    const error = await failure(discoverHomeserver(baseUrl.href, undefined, { fetch }));
    expect(error.code).toBe('tls_failure');
    await expect(
      discoverHomeserver(baseUrl.href, undefined, {
        fetch: createEngineFetch({ localhost: [certificatePin(certificate)] }, { ca: certificate }),
      }),
    ).resolves.toMatchObject({ versions: ['v1.11'] });
  });

  it('downloads media through the session fetch, so pins hold for media too', async () => {
    const before = requests;
    const http = new MatrixHttp({
      baseUrl,
      fetch: createEngineFetch({ localhost: [wrongPin] }, { ca: certificate }),
    });
    const session = {
      http,
      db: { session: { get: () => ({ accessToken: 'token' }) } },
    } as unknown as Pick<AccountSession, 'db' | 'http'>;
    const log = vi.fn();
    const result = await mediaFetcherFor(session, log).fetch({
      kind: 'content',
      serverName: 'localhost',
      mediaId: 'abc',
    });
    expect(result).toEqual({ ok: false, reason: 'unavailable' });
    expect(requests).toBe(before);
  });

  it('is the global fetch, looked up on each call, when there are no pins', async () => {
    const noPins: (CertificatePins | undefined)[] = [undefined, {}, { localhost: [] }];
    for (const pins of noPins) {
      const stub = vi.fn(async () => new Response('{"versions":["v1"]}'));
      vi.stubGlobal('fetch', stub);
      try {
        await expect(versions(createEngineFetch(pins))).resolves.toEqual({ versions: ['v1'] });
        expect(stub).toHaveBeenCalledOnce();
      } finally {
        vi.unstubAllGlobals();
      }
    }
  });
});

describe('pins on a certificate chain', () => {
  let chainServer: Server;
  let caCertificate = '';
  let leafCertificate = '';
  let chainUrl: URL;

  beforeAll(async () => {
    const folder = mkdtempSync(path.join(os.tmpdir(), 'tessera-pin-chain-'));
    const file = (name: string) => path.join(folder, name);
    const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });
    const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
    try {
      openssl(
        'req',
        '-x509',
        ...ecKey,
        '-keyout',
        file('ca.key'),
        '-out',
        file('ca.pem'),
        '-days',
        '2',
        '-subj',
        '/CN=Tessera Pin Test CA',
      );
      openssl(
        'req',
        '-new',
        ...ecKey,
        '-keyout',
        file('leaf.key'),
        '-out',
        file('leaf.csr'),
        '-subj',
        '/CN=localhost',
      );
      writeFileSync(file('leaf.ext'), 'subjectAltName=DNS:localhost\n');
      openssl(
        'x509',
        '-req',
        '-in',
        file('leaf.csr'),
        '-CA',
        file('ca.pem'),
        '-CAkey',
        file('ca.key'),
        '-CAcreateserial',
        '-out',
        file('leaf.pem'),
        '-days',
        '2',
        '-extfile',
        file('leaf.ext'),
      );
      caCertificate = readFileSync(file('ca.pem'), 'utf8');
      leafCertificate = readFileSync(file('leaf.pem'), 'utf8');
      chainServer = createServer(
        { key: readFileSync(file('leaf.key'), 'utf8'), cert: leafCertificate },
        (_request, response) => {
          response.setHeader('content-type', 'application/json');
          response.end(JSON.stringify({ versions: ['v1.11'] }));
        },
      );
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
    await new Promise<void>((resolve) => chainServer.listen(0, '127.0.0.1', resolve));
    chainUrl = new URL(`https://localhost:${(chainServer.address() as AddressInfo).port}`);
  });

  afterAll(async () => {
    chainServer.closeAllConnections();
    await new Promise((resolve) => chainServer.close(resolve));
  });

  const chainVersions = (fetch: typeof globalThis.fetch) =>
    new MatrixHttp({ baseUrl: chainUrl, fetch }).request('GET', '/_matrix/client/versions', {
      schema: versionsSchema,
      authenticated: false,
      retries: 0,
    });

  it('accepts a pin of the issuing CA, as of the leaf', async () => {
    for (const pinned of [caCertificate, leafCertificate]) {
      const fetch = createEngineFetch({ localhost: [certificatePin(pinned)] }, { ca: caCertificate });
      await expect(chainVersions(fetch)).resolves.toEqual({ versions: ['v1.11'] });
    }
  });

  it('refuses the chain when neither its leaf nor its CA is pinned', async () => {
    const fetch = createEngineFetch({ localhost: [certificatePin(certificate)] }, { ca: caCertificate });
    expect((await failure(chainVersions(fetch))).code).toBe('tls_failure');
  });
});
