// Matrix user ids per the spec's grammar: `@localpart:server_name`, at most 255 bytes.
// People type either a full id or a bare localpart; both are parsed here, once.
import { EngineError } from '../errors.ts';

export interface UserId {
  localpart: string;
  /** The server name, with port if any (e.g. `example.org`, `localhost:8448`). */
  serverName: string;
  full: string;
}

// Localparts: the spec's current set plus the historical printable-ASCII set older accounts
// may have (excluding ':' which ends the localpart). Server names: host [":" port].
const HISTORICAL_LOCALPART = /^[\x21-\x39\x3b-\x7e]+$/;
const DNS_NAME = /^[A-Za-z0-9.-]{1,255}$/;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
const IPV6_LITERAL = /^\[[0-9A-Fa-f:.]{2,45}\]$/;

export function isValidServerName(serverName: string): boolean {
  const match = /^(\[[^\]]*\]|[^:]*)(?::(\d{1,5}))?$/.exec(serverName);
  if (!match) return false;
  const host = match[1] ?? '';
  const port = match[2];
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) return false;
  if (IPV6_LITERAL.test(host)) return true;
  if (IPV4.test(host)) return host.split('.').every((part) => Number(part) <= 255);
  return DNS_NAME.test(host) && !host.startsWith('.') && !host.endsWith('.') && !host.includes('..');
}

const invalid = (why: string) =>
  new EngineError(
    'invalid_user_id',
    `That is not a valid Matrix user ID: ${why}. Use a form like @alice:example.org`,
    {
      field: 'user',
    },
  );

/** Parses a full user id (`@alice:example.org`). */
export function parseUserId(input: string): UserId {
  const full = input.trim();
  if (!full.startsWith('@')) throw invalid('it must start with @');
  const colon = full.indexOf(':');
  if (colon === -1) throw invalid('it has no server name after a colon');
  const localpart = full.slice(1, colon);
  const serverName = full.slice(colon + 1);
  if (localpart.length === 0) throw invalid('the part before the colon is empty');
  if (!HISTORICAL_LOCALPART.test(localpart))
    throw invalid('the name contains characters Matrix does not allow');
  if (!isValidServerName(serverName)) throw invalid('the server name is not valid');
  if (Buffer.byteLength(full, 'utf8') > 255) throw invalid('it is longer than 255 bytes');
  return { localpart, serverName, full };
}

/**
 * What the person typed in the user field: a full id, or a bare localpart that belongs to the
 * homeserver they named. Returns the localpart form for a bare name (the server decides the domain).
 */
export function parseUserInput(
  input: string,
): { kind: 'full'; id: UserId } | { kind: 'localpart'; localpart: string } {
  const trimmed = input.trim();
  if (trimmed.startsWith('@') || trimmed.includes(':')) {
    return { kind: 'full', id: parseUserId(trimmed.startsWith('@') ? trimmed : `@${trimmed}`) };
  }
  if (!HISTORICAL_LOCALPART.test(trimmed))
    throw invalid('the name contains characters Matrix does not allow');
  if (Buffer.byteLength(trimmed, 'utf8') > 255) throw invalid('it is longer than 255 bytes');
  return { kind: 'localpart', localpart: trimmed };
}
