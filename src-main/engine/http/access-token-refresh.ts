// Refresh tokens (Matrix v1.3): the access token expires and POST /refresh trades the refresh
// token for a new pair. Refresh tokens rotate, so the new pair is handed to `persist` (the
// session row, inside SQLCipher) BEFORE it is used: a crash right after a refresh still finds
// the pair the server now expects. One refresh at a time: requests refused together wait for the
// same refresh. Tokens are never logged.
import { z } from 'zod';
import { MatrixApiError } from './matrix-api-error.ts';
import type { AccessTokenRenewal, MatrixHttp } from './matrix-http.ts';

export interface RefreshedTokens {
  accessToken: string;
  refreshToken: string;
  /** Ms since the epoch; null when the server did not say (the token does not expire). */
  accessTokenExpiresAt: number | null;
}

export interface AccessTokenRefreshOptions {
  http: Pick<MatrixHttp, 'request' | 'setAccessToken'>;
  refreshToken: string;
  accessTokenExpiresAt: number | null;
  /** Stores the new pair durably; throws if it could not (the pair is then not used). */
  persist(tokens: RefreshedTokens): void;
  log(level: 'info' | 'warn', message: string): void;
  now?(): number;
}

const refreshResponseSchema = z.looseObject({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).optional(),
  expires_in_ms: z.number().int().positive().optional(),
});

/** Refresh this long before expiry at most; less for short-lived tokens (a fifth of their life). */
const MAX_EARLY_MS = 60_000;

export class AccessTokenRefresh implements AccessTokenRenewal {
  readonly #options: AccessTokenRefreshOptions;
  readonly #now: () => number;
  #refreshToken: string;
  #expiresAt: number | null;
  #earlyMs: number;
  #inFlight: Promise<void> | undefined;
  /** The token the HTTP client holds now: a refusal of an older one just replays. */
  #current: string | undefined;

  constructor(options: AccessTokenRefreshOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#refreshToken = options.refreshToken;
    this.#expiresAt = options.accessTokenExpiresAt;
    this.#earlyMs = earlyMargin(this.#expiresAt === null ? null : this.#expiresAt - this.#now());
  }

  async beforeRequest(): Promise<void> {
    if (this.#expiresAt === null || this.#now() < this.#expiresAt - this.#earlyMs) return;
    try {
      await this.#refreshOnce();
    } catch {
      // The request goes with the token it has; a refusal comes back through renew().
    }
  }

  async renew(staleToken: string, refusal: MatrixApiError): Promise<void> {
    if (this.#current !== undefined && this.#current !== staleToken) return;
    try {
      await this.#refreshOnce();
    } catch (error) {
      // The refresh token was refused too: the session has ended (the refusal of the access token
      // says whether the server calls it a soft logout).
      if (error instanceof MatrixApiError && (error.status === 401 || error.status === 403)) throw refusal;
      throw error;
    }
  }

  /** Refreshes now, unless a refresh is already under way (then waits for that one). */
  refreshNow(): Promise<void> {
    return this.#refreshOnce();
  }

  #refreshOnce(): Promise<void> {
    this.#inFlight ??= this.#refresh().finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }

  async #refresh(): Promise<void> {
    const { http, persist, log } = this.#options;
    const response = await http.request('POST', '/_matrix/client/v3/refresh', {
      schema: refreshResponseSchema,
      authenticated: false,
      body: { refresh_token: this.#refreshToken },
    });
    const lifetime = response.expires_in_ms ?? null;
    const tokens: RefreshedTokens = {
      accessToken: response.access_token,
      // No new refresh token: the old one stays valid (the spec allows either).
      refreshToken: response.refresh_token ?? this.#refreshToken,
      accessTokenExpiresAt: lifetime === null ? null : this.#now() + lifetime,
    };
    persist(tokens);
    this.#refreshToken = tokens.refreshToken;
    this.#expiresAt = tokens.accessTokenExpiresAt;
    this.#earlyMs = earlyMargin(lifetime);
    this.#current = tokens.accessToken;
    http.setAccessToken(tokens.accessToken);
    log('info', 'session: access token refreshed');
  }
}

function earlyMargin(lifetimeMs: number | null): number {
  if (lifetimeMs === null || lifetimeMs <= 0) return 0;
  return Math.min(MAX_EARLY_MS, Math.floor(lifetimeMs / 5));
}
