// The app:// scheme: registration before `ready`, and the handler that serves the built
// renderer (dist/renderer) for app://tessera only. A request that does not resolve to a
// file inside that folder gets a 404; another host gets a 403. Nothing else is served.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { CustomScheme, Protocol } from 'electron';
import { appHost, appScheme } from './app-origin.ts';
import { contentSecurityPolicy } from './content-security-policy.ts';

/** Privileges of app://: a standard, secure origin with fetch, and no CSP bypass. */
export const appSchemePrivileges = {
  standard: true,
  secure: true,
  supportFetchAPI: true,
  bypassCSP: false,
  // Vite emits `<script type="module" crossorigin>`, and module scripts load in CORS mode, which
  // a custom scheme serves only when CORS-enabled. No Access-Control-Allow-Origin is ever sent,
  // so other origins still cannot read app:// responses.
  corsEnabled: true,
  allowServiceWorkers: false,
  stream: false,
} as const;

/**
 * Must run before the app is ready (Electron refuses it later). Every privileged scheme goes in
 * this one call: a second call would replace the first registration.
 */
export function registerAppScheme(
  protocol: Pick<Protocol, 'registerSchemesAsPrivileged'>,
  otherSchemes: readonly CustomScheme[] = [],
): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: appScheme, privileges: { ...appSchemePrivileges } },
    ...otherSchemes,
  ]);
}

// A fixed map: the renderer is our own build, so an unknown extension is served as opaque bytes.
const contentTypes: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
};

export function contentTypeFor(filePath: string): string {
  return contentTypes[path.extname(filePath).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * Maps an app:// URL path to a file inside `rootDir`, or null when it would leave the folder
 * or is not a plain path. `/` means index.html.
 */
export function resolveAppPath(rootDir: string, urlPathname: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPathname);
  } catch {
    return null;
  }
  // Backslashes and NUL have no place in our own file names and are traversal tricks elsewhere.
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const relative = path.posix.normalize(decoded === '/' || decoded === '' ? '/index.html' : decoded);
  const root = path.resolve(rootDir);
  const resolved = path.resolve(root, `.${relative}`);
  if (!resolved.startsWith(root + path.sep)) return null;
  return resolved;
}

export interface AppProtocolHandlerOptions {
  /** The built renderer folder (dist/renderer). */
  rootDir: string;
  /** Injected for tests; reads a file's bytes. */
  readFile?: (filePath: string) => Promise<Uint8Array>;
}

function plain(status: number, text: string): Response {
  return new Response(text, {
    status,
    headers: {
      'Content-Type': 'text/plain; charset=utf-8',
      'Content-Security-Policy': contentSecurityPolicy,
      'X-Content-Type-Options': 'nosniff',
    },
  });
}

export function createAppProtocolHandler(
  options: AppProtocolHandlerOptions,
): (request: Request) => Promise<Response> {
  const read = options.readFile ?? ((filePath: string) => readFile(filePath));
  return async (request) => {
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return plain(400, 'Bad request');
    }
    if (url.protocol !== `${appScheme}:` || url.host !== appHost) return plain(403, 'Forbidden');
    if (request.method !== 'GET' && request.method !== 'HEAD') return plain(405, 'Method not allowed');
    const filePath = resolveAppPath(options.rootDir, url.pathname);
    if (filePath === null) return plain(404, 'Not found');
    let body: Uint8Array;
    try {
      body = await read(filePath);
    } catch {
      // Missing file, a directory, or unreadable: all look the same from outside.
      return plain(404, 'Not found');
    }
    return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), {
      status: 200,
      headers: {
        'Content-Type': contentTypeFor(filePath),
        'Content-Security-Policy': contentSecurityPolicy,
        'X-Content-Type-Options': 'nosniff',
        'Cache-Control': 'no-cache',
      },
    });
  };
}
