// Security handlers for every web contents and the renderer's session (DESIGN.md §1): no
// navigation away from app://tessera, links opened outside (http, https, mailto only; a matrix.to
// permalink opens inside, as a matrix: link), no
// webviews, no permissions except notifications for the app itself, no network from the
// renderer, certificate errors never overridden, and devtools only when allowed.
import type { App, Session, WebContents } from 'electron';
import { appHost, appScheme, isAppUrl } from './app-origin.ts';
import { openExternalLink, type ExternalOpener, type LinkLog } from './external-links.ts';
import { matrixToAsMatrixUri } from './matrix-to-link.ts';

/** Request protocols the renderer may never use: it has no network and no file access. */
export const blockedRequestProtocols: ReadonlySet<string> = new Set([
  'http:',
  'https:',
  'ws:',
  'wss:',
  'file:',
  'ftp:',
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

export interface NavigationPolicyOptions {
  shell: ExternalOpener;
  log: LinkLog;
  /** Whether devtools may stay open (policy; never in packaged builds unless allowed). */
  devtools: boolean;
  /** A matrix.to permalink, as the `matrix:` URI it stands for: Tessera opens it itself. */
  openMatrixLink?: (uri: string) => void;
}

type PolicedContents = Pick<WebContents, 'on' | 'setWindowOpenHandler'> &
  Partial<Pick<WebContents, 'closeDevTools'>>;

export function applyNavigationPolicy(contents: PolicedContents, options: NavigationPolicyOptions): void {
  contents.on('will-navigate', (event) => {
    if (!isAppUrl(event.url)) event.preventDefault();
  });
  contents.on('will-frame-navigate', (event) => {
    if (!isAppUrl(event.url)) event.preventDefault();
  });
  contents.on('will-redirect', (event) => {
    if (!isAppUrl(event.url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  // window.open and target=_blank: never a window inside Tessera; allowed links open outside.
  contents.setWindowOpenHandler((details) => {
    const matrixUri = options.openMatrixLink ? matrixToAsMatrixUri(details.url) : null;
    if (matrixUri !== null) options.openMatrixLink?.(matrixUri);
    else openExternalLink(options.shell, details.url, options.log);
    return { action: 'deny' };
  });
  if (!options.devtools) {
    // The window's webPreferences.devTools is already false; this closes any that open anyway.
    contents.on('devtools-opened', () => contents.closeDevTools?.());
  }
}

/** The only permission the renderer may get, and only on its own origin. */
export const grantablePermissions: ReadonlySet<string> = new Set(['notifications']);

/** True when `origin` (a URL or an origin string) is app://tessera. */
function isAppOrigin(origin: string | undefined): boolean {
  if (!origin) return false;
  try {
    const url = new URL(origin);
    return url.protocol === `${appScheme}:` && url.host === appHost;
  } catch {
    return false;
  }
}

export interface PermissionAsk {
  permission: string;
  /** The requesting frame's URL or origin. */
  requestingUrl: string | undefined;
  isMainFrame: boolean | undefined;
}

/** Notifications for the app's own top frame; everything else, from anyone, is refused. */
export function isPermissionGranted(ask: PermissionAsk): boolean {
  return (
    grantablePermissions.has(ask.permission) && ask.isMainFrame !== false && isAppOrigin(ask.requestingUrl)
  );
}

type PolicedSession = Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler'> & {
  webRequest: Pick<Session['webRequest'], 'onBeforeRequest'>;
};

export function applySessionPolicy(session: PolicedSession): void {
  session.setPermissionRequestHandler((_contents, permission, callback, details) => {
    callback(
      isPermissionGranted({
        permission,
        requestingUrl: details?.requestingUrl,
        isMainFrame: details?.isMainFrame,
      }),
    );
  });
  session.setPermissionCheckHandler(
    (_contents, permission, requestingOrigin, details) =>
      isPermissionGranted({
        permission,
        // The check names the origin; a sub-frame's own URL, when given, must be the app's too.
        requestingUrl: details?.requestingUrl ?? requestingOrigin,
        isMainFrame: details?.isMainFrame,
      }) && isAppOrigin(requestingOrigin),
  );
  session.webRequest.onBeforeRequest((details, callback) => {
    callback({ cancel: isBlockedRequest(details.url) });
  });
}

type CertificateErrorSource = Pick<App, 'on'>;

/**
 * A certificate error is never overridden: no preventDefault, and the callback says no.
 * Chromium then refuses the connection, as it would without this handler.
 */
export function refuseCertificateErrors(app: CertificateErrorSource, log: LinkLog): void {
  app.on('certificate-error', (_event, _contents, url, error, _certificate, callback) => {
    let host = 'an unknown host';
    try {
      host = new URL(url).host;
    } catch {
      // keep the placeholder
    }
    log('warn', `refused a certificate for ${host} (${error})`);
    callback(false);
  });
}
