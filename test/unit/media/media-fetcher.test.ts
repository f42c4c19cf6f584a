// The engine's media fetcher against a fake homeserver: authenticated downloads and thumbnails,
// event attachments plain and encrypted, limits, and every failure as a reason, never bytes.
import { describe, expect, it } from 'vitest';
import { MediaFetcher } from '../../../src-main/engine/media/media-fetcher.ts';
import { downloadMedia, mediaPath } from '../../../src-main/engine/media/media-download.ts';
import { MediaError, type MediaRequest } from '../../../src-main/engine/media/media-request.ts';
import type { JsonObject } from '../../../src-main/engine/store/json-column.ts';
import { encryptAttachment, pngBytes, svgBytes } from './media-samples.ts';

interface Served {
  status?: number;
  body?: Uint8Array;
  headers?: Record<string, string>;
}

function fakeHomeserver(files: Record<string, Served>) {
  const requests: Array<{ url: string; authorization: string | null }> = [];
  const fetch = (async (input: URL | string | Request, init?: RequestInit) => {
    const url = new URL(String(input));
    requests.push({
      url: url.pathname + url.search,
      authorization: new Headers(init?.headers).get('authorization'),
    });
    const served = files[url.pathname + url.search] ?? files[url.pathname];
    if (!served) return new Response('{"errcode":"M_NOT_FOUND"}', { status: 404 });
    return new Response(served.body ?? null, { status: served.status ?? 200, headers: served.headers });
  }) as typeof globalThis.fetch;
  return { fetch, requests };
}

const download = '/_matrix/client/v1/media/download';

function fetcher(
  files: Record<string, Served>,
  events: Record<string, JsonObject> = {},
  token: string | null = 'syt_token',
  maxBytes = 1024 * 1024,
) {
  const server = fakeHomeserver(files);
  const logs: string[] = [];
  const media = new MediaFetcher({
    server: {
      baseUrl: new URL('https://matrix.example.org/'),
      accessToken: () => token ?? undefined,
      fetch: server.fetch,
    },
    eventContent: (roomId, eventId) => events[`${roomId}/${eventId}`] ?? null,
    limits: { maxBytes, timeoutMs: 5000 },
    log: (_level, message) => logs.push(message),
  });
  return { media, requests: server.requests, logs };
}

const content: MediaRequest = { kind: 'content', serverName: 'example.org', mediaId: 'abc' };
const room = '!room:example.org';
const eventRequest = (eventId: string, variant: 'full' | 'thumbnail' = 'full'): MediaRequest => ({
  kind: 'event',
  roomId: room,
  eventId,
  variant,
});

describe('media paths', () => {
  it('use the authenticated media API, with thumbnails unanimated', () => {
    expect(mediaPath({ serverName: 'example.org:8448', mediaId: 'abc' })).toBe(
      '_matrix/client/v1/media/download/example.org%3A8448/abc',
    );
    expect(
      mediaPath({ serverName: 'example.org', mediaId: 'abc' }, { width: 96, height: 64, method: 'crop' }),
    ).toBe('_matrix/client/v1/media/thumbnail/example.org/abc?width=96&height=64&method=crop&animated=false');
  });
});

describe('media fetcher', () => {
  it('downloads content with the access token and sniffs its type', async () => {
    const { media, requests } = fetcher({
      [`${download}/example.org/abc`]: { body: pngBytes, headers: { 'content-type': 'text/html' } },
    });
    expect(await media.fetch(content)).toEqual({ ok: true, contentType: 'image/png', bytes: pngBytes });
    expect(requests).toEqual([{ url: `${download}/example.org/abc`, authorization: 'Bearer syt_token' }]);
  });

  it('fetches server-made thumbnails', async () => {
    const path =
      '/_matrix/client/v1/media/thumbnail/example.org/abc?width=32&height=32&method=scale&animated=false';
    const { media } = fetcher({ [path]: { body: pngBytes } });
    const result = await media.fetch({
      ...content,
      thumbnail: { width: 32, height: 32, method: 'scale' },
    } as MediaRequest);
    expect(result.ok).toBe(true);
  });

  it('refuses SVG however the server labels it', async () => {
    const { media } = fetcher({
      [`${download}/example.org/abc`]: { body: svgBytes, headers: { 'content-type': 'image/png' } },
    });
    expect(await media.fetch(content)).toEqual({ ok: false, reason: 'unsupported_type' });
  });

  it('answers not_found for what the server does not have', async () => {
    const { media } = fetcher({});
    expect(await media.fetch(content)).toEqual({ ok: false, reason: 'not_found' });
  });

  it('answers unavailable for a server error', async () => {
    const { media } = fetcher({ [`${download}/example.org/abc`]: { status: 502, body: new Uint8Array() } });
    expect(await media.fetch(content)).toEqual({ ok: false, reason: 'unavailable' });
  });

  it('answers too_large for a declared size over the limit', async () => {
    const big = new Uint8Array(2048);
    const { media } = fetcher(
      { [`${download}/example.org/abc`]: { body: big, headers: { 'content-length': '2048' } } },
      {},
      'syt',
      1024,
    );
    expect(await media.fetch(content)).toEqual({ ok: false, reason: 'too_large' });
  });

  it('answers too_large for a body that grows over the limit', async () => {
    const { media } = fetcher(
      { [`${download}/example.org/abc`]: { body: new Uint8Array(4096) } },
      {},
      'syt',
      1024,
    );
    expect(await media.fetch(content)).toEqual({ ok: false, reason: 'too_large' });
  });

  it('answers not_signed_in without a token, and asks nothing', async () => {
    const { media, requests } = fetcher({}, {}, null);
    expect(await media.fetch(content)).toEqual({ ok: false, reason: 'not_signed_in' });
    expect(requests).toEqual([]);
  });

  it('answers unavailable when the network fails', async () => {
    const media = new MediaFetcher({
      server: {
        baseUrl: new URL('https://matrix.example.org/'),
        accessToken: () => 'syt',
        fetch: () => Promise.reject(new TypeError('fetch failed')),
      },
      eventContent: () => null,
    });
    expect(await media.fetch(content)).toEqual({ ok: false, reason: 'unavailable' });
  });

  it.each([
    ['a traversal in the media id', { ...content, mediaId: '../../etc/passwd' }],
    ['a bad server name', { ...content, serverName: 'evil.org/../' }],
    ['an unknown kind', { kind: 'file', path: '/etc/passwd' }],
  ])('refuses %s without asking the server', async (_name, request) => {
    const { media, requests } = fetcher({});
    expect(await media.fetch(request as MediaRequest)).toEqual({ ok: false, reason: 'not_found' });
    expect(requests).toEqual([]);
  });

  it('shows an event’s plain attachment', async () => {
    const { media } = fetcher(
      { [`${download}/example.org/plain`]: { body: pngBytes } },
      { [`${room}/$img`]: { msgtype: 'm.image', body: 'cat.png', url: 'mxc://example.org/plain' } },
    );
    expect(await media.fetch(eventRequest('$img'))).toEqual({
      ok: true,
      contentType: 'image/png',
      bytes: pngBytes,
    });
  });

  it('decrypts an event’s encrypted attachment with the keys stored in the event', async () => {
    const { ciphertext, file } = encryptAttachment(pngBytes, 'mxc://example.org/secret');
    const { media, requests } = fetcher(
      { [`${download}/example.org/secret`]: { body: ciphertext } },
      { [`${room}/$img`]: { msgtype: 'm.image', body: 'cat.png', file } },
    );
    expect(await media.fetch(eventRequest('$img'))).toEqual({
      ok: true,
      contentType: 'image/png',
      bytes: pngBytes,
    });
    expect(requests.map((r) => r.url)).toEqual([`${download}/example.org/secret`]);
  });

  it('decrypts an encrypted thumbnail', async () => {
    const { ciphertext, file } = encryptAttachment(pngBytes, 'mxc://example.org/thumb');
    const { media } = fetcher(
      { [`${download}/example.org/thumb`]: { body: ciphertext } },
      { [`${room}/$img`]: { msgtype: 'm.image', body: 'x', info: { thumbnail_file: file } } },
    );
    expect((await media.fetch(eventRequest('$img', 'thumbnail'))).ok).toBe(true);
  });

  it('returns nothing for an attachment that fails its hash, and logs no detail', async () => {
    const { ciphertext, file } = encryptAttachment(pngBytes, 'mxc://example.org/secret');
    ciphertext[3] = (ciphertext[3] ?? 0) ^ 0xff;
    const { media, logs } = fetcher(
      { [`${download}/example.org/secret`]: { body: ciphertext } },
      { [`${room}/$img`]: { msgtype: 'm.image', body: 'cat.png', file } },
    );
    expect(await media.fetch(eventRequest('$img'))).toEqual({ ok: false, reason: 'integrity' });
    expect(logs).toEqual(['media: an attachment failed its hash check']);
  });

  it('answers not_found for an unknown event', async () => {
    const { media, requests } = fetcher({});
    expect(await media.fetch(eventRequest('$missing'))).toEqual({ ok: false, reason: 'not_found' });
    expect(requests).toEqual([]);
  });

  it('answers not_found for an event without an attachment', async () => {
    const { media } = fetcher({}, { [`${room}/$text`]: { msgtype: 'm.text', body: 'hi' } });
    expect(await media.fetch(eventRequest('$text'))).toEqual({ ok: false, reason: 'not_found' });
    expect(await media.fetch(eventRequest('$text', 'thumbnail'))).toEqual({ ok: false, reason: 'not_found' });
  });

  it('answers not_found for an attachment URL that is not mxc', async () => {
    const { media, requests } = fetcher(
      {},
      { [`${room}/$img`]: { msgtype: 'm.image', body: 'x', url: 'file:///etc/passwd' } },
    );
    expect(await media.fetch(eventRequest('$img'))).toEqual({ ok: false, reason: 'not_found' });
    expect(requests).toEqual([]);
  });
});

describe('downloadMedia', () => {
  it('throws MediaError only', async () => {
    await expect(
      downloadMedia(
        {
          baseUrl: new URL('https://matrix.example.org'),
          accessToken: () => 't',
          fetch: () => Promise.resolve(new Response(null, { status: 403 })),
        },
        { serverName: 'example.org', mediaId: 'abc' },
        undefined,
      ),
    ).rejects.toBeInstanceOf(MediaError);
  });
});
