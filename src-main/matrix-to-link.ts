// matrix.to permalinks (Matrix spec, appendices, "matrix.to navigation"): a link in a message like
// https://matrix.to/#/%23room%3Aexample.org or https://matrix.to/#/!room:example.org/$event?via=x
// names a room, an event or a user, not a web page. Tessera opens it itself, the same way as a
// `matrix:` URI: the permalink is rewritten into that form and then goes through the strict
// parser (matrix-uri.ts) and the link inbox, so the person confirms any join or new chat there.
// Anything the rewrite or the parser refuses stays an ordinary https link for the browser.
import { parseMatrixUri } from './matrix-uri.ts';

const pathTypes: Readonly<Record<string, string>> = { '@': 'u', '#': 'r', '!': 'roomid' };

function decode(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

/** The `matrix:` URI a matrix.to permalink stands for, or null when `raw` is not a valid one. */
export function matrixToAsMatrixUri(raw: string): string | null {
  if (raw.length > 4096 || !URL.canParse(raw)) return null;
  const url = new URL(raw);
  if (url.protocol !== 'https:' || url.hostname !== 'matrix.to' || url.port !== '') return null;
  if (url.username !== '' || url.password !== '' || url.pathname !== '/' || url.search !== '') return null;
  if (!url.hash.startsWith('#/')) return null;
  let rest = url.hash.slice(2);
  const queryStart = rest.indexOf('?');
  const query = queryStart === -1 ? '' : rest.slice(queryStart + 1);
  if (queryStart !== -1) rest = rest.slice(0, queryStart);
  const segments = rest.split('/').map(decode);
  if (segments.length > 2 || segments.some((segment) => segment === null || segment === '')) return null;
  const [id, eventId] = segments as string[];
  const type = id === undefined ? undefined : pathTypes[id.charAt(0)];
  if (id === undefined || type === undefined) return null;
  if (eventId !== undefined && (type === 'u' || !eventId.startsWith('$'))) return null;
  let uri = `matrix:${type}/${encodeURIComponent(id.slice(1))}`;
  if (eventId !== undefined) uri += `/e/${encodeURIComponent(eventId.slice(1))}`;
  if (query !== '') uri += `?${query}`;
  return parseMatrixUri(uri).ok ? uri : null;
}
