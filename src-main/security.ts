// Minimal security handlers for every web contents and the renderer's session (DESIGN.md §1):
// no navigation away from app://tessera, no new windows, no permissions, and no network from
// the renderer. Full hardening (certificate policy, devtools, downloads) comes later.
import type { Session, WebContents } from 'electron';
import { isAppUrl } from './app-origin.ts';

/** Request protocols the renderer may never use: it has no network and no file access. */
export const blockedRequestProtocols: ReadonlySet<string> = new Set([
  'http:',
  'https:',
  'ws:',
  'wss:',
  'file:',
]);

export function isBlockedRequest(url: string): boolean {
  let protocol: string;
  try {
    protocol = new URL(url).protocol;
  } catch {
    return true;
  }
  return blockedRequestProtocols.has(protocol);
}

type PolicedContents = Pick<WebContents, 'on' | 'setWindowOpenHandler'>;

export function applyNavigationPolicy(contents: PolicedContents): void {
  contents.on('will-navigate', (event) => {
    if (!isAppUrl(event.url)) event.preventDefault();
  });
  contents.on('will-redirect', (event) => {
    if (!isAppUrl(event.url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

type PolicedSession = Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler'> & {
  webRequest: Pick<Session['webRequest'], 'onBeforeRequest'>;
};

export function applySessionPolicy(session: PolicedSession): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.webRequest.onBeforeRequest((details, callback) => {
    callback({ cancel: isBlockedRequest(details.url) });
  });
}
