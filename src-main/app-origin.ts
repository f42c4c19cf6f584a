// The app's own origin: app://tessera. The renderer is served from here and nowhere else.
// Node's URL gives the origin "null" for non-special schemes, so callers compare protocol
// and host rather than `origin`.

export const appScheme = 'app';
export const appHost = 'tessera';
export const appEntryUrl = `${appScheme}://${appHost}/index.html`;

/** True when `url` parses and points at app://tessera (any path). */
export function isAppUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return parsed.protocol === `${appScheme}:` && parsed.host === appHost;
}
