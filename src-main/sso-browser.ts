// Single sign-on pages (the engine's browser.openRequested): main opens them in the system
// browser, never in a Tessera window, and only over https or plain http to this computer (a
// homeserver on loopback in development and tests). The URL carries the loopback listener's
// secret state, so it is never logged and never reaches the renderer.
import { isLoopbackHost } from './engine/auth/discovery.ts';
import {
  checkExternalLink,
  describeLinkForLog,
  openExternalLink,
  type ExternalOpener,
  type LinkLog,
} from './external-links.ts';

export type SignInPageVerdict =
  | { allowed: true; url: string }
  | { allowed: false; reason: 'malformed' | 'scheme' | 'credentials' | 'insecure' };

export function checkSignInPageUrl(raw: unknown): SignInPageVerdict {
  if (typeof raw !== 'string') return { allowed: false, reason: 'malformed' };
  const link = checkExternalLink(raw);
  if (!link.allowed) return link;
  const url = new URL(link.url);
  if (url.protocol === 'https:') return link;
  if (url.protocol === 'http:')
    return isLoopbackHost(url.hostname) ? link : { allowed: false, reason: 'insecure' };
  return { allowed: false, reason: 'scheme' };
}

/** Opens a checked sign-in page in the system browser; returns whether it did. */
export function openSignInPage(shell: ExternalOpener, raw: unknown, log: LinkLog): boolean {
  const verdict = checkSignInPageUrl(raw);
  if (!verdict.allowed) {
    log('warn', `refused to open a sign-in page: ${describeLinkForLog(String(raw))} (${verdict.reason})`);
    return false;
  }
  // Through the one door to the system's handlers (external-links.ts), after the stricter check.
  if (!openExternalLink(shell, verdict.url, log)) return false;
  log('info', 'opened a single sign-on page in the system browser');
  return true;
}
