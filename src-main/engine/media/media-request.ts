// What the shell may ask the engine for when the renderer shows media: content by its Matrix
// address (server name + media id, as in mxc://server/id), optionally a server-made thumbnail,
// or the attachment of a stored event (whose `file` keys never leave the engine). Every field is
// checked against the spec's grammar here, so nothing else reaches a URL or a store lookup.

/** Server names (spec appendix "Server Name"): a DNS name, IPv4 or [IPv6] literal, optional port. */
const serverNamePattern =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\d{1,3}(?:\.\d{1,3}){3}|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?$/;
/** Media ids: the spec allows only A-Z a-z 0-9 _ and -. */
const mediaIdPattern = /^[A-Za-z0-9_-]{1,255}$/;
/** Room ids: `!` + opaque id, with a server name before room version 12. */
const roomIdPattern = /^![A-Za-z0-9._~+/=-]{1,255}(?::[A-Za-z0-9.\-:[\]]{1,255})?$/;
/** Event ids: `$` + base64 (v3), URL-safe base64 (v4+) or `localpart:server` (v1, v2). */
const eventIdPattern = /^\$[A-Za-z0-9._~+/=-]{1,255}(?::[A-Za-z0-9.\-:[\]]{1,255})?$/;

export const thumbnailLimits = { minSide: 1, maxSide: 1600 } as const;

export interface ThumbnailSize {
  width: number;
  height: number;
  method: 'crop' | 'scale';
}

export type MediaRequest =
  | { kind: 'content'; serverName: string; mediaId: string; thumbnail?: ThumbnailSize }
  | { kind: 'event'; roomId: string; eventId: string; variant: 'full' | 'thumbnail' };

export function isServerName(value: string): boolean {
  if (value.length > 255 || !serverNamePattern.test(value)) return false;
  const port = /:(\d+)$/.exec(value.startsWith('[') ? value.slice(value.indexOf(']')) : value)?.[1];
  return port === undefined || (Number(port) >= 1 && Number(port) <= 65535);
}

export function isMediaId(value: string): boolean {
  return mediaIdPattern.test(value);
}

export function isRoomId(value: string): boolean {
  return roomIdPattern.test(value);
}

export function isEventId(value: string): boolean {
  return eventIdPattern.test(value);
}

export function isThumbnailSize(value: ThumbnailSize): boolean {
  const side = (n: number) =>
    Number.isInteger(n) && n >= thumbnailLimits.minSide && n <= thumbnailLimits.maxSide;
  return side(value.width) && side(value.height) && (value.method === 'crop' || value.method === 'scale');
}

/** Checks a request again where it arrives (the engine does not trust the shell's parse). */
export function isValidMediaRequest(request: MediaRequest): boolean {
  if (typeof request !== 'object' || request === null) return false;
  if (request.kind === 'content') {
    return (
      typeof request.serverName === 'string' &&
      typeof request.mediaId === 'string' &&
      isServerName(request.serverName) &&
      isMediaId(request.mediaId) &&
      (request.thumbnail === undefined || isThumbnailSize(request.thumbnail))
    );
  }
  if (request.kind === 'event') {
    return (
      typeof request.roomId === 'string' &&
      typeof request.eventId === 'string' &&
      isRoomId(request.roomId) &&
      isEventId(request.eventId) &&
      (request.variant === 'full' || request.variant === 'thumbnail')
    );
  }
  return false;
}

export interface MxcAddress {
  serverName: string;
  mediaId: string;
}

/** Parses `mxc://<server-name>/<media-id>`; null for anything else. */
export function parseMxc(uri: unknown): MxcAddress | null {
  if (typeof uri !== 'string' || !uri.startsWith('mxc://')) return null;
  const rest = uri.slice('mxc://'.length);
  const slash = rest.indexOf('/');
  if (slash <= 0) return null;
  const serverName = rest.slice(0, slash);
  const mediaId = rest.slice(slash + 1);
  return isServerName(serverName) && isMediaId(mediaId) ? { serverName, mediaId } : null;
}

/**
 * The media types shown: those a browser displays without running anything. No SVG (it holds
 * script), no HTML, no PDF. Sniffing (media-sniff.ts) decides the type; main checks it again.
 */
export const allowedMediaTypes: ReadonlySet<string> = new Set([
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'image/avif',
  'image/bmp',
  'video/mp4',
  'video/webm',
  'video/ogg',
  'audio/mpeg',
  'audio/ogg',
  'audio/opus',
  'audio/wav',
  'audio/webm',
  'audio/flac',
  'audio/x-flac',
  'audio/aac',
  'audio/mp4',
  'audio/x-m4a',
]);
export function isAllowedMediaType(mime: string): boolean {
  return allowedMediaTypes.has(mime);
}

/** Why a media request got no bytes; the shell turns each into an HTTP status. */
export type MediaFailureReason =
  'not_found' | 'not_signed_in' | 'too_large' | 'unsupported_type' | 'integrity' | 'unavailable';

export type MediaResult =
  { ok: true; contentType: string; bytes: Uint8Array } | { ok: false; reason: MediaFailureReason };

export class MediaError extends Error {
  readonly reason: MediaFailureReason;

  constructor(reason: MediaFailureReason, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MediaError';
    this.reason = reason;
  }
}
