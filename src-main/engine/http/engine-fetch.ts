// The engine's one fetch, used by MatrixHttp, discovery and media alike. Without certificate pins
// it is the global fetch, unchanged. With pins, every request (and every redirect it follows)
// goes through one undici Agent whose TLS check is pinnedServerIdentityCheck: a pinned host must
// show a pinned key, other hosts get Node's normal check. undici's own fetch is used with its own
// Agent, so the two always match, whatever undici the runtime (Node 24, Electron's Node 22) bundles.
import type { Agent } from 'undici';
import { pinnedServerIdentityCheck, type CertificatePins } from './certificate-pins.ts';

export interface EngineFetchOptions {
  /** Certificates (PEM) to trust instead of the system's: tests of a loopback HTTPS server only. */
  ca?: string | string[];
}

type UndiciFetchInit = NonNullable<Parameters<(typeof import('undici'))['fetch']>[1]>;

function hasPins(pins: CertificatePins | undefined): pins is CertificatePins {
  return pins !== undefined && Object.values(pins).some((hostPins) => hostPins.length > 0);
}

/** A fetch that enforces `pins` on every TLS connection it opens; the global fetch when there are none. */
export function createEngineFetch(
  pins: CertificatePins | undefined,
  options: EngineFetchOptions = {},
): typeof fetch {
  // Looked up on each call, exactly as the engine did before pins existed.
  if (!hasPins(pins) && options.ca === undefined) return (input, init) => globalThis.fetch(input, init);

  // undici is loaded on first use only: most installations have no pins, and loading it costs
  // a noticeable part of the engine's start.
  let pinned: Promise<typeof fetch> | undefined;
  const load = async (): Promise<typeof fetch> => {
    const undici = await import('undici');
    const agent: Agent = new undici.Agent({
      connect: {
        checkServerIdentity: pinnedServerIdentityCheck(pins ?? {}),
        // Node skips checkServerIdentity when it resumes a TLS session; with no session cache
        // every new connection is checked against the pins.
        maxCachedSessions: 0,
        ...(options.ca !== undefined ? { ca: options.ca } : {}),
      },
    });
    const pinnedFetch = (input: Parameters<typeof fetch>[0], init?: RequestInit) =>
      undici.fetch(input as Parameters<typeof undici.fetch>[0], {
        ...(init as UndiciFetchInit | undefined),
        dispatcher: agent,
      });
    return pinnedFetch as unknown as typeof fetch;
  };
  return async (input, init) => {
    pinned ??= load();
    return (await pinned)(input, init);
  };
}
