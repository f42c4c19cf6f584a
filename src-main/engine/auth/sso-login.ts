// Single sign-on (Matrix client-server API, "SSO client login"): the browser goes to the
// homeserver's /login/sso/redirect, the identity provider signs the person in, the homeserver
// sends the browser back to our loopback listener with a short-lived login token, and the token
// is exchanged for the device's tokens with `m.login.token`.
import { EngineError } from '../errors.ts';
import { MatrixApiError } from '../http/matrix-api-error.ts';
import type { MatrixHttp } from '../http/matrix-http.ts';
import { deviceFields, loginResponseSchema, toLoginResult, type LoginResult } from './login-response.ts';
import type { LoginFlows } from './sign-in-options.ts';

/** The page the system browser opens: the homeserver's SSO redirect, for one provider or any. */
export function ssoRedirectUrl(baseUrl: URL, redirectUrl: string, identityProviderId: string | null): URL {
  const base = baseUrl.href.replace(/\/+$/, '');
  const provider = identityProviderId === null ? '' : `/${encodeURIComponent(identityProviderId)}`;
  const url = new URL(`${base}/_matrix/client/v3/login/sso/redirect${provider}`);
  url.searchParams.set('redirectUrl', redirectUrl);
  return url;
}

/** Refuses a server without single sign-on, or a provider it does not list, before anything opens. */
export function checkSsoOffered(host: string, flows: LoginFlows, identityProviderId: string | null): void {
  const providers = flows.identityProviders;
  if (providers === null) {
    throw new EngineError('sso_unsupported', `${host} does not offer single sign-on`);
  }
  // Without a provider the server chooses (or asks), which every SSO server supports.
  if (identityProviderId !== null && !providers.some((provider) => provider.id === identityProviderId)) {
    throw new EngineError('sso_unsupported', `${host} does not offer that way of signing in`);
  }
}

export interface TokenLoginOptions {
  /** Sign in again as this existing device (after a soft logout), so its keys stay valid. */
  deviceId?: string;
}

/** Exchanges the login token from the browser for the device's tokens. */
export async function tokenLogin(
  http: MatrixHttp,
  loginToken: string,
  options: TokenLoginOptions = {},
): Promise<LoginResult> {
  try {
    const response = await http.request('POST', '/_matrix/client/v3/login', {
      schema: loginResponseSchema,
      authenticated: false,
      // A login token works once: a retry after a lost answer would only be refused.
      retries: 0,
      body: { type: 'm.login.token', token: loginToken, ...deviceFields(options.deviceId) },
    });
    return toLoginResult(response);
  } catch (error) {
    throw explainTokenLoginFailure(error, http.host);
  }
}

function explainTokenLoginFailure(error: unknown, host: string): unknown {
  if (!(error instanceof MatrixApiError)) return error;
  if (error.errcode === 'M_USER_DEACTIVATED') {
    return new EngineError('user_deactivated', 'This account has been deactivated');
  }
  if (error.status >= 500) {
    return new EngineError('server_error', `${host} had a problem signing you in; try again later`, {
      cause: error,
    });
  }
  // M_FORBIDDEN (an unknown, used or expired token) and anything else the server refused.
  return new EngineError('sso_failed', `${host} did not accept the single sign-on; try again`, {
    cause: error,
  });
}
