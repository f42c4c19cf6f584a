// The e2e harness (DESIGN.md §6): serves the built renderer over loopback HTTP and gives the
// page a `window.tessera` whose calls travel over a token-authenticated WebSocket to the real
// IpcRouter and EngineHost. Test and development tooling only; never packaged.
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, WebSocket, type RawData } from 'ws';
import { commandNames, eventNames } from '../../src-preload/contract.ts';
import { contentSecurityPolicy } from '../../src-main/content-security-policy.ts';
import { EngineHost } from '../../src-main/engine-host.ts';
import { IpcRouter } from '../../src-main/ipc-router.ts';
import { checkSignInPageUrl } from '../../src-main/sso-browser.ts';
import type { EngineLogLevel, EngineOptions } from '../../src-main/engine/protocol.ts';
import { PageTokens } from './page-tokens.ts';
import { StaticSite } from './static-site.ts';
import { closeCodes, parsePageRequest, type ServerMessage } from './wire.ts';

export interface HarnessOptions {
  /** The built renderer, normally dist/renderer. */
  rendererDir: string;
  /** The account profile folder the engine keeps its data in; kept when the harness stops. */
  profileDir: string;
  engineOptions?: Omit<EngineOptions, 'profileDir'>;
  /**
   * Extra environment for the engine worker's `process.env`. Native code (the OS keychain)
   * reads the process environment, which a worker cannot change: harness-process.ts starts
   * the whole harness in a child process with this environment for that.
   */
  workerEnv?: Record<string, string>;
  /** The engine worker entry; the TypeScript source by default (Node 24 runs it directly). */
  workerUrl?: URL | string;
  /** Engine and harness log lines; warnings and errors go to stderr when omitted. */
  onLog?: (level: EngineLogLevel, message: string) => void;
  /**
   * A single sign-on page the engine asks to open (browser.openRequested), checked as main
   * checks it; a test opens it in a browser page. Never forwarded to the page, like in main.
   */
  onBrowserOpen?: (url: string) => void;
}

export interface Harness {
  /** The page URL for the first page load (carries a fresh one-time token). */
  url: string;
  origin: string;
  /** A page URL with a new token; each page load needs its own. */
  newPageUrl(): string;
  stop(): Promise<void>;
}

const defaultWorkerUrl = new URL('../../src-main/engine/worker.ts', import.meta.url);
const bridgeScriptUrl = new URL('./bridge.js', import.meta.url);
const bridgePath = '/__harness/bridge.js';
const socketPath = '/__harness/ws';
const authTimeoutMs = 10_000;
const maxMessageBytes = 256 * 1024;

function defaultLog(level: EngineLogLevel, message: string): void {
  if (level === 'warn' || level === 'error') process.stderr.write(`[harness ${level}] ${message}\n`);
}

/** The app's CSP, with the one connection the bridge needs. */
function harnessPolicy(socketOrigin: string): string {
  return contentSecurityPolicy
    .split(';')
    .map((directive) => directive.trim())
    .map((directive) => (directive.startsWith('connect-src ') ? `connect-src ${socketOrigin}` : directive))
    .join('; ');
}

/** Loads the bridge before the app's module script, so window.tessera exists when the app starts. */
function withBridge(indexHtml: string): string {
  const moduleScript = indexHtml.indexOf('<script type="module"');
  if (moduleScript === -1) throw new Error('The built index.html has no module script');
  const tag = `<script src="${bridgePath}"></script>\n    `;
  return indexHtml.slice(0, moduleScript) + tag + indexHtml.slice(moduleScript);
}

/** One page's socket. Trusted by the router only after it presented a valid token. */
class PageSession {
  readonly socket: WebSocket;
  authenticated = false;

  constructor(socket: WebSocket) {
    this.socket = socket;
  }

  send(message: ServerMessage): void {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }
}

export async function startHarness(options: HarnessOptions): Promise<Harness> {
  const log = options.onLog ?? defaultLog;
  const site = await StaticSite.open(options.rendererDir);
  const bridgeScript = await readFile(bridgeScriptUrl);
  const tokens = new PageTokens();
  const sessions = new Set<PageSession>();

  const engine = await EngineHost.start({
    workerUrl: options.workerUrl ?? defaultWorkerUrl,
    engineOptions: { ...options.engineOptions, profileDir: options.profileDir },
    ...(options.workerEnv ? { env: { ...inheritedEnv(), ...options.workerEnv } } : {}),
    onEvent: (name, payload) => {
      if (name === 'browser.openRequested') {
        const verdict = checkSignInPageUrl((payload as { url?: unknown }).url);
        if (verdict.allowed) options.onBrowserOpen?.(verdict.url);
        else log('warn', `refused to open a sign-in page (${verdict.reason})`);
        return;
      }
      // Main shows notifications itself; their text never reaches the page (main-process.ts).
      if (name === 'notification.show') return;
      for (const session of sessions) {
        if (session.authenticated) session.send({ kind: 'event', name, payload });
      }
    },
    onLog: log,
  });

  const router = new IpcRouter<PageSession>({
    isTrustedSender: (session) =>
      session.authenticated && sessions.has(session) && session.socket.readyState === WebSocket.OPEN,
    dispatcher: engine,
    onRejected: (reason, command) => log('warn', `router rejected ${command}: ${reason}`),
  });

  const server = createServer();
  const sockets = new WebSocketServer({ noServer: true, maxPayload: maxMessageBytes });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
  } catch (error) {
    await engine.stop();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  const host = `127.0.0.1:${port}`;
  const origin = `http://${host}`;
  const policy = harnessPolicy(`ws://${host}`);

  const securityHeaders = {
    'Content-Security-Policy': policy,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Cache-Control': 'no-store',
  };

  function respond(
    response: ServerResponse,
    status: number,
    body: string | Buffer,
    contentType: string,
  ): void {
    response.writeHead(status, { ...securityHeaders, 'Content-Type': contentType });
    response.end(body);
  }

  async function serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    // A foreign Host header means DNS rebinding or a proxy: answer nothing.
    if (request.headers.host !== host) return respond(response, 421, 'Misdirected request', 'text/plain');
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return respond(response, 405, 'Method not allowed', 'text/plain');
    }
    const pathname = new URL(request.url ?? '/', origin).pathname;
    if (pathname === bridgePath)
      return respond(response, 200, bridgeScript, 'text/javascript; charset=utf-8');
    if (pathname === '/' || pathname === '/index.html') {
      const index = await site.read('/index.html');
      if (!index)
        return respond(response, 500, 'The renderer is not built (run npx vite build)', 'text/plain');
      return respond(response, 200, withBridge(index.body.toString('utf8')), index.contentType);
    }
    const file = await site.read(pathname);
    if (!file) return respond(response, 404, 'Not found', 'text/plain');
    respond(response, 200, file.body, file.contentType);
  }

  server.on('request', (request, response) => {
    serve(request, response).catch(() => {
      if (!response.headersSent) respond(response, 500, 'Internal error', 'text/plain');
      else response.destroy();
    });
  });

  server.on('upgrade', (request: IncomingMessage, stream: Duplex, head: Buffer) => {
    const pathname = new URL(request.url ?? '/', origin).pathname;
    // Only our own page may open the socket; the token check follows on the first message.
    if (pathname !== socketPath || request.headers.host !== host || request.headers.origin !== origin) {
      stream.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      return;
    }
    sockets.handleUpgrade(request, stream, head, (socket) => accept(socket));
  });

  function accept(socket: WebSocket): void {
    const session = new PageSession(socket);
    sessions.add(session);
    const authTimer = setTimeout(() => socket.close(closeCodes.unauthorized, 'No token'), authTimeoutMs);
    socket.on('close', () => {
      clearTimeout(authTimer);
      sessions.delete(session);
    });
    socket.on('error', () => socket.terminate());
    socket.on('message', (data: RawData, isBinary: boolean) => {
      if (isBinary) {
        socket.close(closeCodes.badMessage, 'Text only');
        return;
      }
      const text = rawText(data);
      if (!session.authenticated) {
        clearTimeout(authTimer);
        if (!tokens.consume(text)) {
          log('warn', 'refused a bridge socket with an unknown or used token');
          socket.close(closeCodes.unauthorized, 'Unauthorized');
          return;
        }
        session.authenticated = true;
        session.send({ kind: 'ready', commands: commandNames, events: eventNames });
        return;
      }
      const request = parsePageRequest(text);
      if (!request) {
        socket.close(closeCodes.badMessage, 'Malformed request');
        return;
      }
      router
        .route(session, request.command, request.args)
        .catch(() => ({
          ok: false as const,
          error: { code: 'internal' as const, message: 'The engine failed' },
        }))
        .then((outcome) => session.send({ kind: 'response', id: request.id, outcome }));
    });
  }

  let stopping: Promise<void> | null = null;
  /** Stops the engine (closing its database); the profile folder stays for the caller to remove. */
  async function stop(): Promise<void> {
    for (const session of sessions) session.socket.close(closeCodes.shuttingDown, 'Harness stopping');
    sockets.close();
    server.closeAllConnections();
    await Promise.all([new Promise<void>((resolve) => server.close(() => resolve())), engine.stop()]);
  }

  const newPageUrl = () => `${origin}/index.html#token=${tokens.mint()}`;
  return {
    url: newPageUrl(),
    origin,
    newPageUrl,
    stop: () => (stopping ??= stop()),
  };
}

function inheritedEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) if (value !== undefined) env[name] = value;
  return env;
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  return Buffer.from(new Uint8Array(data)).toString('utf8');
}
