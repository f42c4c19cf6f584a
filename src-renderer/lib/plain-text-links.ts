// Links in a plain-text message body (most clients send URLs as plain text, without
// formatted_body). linkify-it finds them, as markdown-it does when Tessera sends; only http,
// https and mailto become links, the same schemes the HTML sanitizer keeps (html-rules.ts). Text
// stays text: it is rendered by Svelte as text nodes, never as HTML. A click goes through main's
// window-open handler, which opens the link outside Tessera (or a matrix.to permalink inside).
import { LinkifyIt } from 'linkify-it';

export type PlainSegment = { kind: 'text'; text: string } | { kind: 'link'; text: string; href: string };

// No fuzzy links (linkify-it's default): a bare `notes.txt` or `example.org` stays text; only
// URLs with a scheme and mail addresses become links.
const linkify = new LinkifyIt();
const linkSchemes = /^(?:https?:|mailto:)/i;

/** Bodies longer than this are shown without links rather than scanned (a 64 KiB event is rare). */
const MAX_SCANNED = 20_000;

export function plainTextSegments(body: string): PlainSegment[] {
  const matches = body.length <= MAX_SCANNED ? (linkify.match(body) ?? []) : [];
  const segments: PlainSegment[] = [];
  let at = 0;
  for (const match of matches) {
    if (!linkSchemes.test(match.url)) continue;
    if (match.index > at) segments.push({ kind: 'text', text: body.slice(at, match.index) });
    segments.push({ kind: 'link', text: match.text, href: match.url });
    at = match.lastIndex;
  }
  if (at < body.length || segments.length === 0) segments.push({ kind: 'text', text: body.slice(at) });
  return segments;
}
