// A minimal OAuth 2.0 identity provider for single sign-on tests (Synapse's OIDC support without
// the `openid` scope: authorization code, token, userinfo; no ID token to sign). /authorize
// sends the browser straight back with a code for the user the test named beforehand
// (`signInNext`), or shows a one-field form when none was named (for a browser test to fill).
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TestIdentityProvider {
  /** http://127.0.0.1:<port> */
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** The next /authorize signs this user in at once (preferred_username, hence the Matrix localpart). */
  signInNext(username: string): void;
  /** Synapse's `oidc_providers` entry for this provider (its id becomes `oidc-<idpId>`). */
  synapseConfig(idpId: string, idpName: string): Record<string, unknown>;
  stop(): Promise<void>;
}

interface Grant {
  username: string;
  redirectUri: string;
}

export async function startTestIdentityProvider(): Promise<TestIdentityProvider> {
  const clientId = `tessera-test-${randomBytes(4).toString('hex')}`;
  const clientSecret = randomBytes(24).toString('base64url');
  const queued: string[] = [];
  const codes = new Map<string, Grant>();
  const accessTokens = new Map<string, string>();

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const params = request.method === 'POST' ? await formBody(request) : url.searchParams;
    switch (`${request.method} ${url.pathname}`) {
      case 'GET /authorize':
      case 'POST /authorize': {
        const redirectUri = params.get('redirect_uri');
        if (params.get('client_id') !== clientId || !redirectUri || params.get('response_type') !== 'code') {
          return send(response, 400, 'text/plain', 'bad authorization request');
        }
        const username = params.get('username') ?? queued.shift();
        if (username === undefined) return send(response, 200, 'text/html', signInForm(params));
        const code = randomBytes(16).toString('base64url');
        codes.set(code, { username, redirectUri });
        const back = new URL(redirectUri);
        back.searchParams.set('code', code);
        const state = params.get('state');
        if (state !== null) back.searchParams.set('state', state);
        response.writeHead(302, { location: back.href }).end();
        return;
      }
      case 'POST /token': {
        const code = params.get('code') ?? '';
        const grant = codes.get(code);
        codes.delete(code);
        if (
          params.get('grant_type') !== 'authorization_code' ||
          params.get('client_id') !== clientId ||
          params.get('client_secret') !== clientSecret ||
          !grant ||
          params.get('redirect_uri') !== grant.redirectUri
        ) {
          return send(response, 400, 'application/json', JSON.stringify({ error: 'invalid_grant' }));
        }
        const accessToken = randomBytes(16).toString('base64url');
        accessTokens.set(accessToken, grant.username);
        return send(
          response,
          200,
          'application/json',
          JSON.stringify({ access_token: accessToken, token_type: 'Bearer', expires_in: 300 }),
        );
      }
      case 'GET /userinfo': {
        const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
        const username = token === undefined ? undefined : accessTokens.get(token);
        if (username === undefined)
          return send(response, 401, 'application/json', '{"error":"invalid_token"}');
        return send(
          response,
          200,
          'application/json',
          JSON.stringify({ sub: `sub-${username}`, preferred_username: username, name: `Test ${username}` }),
        );
      }
      default:
        return send(response, 404, 'text/plain', 'not found');
    }
  };

  const server = createServer((request, response) => {
    handle(request, response).catch(() => send(response, 500, 'text/plain', 'error'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    issuer,
    clientId,
    clientSecret,
    signInNext: (username) => queued.push(username),
    synapseConfig: (idpId, idpName) => ({
      idp_id: idpId,
      idp_name: idpName,
      discover: false,
      // Loopback http: Synapse insists on https unless verification is skipped.
      skip_verification: true,
      issuer: `${issuer}/`,
      client_id: clientId,
      client_secret: clientSecret,
      client_auth_method: 'client_secret_post',
      // Without `openid` Synapse reads the user from /userinfo and needs no signed ID token.
      scopes: ['profile'],
      authorization_endpoint: `${issuer}/authorize`,
      token_endpoint: `${issuer}/token`,
      userinfo_endpoint: `${issuer}/userinfo`,
      user_mapping_provider: {
        config: {
          subject_claim: 'sub',
          localpart_template: '{{ user.preferred_username }}',
          display_name_template: '{{ user.name }}',
        },
      },
    }),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function signInForm(params: URLSearchParams): string {
  const hidden = ['client_id', 'redirect_uri', 'response_type', 'state', 'scope']
    .map((name) => [name, params.get(name)] as const)
    .filter((entry): entry is readonly [string, string] => entry[1] !== null)
    .map(([name, value]) => `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`)
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Test identity provider</title></head>
<body><main><h1>Test identity provider</h1><form method="post" action="/authorize">${hidden}
<label for="username">User name</label> <input id="username" name="username" required>
<button type="submit">Sign in</button></form></main></body></html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

async function formBody(request: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function send(response: ServerResponse, status: number, type: string, body: string): void {
  response.writeHead(status, { 'content-type': `${type}; charset=utf-8` }).end(body);
}
