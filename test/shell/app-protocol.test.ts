// app://tessera serves the built renderer and nothing else: no other host, no path outside
// the folder, always with the CSP header.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  appSchemePrivileges,
  contentTypeFor,
  createAppProtocolHandler,
  registerAppScheme,
  resolveAppPath,
} from '../../src-main/app-protocol.ts';
import { contentSecurityPolicy } from '../../src-main/content-security-policy.ts';

let base: string;
let root: string;
let handler: (request: Request) => Promise<Response>;

beforeAll(async () => {
  base = await mkdtemp(path.join(tmpdir(), 'tessera-app-protocol-'));
  root = path.join(base, 'renderer');
  await mkdir(path.join(root, 'assets'), { recursive: true });
  await writeFile(path.join(root, 'index.html'), '<!doctype html><title>Tessera</title>');
  await writeFile(path.join(root, 'assets', 'index-abc.js'), 'console.log(1)');
  await writeFile(path.join(root, 'assets', 'index-abc.css'), 'body{}');
  await writeFile(path.join(root, 'assets', 'blob.bin'), 'x');
  // Neighbours a sloppy prefix check would let through.
  await writeFile(path.join(base, 'secret.txt'), 'secret');
  await mkdir(path.join(base, 'renderer-other'));
  await writeFile(path.join(base, 'renderer-other', 'index.html'), 'other');
  handler = createAppProtocolHandler({ rootDir: root });
});

afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

async function get(url: string, method = 'GET'): Promise<Response> {
  return handler(new Request(url, { method }));
}

describe('app:// scheme registration', () => {
  it('is standard and secure with fetch, and never bypasses the CSP', () => {
    const registered: unknown[] = [];
    registerAppScheme({ registerSchemesAsPrivileged: (schemes) => registered.push(...schemes) });
    expect(registered).toEqual([{ scheme: 'app', privileges: { ...appSchemePrivileges } }]);
    expect(appSchemePrivileges).toMatchObject({
      standard: true,
      secure: true,
      supportFetchAPI: true,
      bypassCSP: false,
    });
  });
});

describe('app:// handler', () => {
  it('serves index.html with the CSP header', async () => {
    const response = await get('app://tessera/index.html');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toBe(contentSecurityPolicy);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await response.text()).toContain('<title>Tessera</title>');
  });

  it('serves index.html for the bare origin', async () => {
    const response = await get('app://tessera/');
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('Tessera');
  });

  it('serves assets with their content type', async () => {
    const script = await get('app://tessera/assets/index-abc.js');
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await script.text()).toBe('console.log(1)');
    expect((await get('app://tessera/assets/index-abc.css')).headers.get('content-type')).toBe(
      'text/css; charset=utf-8',
    );
    expect((await get('app://tessera/assets/blob.bin')).headers.get('content-type')).toBe(
      'application/octet-stream',
    );
  });

  it('answers HEAD without a body', async () => {
    const response = await get('app://tessera/index.html', 'HEAD');
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
  });

  it.each([
    'app://tessera/../../etc/passwd',
    'app://tessera/../secret.txt',
    'app://tessera/%2e%2e/secret.txt',
    'app://tessera/..%2fsecret.txt',
    'app://tessera/..%2f..%2f..%2fetc%2fpasswd',
    'app://tessera/assets/..%2f..%2fsecret.txt',
    'app://tessera/..%5csecret.txt',
    'app://tessera/%2e%2e%5c%2e%2e%5csecret.txt',
    'app://tessera/index.html%00.js',
    'app://tessera/%E0%A4%A',
    'app://tessera/..%2frenderer-other/index.html',
    'app://tessera/assets',
    'app://tessera/assets/',
    'app://tessera/missing.js',
  ])('refuses %s with 404', async (url) => {
    const response = await get(url);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-security-policy')).toBe(contentSecurityPolicy);
    expect(await response.text()).not.toMatch(/secret|other|root:/);
  });

  it.each([
    'app://evil/index.html',
    'app://tessera.evil/index.html',
    'app://tessera:8080/index.html',
    'http://tessera/index.html',
  ])('refuses another origin %s with 403', async (url) => {
    const response = await get(url);
    expect(response.status).toBe(403);
  });

  it('refuses methods other than GET and HEAD', async () => {
    expect((await get('app://tessera/index.html', 'POST')).status).toBe(405);
  });
});

describe('resolveAppPath', () => {
  const inside = (resolved: string | null) =>
    resolved !== null && resolved.startsWith(path.resolve('/srv/renderer') + path.sep);

  it.each(['/index.html', '/assets/a.js', '/a/../index.html', '/../../etc/passwd', '/..', '/%2e%2e/x'])(
    'keeps %s inside the folder',
    (pathname) => {
      const resolved = resolveAppPath('/srv/renderer', pathname);
      expect(resolved === null || inside(resolved)).toBe(true);
    },
  );

  it('maps / to index.html', () => {
    expect(resolveAppPath('/srv/renderer', '/')).toBe(path.resolve('/srv/renderer/index.html'));
  });

  it.each(['/..\\..\\etc\\passwd', '/a%5cb', '/a%00b', '/%E0%A4%A'])('refuses %s', (pathname) => {
    expect(resolveAppPath('/srv/renderer', pathname)).toBeNull();
  });

  it('never resolves to the folder itself', () => {
    expect(resolveAppPath('/srv/renderer', '/.')).toBeNull();
    expect(resolveAppPath('/srv/renderer', '/..')).toBeNull();
  });
});

describe('content types', () => {
  it('come from a fixed map', () => {
    expect(contentTypeFor('a/b.HTML')).toBe('text/html; charset=utf-8');
    expect(contentTypeFor('a/b.woff2')).toBe('font/woff2');
    expect(contentTypeFor('a/b.svg')).toBe('image/svg+xml');
    expect(contentTypeFor('a/b')).toBe('application/octet-stream');
    expect(contentTypeFor('a/b.exe')).toBe('application/octet-stream');
  });
});

describe('content security policy', () => {
  it('is the one of DESIGN.md §1, with media only from tessera-media:', () => {
    expect(contentSecurityPolicy).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: tessera-media:; " +
        'media-src tessera-media:; ' +
        "font-src 'self'; connect-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'; " +
        "frame-ancestors 'none'",
    );
  });
});
