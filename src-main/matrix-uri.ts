// The `matrix:` URI scheme (Matrix spec, appendices, "Matrix URI scheme"): what the operating
// system hands Tessera when the person opens such a link. The text comes from anywhere (a web
// page, a mail), so the parser is strict: the forms the spec defines, valid identifiers, nothing
// else, and a typed answer instead of an exception.
import type { OpenedLink } from '../src-preload/contract.ts';

export type MatrixUriRefusal =
  | 'too_long'
  | 'control_character'
  | 'not_matrix'
  | 'has_authority'
  | 'has_fragment'
  | 'bad_encoding'
  | 'bad_path'
  | 'bad_identifier'
  | 'bad_query';

export type MatrixUriResult = { ok: true; link: OpenedLink } | { ok: false; reason: MatrixUriRefusal };

/** Longer input is refused before any parsing. */
export const maxMatrixUriLength = 2048;
/** The spec's limit for every identifier, sigil and server name included. */
const maxIdentifierLength = 255;

const refuse = (reason: MatrixUriRefusal): MatrixUriResult => ({ ok: false, reason });

// Server names (spec appendices, "Server Name"): a DNS name, an IPv4 address or a bracketed
// IPv6 literal, with an optional port.
const dnsName = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\.[A-Za-z0-9-]{1,63})*\.?$/;
const ipv4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;
const ipv6 = /^\[[0-9A-Fa-f:.]{2,45}\]$/;

export function isServerName(text: string): boolean {
  const match = /^(\[[^\]]*\]|[^:]+)(?::(\d{1,5}))?$/.exec(text);
  if (!match) return false;
  const host = match[1] ?? '';
  const port = match[2];
  if (port !== undefined && Number(port) > 65535) return false;
  if (host.startsWith('[')) return ipv6.test(host);
  if (ipv4.test(host)) return host.split('.').every((part) => Number(part) <= 255);
  return host.length <= maxIdentifierLength && dnsName.test(host);
}

// Printable ASCII and any non-ASCII, without whitespace or controls (checked separately).
const opaque = /^[^\s]+$/u;

/** `<sigil><localpart>:<server>`: the localpart is split at the first colon. */
function hasLocalpartAndServer(id: string, localpart: RegExp): boolean {
  const colon = id.indexOf(':');
  if (colon < 2) return false;
  return localpart.test(id.slice(1, colon)) && isServerName(id.slice(colon + 1));
}

const fitsLength = (id: string) => id.length <= maxIdentifierLength;

// Historical user ids allow any printable ASCII but the colon (spec: "Historical user IDs").
const userLocalpart = /^[\x21-\x39\x3B-\x7E]+$/;
const aliasLocalpart = /^[^:\s]+$/u;

export const isUserId = (id: string) =>
  fitsLength(id) && id.startsWith('@') && hasLocalpartAndServer(id, userLocalpart);
export const isRoomAlias = (id: string) =>
  fitsLength(id) && id.startsWith('#') && hasLocalpartAndServer(id, aliasLocalpart);
/** Room ids are opaque; older room versions carry `:server`, room version 12 does not. */
export const isRoomId = (id: string) => {
  if (!fitsLength(id) || !id.startsWith('!') || id.length < 2 || !opaque.test(id)) return false;
  const colon = id.indexOf(':');
  return colon === -1 || (colon > 1 && isServerName(id.slice(colon + 1)));
};
/** Event ids: `$` and an opaque part (room versions 1–2 add `:server`; it is not checked). */
export const isEventId = (id: string) => fitsLength(id) && /^\$[^\s]+$/u.test(id);

// C0 and C1 controls and DEL, raw or once decoded.
// eslint-disable-next-line no-control-regex
const controlCharacter = /[\u0000-\u001F\u007F-\u009F]/;

function decodeSegment(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

/** The path's type letters (the spec's short forms) and the sigil each stands for. */
const sigils = { u: '@', r: '#', roomid: '!', e: '$' } as const;
type PathType = keyof typeof sigils;
const isPathType = (text: string): text is PathType => Object.hasOwn(sigils, text);

export function parseMatrixUri(input: string): MatrixUriResult {
  if (input.length > maxMatrixUriLength) return refuse('too_long');
  if (controlCharacter.test(input)) return refuse('control_character');
  const schemeEnd = input.indexOf(':');
  if (schemeEnd === -1 || input.slice(0, schemeEnd).toLowerCase() !== 'matrix') return refuse('not_matrix');
  let rest = input.slice(schemeEnd + 1);
  // The spec reserves the authority part; no link may carry one yet.
  if (rest.startsWith('//')) return refuse('has_authority');
  if (rest.includes('#')) return refuse('has_fragment');
  const queryStart = rest.indexOf('?');
  const query = queryStart === -1 ? '' : rest.slice(queryStart + 1);
  if (queryStart !== -1) rest = rest.slice(0, queryStart);

  const segments = rest.split('/');
  const decoded: string[] = [];
  for (const segment of segments) {
    const text = decodeSegment(segment);
    if (text === null) return refuse('bad_encoding');
    if (controlCharacter.test(text)) return refuse('control_character');
    decoded.push(text);
  }

  const [type, body, eventType, eventBody, ...extra] = decoded;
  if (type === undefined || body === undefined || !isPathType(type) || type === 'e' || body === '')
    return refuse('bad_path');
  if (extra.length > 0) return refuse('bad_path');
  const id = `${sigils[type]}${body}`;

  let eventId: string | undefined;
  if (eventType !== undefined) {
    // Only rooms have events: matrix:r/…/e/… and matrix:roomid/…/e/….
    if (type === 'u' || eventType !== 'e' || eventBody === undefined || eventBody === '')
      return refuse('bad_path');
    eventId = `$${eventBody}`;
    if (!isEventId(eventId)) return refuse('bad_identifier');
  }

  const valid = type === 'u' ? isUserId(id) : type === 'r' ? isRoomAlias(id) : isRoomId(id);
  if (!valid) return refuse('bad_identifier');

  const parsedQuery = parseQuery(query);
  if (!parsedQuery) return refuse('bad_query');
  const { action, via } = parsedQuery;

  if (type === 'u') {
    if (via.length > 0 || (action !== undefined && action !== 'chat')) return refuse('bad_query');
    return { ok: true, link: { kind: 'user', userId: id, ...(action ? { action } : {}) } };
  }
  if (action !== undefined && action !== 'join') return refuse('bad_query');
  return {
    ok: true,
    link: {
      kind: 'room',
      roomIdOrAlias: id,
      ...(eventId ? { eventId } : {}),
      via,
      ...(action ? { action } : {}),
    },
  };
}

/**
 * `action` (once) and `via` (any number of server names). Keys in the spec's namespaced form
 * (`org.example.key`) are for other clients and are skipped; any other key is refused.
 */
function parseQuery(query: string): { action?: 'join' | 'chat'; via: string[] } | null {
  const via: string[] = [];
  let action: 'join' | 'chat' | undefined;
  if (query === '') return { via };
  for (const pair of query.split('&')) {
    const equals = pair.indexOf('=');
    if (equals === -1) return null;
    const key = decodeSegment(pair.slice(0, equals));
    const value = decodeSegment(pair.slice(equals + 1));
    if (key === null || value === null || controlCharacter.test(value)) return null;
    if (key === 'via') {
      if (!isServerName(value)) return null;
      via.push(value);
    } else if (key === 'action') {
      if (action !== undefined || (value !== 'join' && value !== 'chat')) return null;
      action = value;
    } else if (!/^[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(key)) {
      return null;
    }
  }
  return { via, ...(action ? { action } : {}) };
}

/** The part of a URI that may be logged: its scheme, never the rest. */
export function schemeOf(input: string): string {
  const match = /^([A-Za-z][A-Za-z0-9+.-]{0,31}):/.exec(input);
  return match?.[1]?.toLowerCase() ?? 'unknown';
}

/** On Windows and Linux the link arrives as a command-line argument. */
export function matrixUriInArgv(argv: readonly unknown[]): string | null {
  for (const arg of argv) {
    if (typeof arg === 'string' && arg.slice(0, 7).toLowerCase() === 'matrix:') return arg;
  }
  return null;
}
