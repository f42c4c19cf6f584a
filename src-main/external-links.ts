// Links that leave Tessera (DESIGN.md §1): only parsed http:, https: and mailto: URLs go to the
// system's browser or mail client. Everything else (javascript:, file:, data:, custom schemes,
// text that is not a URL) is refused and logged by its scheme only: a URL's path and query may
// hold tokens or personal data.
import type { Shell } from 'electron';

export const externalSchemes: ReadonlySet<string> = new Set(['http:', 'https:', 'mailto:']);

export type ExternalLinkVerdict =
  { allowed: true; url: string } | { allowed: false; reason: 'malformed' | 'scheme' | 'credentials' };

/** Decides whether `raw` may be opened outside Tessera; the allowed form is the parser's. */
export function checkExternalLink(raw: string): ExternalLinkVerdict {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > 8192) {
    return { allowed: false, reason: 'malformed' };
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { allowed: false, reason: 'malformed' };
  }
  if (!externalSchemes.has(url.protocol)) return { allowed: false, reason: 'scheme' };
  if (url.protocol !== 'mailto:') {
    if (url.hostname === '') return { allowed: false, reason: 'malformed' };
    // user:password@host is a phishing trick (https://bank.example@evil.example/).
    if (url.username !== '' || url.password !== '') return { allowed: false, reason: 'credentials' };
  }
  return { allowed: true, url: url.href };
}

/** What a log line may say about a refused link: its scheme, never its path or query. */
export function describeLinkForLog(raw: string): string {
  const scheme = /^([a-z][a-z0-9+.-]{0,31}):/i.exec(typeof raw === 'string' ? raw : '')?.[1];
  return scheme ? `a ${scheme.toLowerCase()}: link` : 'a malformed link';
}

export type ExternalOpener = Pick<Shell, 'openExternal'>;
export type LinkLog = (level: 'info' | 'warn', line: string) => void;

/** Opens `raw` with the system's handler when allowed; returns whether it did. */
export function openExternalLink(shell: ExternalOpener, raw: string, log: LinkLog): boolean {
  const verdict = checkExternalLink(raw);
  if (!verdict.allowed) {
    log('warn', `refused to open ${describeLinkForLog(raw)} (${verdict.reason})`);
    return false;
  }
  shell.openExternal(verdict.url).catch(() => {
    log('warn', `the system could not open ${describeLinkForLog(verdict.url)}`);
  });
  return true;
}
