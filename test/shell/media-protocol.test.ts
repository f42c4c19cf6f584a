// tessera-media://: the strict URL space, and the handler's answers. Anything outside the two
// shapes is a 404 that never reaches the engine (and nothing is ever read from disk).
import { describe, expect, it, vi } from 'vitest';
import type { MediaRequest, MediaResult } from '../../src-main/engine/media/media-request.ts';
import {
  createMediaProtocolHandler,
  maxMediaBytes,
  mediaSchemePrivileges,
  mediaUrlFor,
  parseMediaUrl,
  parseRange,
} from '../../src-main/media-protocol.ts';
import { pngBytes } from '../unit/media/media-samples.ts';

function handlerAnswering(result: MediaResult) {
  const fetchMedia = vi.fn((_request: MediaRequest) => Promise.resolve(result));
  return { handle: createMediaProtocolHandler({ fetchMedia }), fetchMedia };
}

/** A Request for `url`; Request itself refuses some URLs (credentials), then another bad one. */
function requestFor(url: string): Request {
  try {
    return new Request(url);
  } catch {
    return new Request('tessera-media://x/');
  }
}

const png: MediaResult = { ok: true, contentType: 'image/png', bytes: pngBytes };

describe('the tessera-media scheme', () => {
  it('is privileged without a CSP bypass, with streaming and no fetch', () => {
    expect(mediaSchemePrivileges).toEqual({
      standard: true,
      secure: true,
      supportFetchAPI: false,
      bypassCSP: false,
      corsEnabled: false,
      allowServiceWorkers: false,
      stream: true,
    });
  });
});

describe('parseMediaUrl', () => {
  it.each([
    [
      'tessera-media://media/example.org/abcDEF_12-3',
      { kind: 'content', serverName: 'example.org', mediaId: 'abcDEF_12-3' },
    ],
    [
      'tessera-media://media/example.org:8448/abc',
      { kind: 'content', serverName: 'example.org:8448', mediaId: 'abc' },
    ],
    [
      'tessera-media://media/example.org%3A8448/abc',
      { kind: 'content', serverName: 'example.org:8448', mediaId: 'abc' },
    ],
    [
      'tessera-media://media/example.org/abc?width=96&height=64&method=crop',
      {
        kind: 'content',
        serverName: 'example.org',
        mediaId: 'abc',
        thumbnail: { width: 96, height: 64, method: 'crop' },
      },
    ],
    [
      'tessera-media://media/example.org/abc?width=96&height=64',
      {
        kind: 'content',
        serverName: 'example.org',
        mediaId: 'abc',
        thumbnail: { width: 96, height: 64, method: 'scale' },
      },
    ],
    [
      'tessera-media://event/!room:example.org/$event:example.org',
      { kind: 'event', roomId: '!room:example.org', eventId: '$event:example.org', variant: 'full' },
    ],
    [
      'tessera-media://event/%21room%3Aexample.org/%24ab%2Fcd?variant=thumbnail',
      { kind: 'event', roomId: '!room:example.org', eventId: '$ab/cd', variant: 'thumbnail' },
    ],
  ])('parses %s', (url, request) => {
    expect(parseMediaUrl(url)).toEqual(request);
  });

  it('builds the URL the renderer uses for an mxc URI', () => {
    const url = mediaUrlFor('example.org:8448', 'abc', { width: 32, height: 32, method: 'crop' });
    expect(parseMediaUrl(url)).toEqual({
      kind: 'content',
      serverName: 'example.org:8448',
      mediaId: 'abc',
      thumbnail: { width: 32, height: 32, method: 'crop' },
    });
  });

  it('resolves ../ before parsing, so a traversal only ever names another homeserver address', () => {
    // Chromium canonicalizes standard-scheme URLs the same way before the handler sees them.
    expect(parseMediaUrl('tessera-media://media/example.org/abc/../../etc/passwd')).toEqual({
      kind: 'content',
      serverName: 'etc',
      mediaId: 'passwd',
    });
  });
});

describe('the media handler refuses, with a 404 and without asking the engine,', () => {
  it.each([
    ['a traversal above the root', 'tessera-media://media/example.org/../../..'],
    ['a traversal that leaves one segment', 'tessera-media://media/example.org/abc/../../passwd'],
    ['a traversal into the media id', 'tessera-media://media/example.org/..%2F..%2Fetc%2Fpasswd'],
    ['an encoded traversal', 'tessera-media://media/example.org/%2e%2e%2f%2e%2e%2fetc%2fpasswd'],
    ['a double-encoded traversal', 'tessera-media://media/example.org/%252e%252e%252fetc'],
    ['a backslash traversal', 'tessera-media://media/example.org/..%5C..%5Cetc'],
    ['a NUL byte', 'tessera-media://media/example.org/abc%00.png'],
    ['a wrong host', 'tessera-media://files/example.org/abc'],
    ['the app host', 'tessera-media://tessera/index.html'],
    ['an empty host', 'tessera-media:///etc/passwd'],
    ['a file path', 'tessera-media://media/etc/passwd/shadow'],
    ['a bad media id', 'tessera-media://media/example.org/abc.png'],
    ['a media id with a space', 'tessera-media://media/example.org/a%20b'],
    ['a bad server name', 'tessera-media://media/exa_mple.org/abc'],
    ['a server name with a path', 'tessera-media://media/example.org%2Fx/abc'],
    ['a missing media id', 'tessera-media://media/example.org/'],
    ['an extra segment', 'tessera-media://media/example.org/abc/def'],
    ['a port on the scheme host', 'tessera-media://media:8080/example.org/abc'],
    ['credentials', 'tessera-media://user:pw@media/example.org/abc'],
    ['an unknown query parameter', 'tessera-media://media/example.org/abc?path=/etc/passwd'],
    ['a repeated query parameter', 'tessera-media://media/example.org/abc?width=1&width=2&height=1'],
    ['a thumbnail too large', 'tessera-media://media/example.org/abc?width=99999&height=10'],
    ['a thumbnail of width zero', 'tessera-media://media/example.org/abc?width=0&height=10'],
    ['a thumbnail without height', 'tessera-media://media/example.org/abc?width=10'],
    ['an unknown thumbnail method', 'tessera-media://media/example.org/abc?width=10&height=10&method=exec'],
    ['a bad room id', 'tessera-media://event/room:example.org/$event'],
    ['a bad event id', 'tessera-media://event/!room:example.org/event'],
    ['an unknown event variant', 'tessera-media://event/!room:example.org/$event?variant=original'],
    ['an event URL carrying keys', 'tessera-media://event/!room:example.org/$event?key=abc&iv=def'],
    ['another scheme', 'file:///etc/passwd'],
    ['the app scheme', 'app://tessera/index.html'],
    ['text that is no URL', 'not a url'],
  ])('%s', async (_name, url) => {
    expect(parseMediaUrl(url)).toBeNull();
    const { handle, fetchMedia } = handlerAnswering(png);
    const response = await handle(requestFor(url));
    expect(response.status).toBe(404);
    expect(await response.text()).toBe('');
    expect(fetchMedia).not.toHaveBeenCalled();
  });
});

describe('the media handler', () => {
  const url = 'tessera-media://media/example.org/abc';

  it('answers the engine’s bytes with the sniffed type, nosniff and no caching', async () => {
    const { handle, fetchMedia } = handlerAnswering(png);
    const response = await handle(new Request(url));
    expect(fetchMedia).toHaveBeenCalledWith({ kind: 'content', serverName: 'example.org', mediaId: 'abc' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/png');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(pngBytes);
  });

  it('refuses a type outside the allow-list even when the engine answers it', async () => {
    const { handle } = handlerAnswering({ ok: true, contentType: 'image/svg+xml', bytes: pngBytes });
    expect((await handle(new Request(url))).status).toBe(415);
  });

  it('refuses bytes over the size limit', async () => {
    const { handle } = handlerAnswering({
      ok: true,
      contentType: 'image/png',
      bytes: new Uint8Array(maxMediaBytes + 1),
    });
    expect((await handle(new Request(url))).status).toBe(413);
  });

  it.each([
    ['not_found', 404],
    ['not_signed_in', 403],
    ['too_large', 413],
    ['unsupported_type', 415],
    ['integrity', 502],
    ['unavailable', 502],
  ] as const)('answers %s with %i and no body', async (reason, status) => {
    const { handle } = handlerAnswering({ ok: false, reason });
    const response = await handle(new Request(url));
    expect(response.status).toBe(status);
    expect(await response.text()).toBe('');
  });

  it('answers 502 when the engine fails', async () => {
    const handle = createMediaProtocolHandler({ fetchMedia: () => Promise.reject(new Error('worker gone')) });
    expect((await handle(new Request(url))).status).toBe(502);
  });

  it('refuses methods other than GET and HEAD', async () => {
    const { handle, fetchMedia } = handlerAnswering(png);
    expect((await handle(new Request(url, { method: 'POST', body: 'x' }))).status).toBe(405);
    expect(fetchMedia).not.toHaveBeenCalled();
  });

  it('answers HEAD without a body', async () => {
    const { handle } = handlerAnswering(png);
    const response = await handle(new Request(url, { method: 'HEAD' }));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-length')).toBe(String(pngBytes.byteLength));
  });

  it('serves byte ranges for video and audio seeking', async () => {
    const { handle } = handlerAnswering(png);
    const response = await handle(new Request(url, { headers: { range: 'bytes=0-7' } }));
    expect(response.status).toBe(206);
    expect(response.headers.get('content-range')).toBe(`bytes 0-7/${pngBytes.byteLength}`);
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(pngBytes.slice(0, 8));
  });

  it('answers 416 for a range past the end', async () => {
    const { handle } = handlerAnswering(png);
    expect((await handle(new Request(url, { headers: { range: 'bytes=9999-' } }))).status).toBe(416);
  });

  it('parses single ranges only', () => {
    expect(parseRange('bytes=2-', 10)).toEqual({ start: 2, end: 9 });
    expect(parseRange('bytes=-3', 10)).toEqual({ start: 7, end: 9 });
    expect(parseRange('bytes=0-99', 10)).toEqual({ start: 0, end: 9 });
    expect(parseRange('bytes=0-1,3-4', 10)).toBeNull();
    expect(parseRange('items=0-1', 10)).toBeNull();
    expect(parseRange('bytes=5-2', 10)).toBe('unsatisfiable');
  });
});
