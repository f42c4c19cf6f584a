// Server discovery per the spec: `.well-known/matrix/client` on the server name, then
// `/_matrix/client/versions` on the base URL to prove it is a Matrix homeserver.
import { z } from 'zod';
import { EngineError } from '../errors.ts';
import { MatrixApiError } from '../http/matrix-api-error.ts';
import { MatrixHttp } from '../http/matrix-http.ts';
import { isValidServerName } from './user-id.ts';

export interface Homeserver {
  baseUrl: URL;
  versions: string[];
  unstableFeatures: Record<string, boolean>;
}

export interface DiscoveryOptions {
  fetch?: typeof fetch;
  /** Permit plain http to hosts other than this computer (tests of other machines only). */
  allowInsecureHttp?: boolean;
  timeoutMs?: number;
}

const SIMPLIFIED_SLIDING_SYNC = 'org.matrix.simplified_msc3575';

export function supportsSimplifiedSlidingSync(homeserver: Homeserver): boolean {
  return homeserver.unstableFeatures[SIMPLIFIED_SLIDING_SYNC] === true;
}

const versionsSchema = z.object({
  versions: z.array(z.string()).min(1),
  unstable_features: z.record(z.string(), z.unknown()).optional(),
});

const wellKnownSchema = z.looseObject({
  'm.homeserver': z.looseObject({ base_url: z.string() }),
});

const badUrl = (why: string) =>
  new EngineError('invalid_homeserver_url', `That homeserver address is not valid: ${why}`, {
    field: 'homeserver',
  });

export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

function checkScheme(url: URL, allowInsecureHttp: boolean): void {
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw badUrl('use an https:// address');
  if (url.protocol === 'http:' && !allowInsecureHttp && !isLoopbackHost(url.hostname)) {
    throw new EngineError(
      'invalid_homeserver_url',
      'Tessera connects to homeservers over https only; plain http is allowed only for this computer',
      { field: 'homeserver' },
    );
  }
  if (url.username || url.password) throw badUrl('it must not contain a user name or password');
}

/** Turns what a person typed into a URL, and says whether it named a bare server (so well-known applies). */
export function parseHomeserverInput(input: string): { url: URL; bareServer: boolean } {
  const typed = input.trim();
  if (typed.includes('://')) {
    let url: URL;
    try {
      url = new URL(typed);
    } catch {
      throw badUrl('it could not be read as a web address');
    }
    if (url.search || url.hash) throw badUrl('it must not contain ? or #');
    url.pathname = url.pathname.replace(/\/+$/, '');
    return { url, bareServer: url.pathname === '' || url.pathname === '/' };
  }
  if (!isValidServerName(typed)) throw badUrl('use a server name like example.org or an https:// address');
  const hostname = typed.replace(/:\d+$/, '');
  const scheme = isLoopbackHost(hostname) ? 'http' : 'https';
  return { url: new URL(`${scheme}://${typed}`), bareServer: true };
}

async function readWellKnown(http: MatrixHttp, timeoutMs: number): Promise<URL | undefined> {
  let document: z.output<typeof wellKnownSchema>;
  try {
    document = await http.request('GET', '/.well-known/matrix/client', {
      schema: wellKnownSchema,
      authenticated: false,
      timeoutMs,
      retries: 0,
    });
  } catch (error) {
    // The spec's IGNORE cases: no file, or not the expected JSON. Network failures are left to
    // the /versions probe of the same host, which reports them with the right code.
    if (error instanceof MatrixApiError || error instanceof EngineError) return undefined;
    throw error;
  }
  try {
    return new URL(document['m.homeserver'].base_url);
  } catch {
    throw new EngineError(
      'not_a_homeserver',
      `The discovery file of ${http.host} names an invalid homeserver address`,
    );
  }
}

export async function probeHomeserver(baseUrl: URL, options: DiscoveryOptions = {}): Promise<Homeserver> {
  const http = new MatrixHttp({ baseUrl, fetch: options.fetch });
  let body: z.output<typeof versionsSchema>;
  try {
    body = await http.request('GET', '/_matrix/client/versions', {
      schema: versionsSchema,
      authenticated: false,
      timeoutMs: options.timeoutMs ?? 15_000,
      retries: 0,
    });
  } catch (error) {
    if (
      error instanceof MatrixApiError ||
      (error instanceof EngineError && error.code === 'invalid_response')
    ) {
      throw new EngineError('not_a_homeserver', `${baseUrl.host} does not look like a Matrix homeserver`, {
        field: 'homeserver',
        cause: error,
      });
    }
    throw error;
  }
  const unstableFeatures: Record<string, boolean> = {};
  for (const [name, enabled] of Object.entries(body.unstable_features ?? {})) {
    if (typeof enabled === 'boolean') unstableFeatures[name] = enabled;
  }
  return { baseUrl, versions: body.versions, unstableFeatures };
}

/**
 * Finds the homeserver from what was typed in the homeserver field or, when it is empty, the
 * server name of a full user id.
 */
export async function discoverHomeserver(
  typed: string,
  serverNameFromUserId: string | undefined,
  options: DiscoveryOptions = {},
): Promise<Homeserver> {
  const allowInsecure = options.allowInsecureHttp ?? false;
  let candidate: { url: URL; bareServer: boolean };
  if (typed.trim().length > 0) {
    candidate = parseHomeserverInput(typed);
  } else if (serverNameFromUserId) {
    candidate = parseHomeserverInput(serverNameFromUserId);
  } else {
    throw new EngineError(
      'invalid_homeserver_url',
      'Enter a homeserver, or sign in with a full user ID like @alice:example.org',
      { field: 'homeserver' },
    );
  }
  checkScheme(candidate.url, allowInsecure);

  let baseUrl = candidate.url;
  if (candidate.bareServer) {
    const wellKnownHttp = new MatrixHttp({ baseUrl: new URL(candidate.url.origin), fetch: options.fetch });
    const advertised = await readWellKnown(wellKnownHttp, options.timeoutMs ?? 10_000);
    if (advertised) {
      checkScheme(advertised, allowInsecure);
      advertised.pathname = advertised.pathname.replace(/\/+$/, '');
      baseUrl = advertised;
    }
  }
  return probeHomeserver(baseUrl, options);
}
