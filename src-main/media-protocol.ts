// The tessera-media:// scheme: how the renderer shows media without network access. Main parses
// and validates the URL strictly and hands a MediaRequest to the engine, which fetches (and
// decrypts) the bytes. Only two shapes exist, everything else is a 404 and nothing is ever read
// from disk:
//   tessera-media://media/<serverName>/<mediaId>[?width=W&height=H[&method=crop|scale]]
//   tessera-media://event/<roomId>/<eventId>[?variant=thumbnail]
// The second shows an event's attachment: its decryption keys stay in the engine.
import type { CustomScheme } from 'electron';
import {
  isAllowedMediaType,
  isEventId,
  isMediaId,
  isRoomId,
  isServerName,
  isThumbnailSize,
  type MediaFailureReason,
  type MediaRequest,
  type MediaResult,
  type ThumbnailSize,
} from './engine/media/media-request.ts';
import { mediaScheme } from './engine/media/media-url.ts';

export { mediaScheme };

/**
 * Standard (so the host is parsed) and secure, with streaming for video and audio; no CSP
 * bypass, no fetch or CORS (only <img>, <video> and <audio> load it), no service workers.
 */
export const mediaSchemePrivileges = {
  standard: true,
  secure: true,
  supportFetchAPI: false,
  bypassCSP: false,
  corsEnabled: false,
  allowServiceWorkers: false,
  stream: true,
} as const;

/** Registered with app:// in the one registerSchemesAsPrivileged call (a later call replaces it). */
export function mediaSchemeRegistration(): CustomScheme {
  return { scheme: mediaScheme, privileges: { ...mediaSchemePrivileges } };
}

/** The largest media main passes on to the renderer (the engine has the same limit). */
export const maxMediaBytes = 50 * 1024 * 1024;

/** The URL the renderer uses for mxc://server/id (the renderer builds the same string). */
export function mediaUrlFor(serverName: string, mediaId: string, thumbnail?: ThumbnailSize): string {
  const base = `${mediaScheme}://media/${encodeURIComponent(serverName)}/${encodeURIComponent(mediaId)}`;
  if (!thumbnail) return base;
  return `${base}?width=${thumbnail.width}&height=${thumbnail.height}&method=${thumbnail.method}`;
}

function decodeSegment(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

/** The two path segments of `url`, decoded, or null for any other shape. */
function twoSegments(url: URL): [string, string] | null {
  const parts = url.pathname.split('/');
  if (parts.length !== 3 || parts[0] !== '') return null;
  const first = decodeSegment(parts[1] ?? '');
  const second = decodeSegment(parts[2] ?? '');
  if (!first || !second) return null;
  return [first, second];
}

/** The query as a map, or null when a key repeats or is not in `allowed`. */
function strictQuery(url: URL, allowed: readonly string[]): Map<string, string> | null {
  const query = new Map<string, string>();
  for (const [key, value] of url.searchParams) {
    if (!allowed.includes(key) || query.has(key)) return null;
    query.set(key, value);
  }
  return query;
}

function parseSide(value: string | undefined): number | null {
  if (value === undefined || !/^[1-9]\d{0,3}$/.test(value)) return null;
  return Number(value);
}

function parseThumbnail(query: Map<string, string>): ThumbnailSize | undefined | null {
  if (query.size === 0) return undefined;
  const width = parseSide(query.get('width'));
  const height = parseSide(query.get('height'));
  const method = query.get('method') ?? 'scale';
  if (width === null || height === null || (method !== 'crop' && method !== 'scale')) return null;
  const size: ThumbnailSize = { width, height, method };
  return isThumbnailSize(size) ? size : null;
}

/** Parses a tessera-media:// URL into a request, or null when it is outside the scheme's space. */
export function parseMediaUrl(raw: string): MediaRequest | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if (url.protocol !== `${mediaScheme}:` || url.username || url.password || url.port) return null;
  const segments = twoSegments(url);
  if (!segments) return null;
  const [first, second] = segments;
  if (url.hostname === 'media') {
    const query = strictQuery(url, ['width', 'height', 'method']);
    if (!query || !isServerName(first) || !isMediaId(second)) return null;
    const thumbnail = parseThumbnail(query);
    if (thumbnail === null) return null;
    return { kind: 'content', serverName: first, mediaId: second, ...(thumbnail ? { thumbnail } : {}) };
  }
  if (url.hostname === 'event') {
    const query = strictQuery(url, ['variant']);
    if (!query || !isRoomId(first) || !isEventId(second)) return null;
    const variant = query.get('variant');
    if (variant !== undefined && variant !== 'thumbnail') return null;
    return { kind: 'event', roomId: first, eventId: second, variant: variant ?? 'full' };
  }
  return null;
}

const failureStatus: Readonly<Record<MediaFailureReason, number>> = {
  not_found: 404,
  not_signed_in: 403,
  too_large: 413,
  unsupported_type: 415,
  integrity: 502,
  unavailable: 502,
};

const baseHeaders = {
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-store',
  // Should the bytes ever be shown as a document, they can run and load nothing.
  'Content-Security-Policy': "default-src 'none'; sandbox",
} as const;

function failure(status: number): Response {
  return new Response(null, { status, headers: { ...baseHeaders } });
}

/** A single `bytes=a-b` range within `size`, or null (the whole body is sent then). */
export function parseRange(
  header: string | null,
  size: number,
): { start: number; end: number } | 'unsatisfiable' | null {
  if (!header) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return null;
  let start: number;
  let end: number;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0) return 'unsatisfiable';
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  }
  if (start >= size || start > end) return 'unsatisfiable';
  return { start, end };
}

export interface MediaProtocolHandlerOptions {
  /** Asks the engine; resolves with the bytes or a failure reason. */
  fetchMedia(request: MediaRequest): Promise<MediaResult>;
  log?: (level: 'warn', line: string) => void;
}

export function createMediaProtocolHandler(
  options: MediaProtocolHandlerOptions,
): (request: Request) => Promise<Response> {
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return failure(405);
    const mediaRequest = parseMediaUrl(request.url);
    // Never echo the URL: it names rooms and events.
    if (!mediaRequest) return failure(404);
    let result: MediaResult;
    try {
      result = await options.fetchMedia(mediaRequest);
    } catch {
      return failure(502);
    }
    if (!result.ok) return failure(failureStatus[result.reason] ?? 502);
    // The engine sniffed the type; main checks the allow-list and the size again all the same.
    if (!isAllowedMediaType(result.contentType)) {
      options.log?.('warn', 'media: the engine answered a type outside the allow-list');
      return failure(415);
    }
    if (result.bytes.byteLength > maxMediaBytes) return failure(413);
    const size = result.bytes.byteLength;
    const headers = { ...baseHeaders, 'Content-Type': result.contentType, 'Accept-Ranges': 'bytes' };
    const range = parseRange(request.headers.get('range'), size);
    if (range === 'unsatisfiable') {
      return new Response(null, { status: 416, headers: { ...headers, 'Content-Range': `bytes */${size}` } });
    }
    if (range) {
      const part = result.bytes.slice(range.start, range.end + 1);
      return new Response(request.method === 'HEAD' ? null : part, {
        status: 206,
        headers: {
          ...headers,
          'Content-Range': `bytes ${range.start}-${range.end}/${size}`,
          'Content-Length': String(part.byteLength),
        },
      });
    }
    return new Response(request.method === 'HEAD' ? null : result.bytes.slice(), {
      status: 200,
      headers: { ...headers, 'Content-Length': String(size) },
    });
  };
}
