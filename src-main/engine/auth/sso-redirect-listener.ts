// The loopback redirect of single sign-on (RFC 8252 §7.3): a one-shot HTTP listener on
// 127.0.0.1 that the homeserver sends the browser back to with a login token. Loopback rather
// than a custom URI scheme, which another application could claim. The path carries a random
// state, so only the browser that went through this sign-in can deliver a token; neither the
// state nor the token is ever logged.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EngineError } from '../errors.ts';

export const SSO_TIMEOUT_MS = 5 * 60_000;
const MAX_LOGIN_TOKEN_LENGTH = 4096;

export interface SsoRedirectListener {
  /** Where the browser comes back: `http://127.0.0.1:<port>/sso/<state>`. A secret: never log it. */
  readonly redirectUrl: string;
  /** The login token of the first valid callback; rejects with sso_cancelled or sso_timed_out. */
  readonly loginToken: Promise<string>;
  /** Stops waiting: the listener closes and loginToken rejects with sso_cancelled. */
  cancel(): void;
  /** Resolves once the listener no longer accepts connections. */
  readonly closed: Promise<void>;
}

export interface SsoRedirectListenerOptions {
  timeoutMs?: number;
  log?: (level: 'debug' | 'info' | 'warn', message: string) => void;
}

const PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Signed in to Tessera</title></head>
<body>
<h1>You’re signed in to Tessera</h1>
<p>You can close this tab and go back to Tessera.</p>
</body>
</html>
`;

const NOT_FOUND = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Not found</title></head><body><p>Not found.</p></body></html>
`;

const INCOMPLETE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign-in incomplete</title></head>
<body><p>This sign-in link is incomplete. Go back to Tessera and try again.</p></body></html>
`;

/** Every answer is inert: no script, no subresource, not cached, no referrer to the next page. */
const PAGE_HEADERS = {
  'Content-Type': 'text/html; charset=utf-8',
  'Content-Security-Policy': "default-src 'none'",
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  Connection: 'close',
} as const;

export async function listenForSsoRedirect(
  options: SsoRedirectListenerOptions = {},
): Promise<SsoRedirectListener> {
  const log = options.log ?? (() => {});
  const state = randomBytes(32).toString('base64url');
  const expectedPath = Buffer.from(`/sso/${state}`);
  let settle: { resolve(token: string): void; reject(error: EngineError): void } | undefined;
  const loginToken = new Promise<string>((resolve, reject) => {
    settle = { resolve, reject };
  });
  // The caller may cancel before it awaits the token; the rejection is still delivered to it.
  loginToken.catch(() => undefined);

  let port = 0;
  let done = false;
  const deadline: { timer?: NodeJS.Timeout } = {};
  const server: Server = createServer((request, response) => {
    const token = done ? null : acceptedToken(request, expectedPath, port);
    if (token === null || token === undefined) {
      // Logged without its path or query: either may hold the state or a token.
      log('debug', `sso: the sign-in listener refused a ${request.method ?? ''} request`);
      answer(response, token === null ? 404 : 400, token === null ? NOT_FOUND : INCOMPLETE);
      return;
    }
    answer(response, 200, PAGE);
    response.once('finish', () => server.closeAllConnections());
    finish(() => settle?.resolve(token));
  });
  const closed = new Promise<void>((resolve) => server.once('close', () => resolve()));

  const finish = (deliver: () => void): void => {
    if (done) return;
    done = true;
    clearTimeout(deadline.timer);
    server.close();
    deliver();
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) =>
      reject(
        new EngineError('sso_failed', 'Tessera could not wait for your browser to sign in', { cause: error }),
      ),
    );
    server.listen(0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  deadline.timer = setTimeout(() => {
    finish(() =>
      settle?.reject(
        new EngineError('sso_timed_out', 'Signing in with single sign-on took too long; try again'),
      ),
    );
    server.closeAllConnections();
  }, options.timeoutMs ?? SSO_TIMEOUT_MS);

  return {
    redirectUrl: `http://127.0.0.1:${port}/sso/${state}`,
    loginToken,
    closed,
    cancel() {
      finish(() => settle?.reject(new EngineError('sso_cancelled', 'Single sign-on was cancelled')));
      server.closeAllConnections();
    },
  };
}

/**
 * The login token of a valid callback; null for a request that is not ours (404), undefined
 * for our path without a usable token (400).
 */
function acceptedToken(
  request: IncomingMessage,
  expectedPath: Buffer,
  port: number,
): string | null | undefined {
  if (request.method !== 'GET' || request.headers.host !== `127.0.0.1:${port}`) return null;
  let url: URL;
  try {
    url = new URL(request.url ?? '', `http://127.0.0.1:${port}`);
  } catch {
    return null;
  }
  const path = Buffer.from(url.pathname);
  // In constant time: the state is the secret that binds the browser to this sign-in.
  if (path.length !== expectedPath.length || !timingSafeEqual(path, expectedPath)) return null;
  const token = url.searchParams.get('loginToken');
  if (!token || token.length > MAX_LOGIN_TOKEN_LENGTH) return undefined;
  return token;
}

function answer(response: ServerResponse, status: number, body: string): void {
  response.writeHead(status, { ...PAGE_HEADERS, 'Content-Length': Buffer.byteLength(body) });
  response.end(body);
}
