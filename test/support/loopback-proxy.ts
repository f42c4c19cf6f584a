// Plumbing shared by the test proxies that stand between Tessera and Synapse on loopback: listen,
// read a request, forward it upstream, answer with JSON. Each proxy keeps its own mischief.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const SLIDING_SYNC_PATH = '/_matrix/client/unstable/org.matrix.simplified_msc3575/sync';
export const V3_SYNC_PATH = '/_matrix/client/v3/sync';

export function isSyncPath(path: string): boolean {
  return path === SLIDING_SYNC_PATH || path === V3_SYNC_PATH;
}

// Hop-by-hop and length headers: fetch sets its own.
const DROPPED_HEADERS = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive']);

/** Starts an HTTP server on a free loopback port; `handle` is read at each request. */
export async function listenOnLoopback(
  handle: () => ((request: IncomingMessage, response: ServerResponse) => Promise<void>) | undefined,
): Promise<{ server: Server; baseUrl: string }> {
  const server = createServer((request, response) => void handle()?.(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

export async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

export function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

/** Sends the request on to the real server, as the client sent it. */
export function forwardUpstream(
  target: string,
  request: IncomingMessage,
  url: URL,
  body: Buffer,
): Promise<Response> {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (DROPPED_HEADERS.has(name) || value === undefined) continue;
    headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  return fetch(`${target}${url.pathname}${url.search}`, {
    method: request.method ?? 'GET',
    headers,
    ...(body.length > 0 ? { body } : {}),
  });
}

export function replyJson(response: ServerResponse, status: number, body: string, retryAfter?: string): void {
  response.writeHead(status, {
    'content-type': 'application/json',
    ...(retryAfter !== undefined ? { 'retry-after': retryAfter } : {}),
  });
  response.end(body);
}

/** Synapse's own discovery document names Synapse: the client must be kept behind the proxy. */
export function wellKnownBehind(baseUrl: string): string {
  return JSON.stringify({ 'm.homeserver': { base_url: baseUrl } });
}
