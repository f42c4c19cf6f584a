// How a homeserver lets people sign in (GET /login): a password, single sign-on (m.login.sso)
// and its identity providers. Icons are ignored: the UI loads no remote images.
import { z } from 'zod';
import type { SignInOptions } from '../../../src-preload/contract.ts';
import type { MatrixHttp } from '../http/matrix-http.ts';

export interface IdentityProvider {
  /** Null for the generic entry: the server then picks the provider (or asks). */
  id: string | null;
  name: string;
  /** A well-known brand (e.g. `github`, `org.matrix.apple`) the UI may style; null if none. */
  brand: string | null;
}

export interface LoginFlows {
  password: boolean;
  /** Null when the server offers no single sign-on; else at least one provider. */
  identityProviders: IdentityProvider[] | null;
}

/** Per the spec (MSC2858) an id is at most 255 of these characters; it goes into a URL path. */
const providerIdPattern = /^[A-Za-z0-9_.~-]{1,255}$/;
export const MAX_IDENTITY_PROVIDERS = 50;

const flowsSchema = z.object({
  flows: z.array(z.looseObject({ type: z.string(), identity_providers: z.unknown().optional() })).max(100),
});

const providerSchema = z.looseObject({
  id: z.string().regex(providerIdPattern),
  name: z.string().trim().min(1).max(255),
  brand: z.string().max(255).optional(),
});

/** The generic entry when m.login.sso lists no providers: the server picks (or asks). */
export const GENERIC_SSO: IdentityProvider = { id: null, name: 'single sign-on', brand: null };

export async function fetchLoginFlows(http: MatrixHttp): Promise<LoginFlows> {
  const { flows } = await http.request('GET', '/_matrix/client/v3/login', {
    schema: flowsSchema,
    authenticated: false,
  });
  const sso = flows.find((flow) => flow.type === 'm.login.sso');
  return {
    password: flows.some((flow) => flow.type === 'm.login.password'),
    identityProviders: sso ? identityProvidersOf(sso.identity_providers) : null,
  };
}

/**
 * A provider the spec's shape does not fit is left out rather than failing the whole sign-in
 * page; when none is usable the server's own choice (the generic entry) remains.
 */
function identityProvidersOf(raw: unknown): IdentityProvider[] {
  const providers: IdentityProvider[] = [];
  const seen = new Set<string | null>();
  for (const entry of Array.isArray(raw) ? raw.slice(0, MAX_IDENTITY_PROVIDERS) : []) {
    const parsed = providerSchema.safeParse(entry);
    if (!parsed.success || seen.has(parsed.data.id)) continue;
    seen.add(parsed.data.id);
    providers.push({ id: parsed.data.id, name: parsed.data.name, brand: parsed.data.brand ?? null });
  }
  return providers.length > 0 ? providers : [GENERIC_SSO];
}

/** The session.signInOptions answer: what the server offers, less what the policy turns off. */
export function signInOptionsView(baseUrl: URL, flows: LoginFlows, passwordAllowed: boolean): SignInOptions {
  return {
    homeserver: baseUrl.href,
    password: flows.password && passwordAllowed,
    identityProviders: flows.identityProviders
      ? flows.identityProviders.map((provider) => ({ ...provider }))
      : [],
  };
}
