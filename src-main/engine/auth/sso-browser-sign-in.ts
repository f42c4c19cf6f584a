// One single sign-on at a time: the attempt that waits for the browser, and its cancellation.
// The engine owns one; session.cancelSso and shutdown cancel the attempt under way.
import { EngineError } from '../errors.ts';
import type { EngineLogLevel } from '../protocol.ts';
import { ssoRedirectUrl } from './sso-login.ts';
import { listenForSsoRedirect, SSO_TIMEOUT_MS, type SsoRedirectListener } from './sso-redirect-listener.ts';

export interface SsoBrowserSignInOptions {
  /** Asks main to open the page in the system browser (browser.openRequested). */
  openBrowser(url: string): void;
  log(level: EngineLogLevel, message: string): void;
  timeoutMs?: number;
}

export interface SsoAttempt {
  /** Opens the homeserver's SSO page in the browser and waits for the login token it sends back. */
  loginToken(baseUrl: URL, identityProviderId: string | null): Promise<string>;
  /** Fails with sso_cancelled when the person cancelled meanwhile (e.g. during discovery). */
  throwIfCancelled(): void;
  /** Frees the slot for the next attempt; closes the listener if it still waits. */
  end(): void;
}

export class SsoBrowserSignIn {
  readonly #options: SsoBrowserSignInOptions;
  #current: { cancelled: boolean; listener?: SsoRedirectListener } | undefined;

  constructor(options: SsoBrowserSignInOptions) {
    this.#options = options;
  }

  get waiting(): boolean {
    return this.#current !== undefined;
  }

  /** Claims the one slot at once, before any await, so two sign-ins cannot both start. */
  begin(): SsoAttempt {
    if (this.#current) {
      throw new EngineError(
        'sso_in_progress',
        'A single sign-on is already waiting for your browser; finish or cancel it first',
      );
    }
    const current: { cancelled: boolean; listener?: SsoRedirectListener } = { cancelled: false };
    this.#current = current;
    const throwIfCancelled = () => {
      if (current.cancelled) throw new EngineError('sso_cancelled', 'Single sign-on was cancelled');
    };
    return {
      throwIfCancelled,
      loginToken: async (baseUrl, identityProviderId) => {
        throwIfCancelled();
        const listener = await listenForSsoRedirect({
          timeoutMs: this.#options.timeoutMs ?? SSO_TIMEOUT_MS,
          log: (level, message) => this.#options.log(level, message),
        });
        current.listener = listener;
        if (current.cancelled) listener.cancel();
        else {
          this.#options.log('info', `sso: waiting for the browser to come back from ${baseUrl.host}`);
          this.#options.openBrowser(ssoRedirectUrl(baseUrl, listener.redirectUrl, identityProviderId).href);
        }
        return listener.loginToken;
      },
      end: () => {
        current.listener?.cancel();
        if (this.#current === current) this.#current = undefined;
      },
    };
  }

  /** Cancels the attempt under way, if any; its call then fails with sso_cancelled. */
  cancel(): void {
    const current = this.#current;
    if (!current) return;
    current.cancelled = true;
    current.listener?.cancel();
  }
}
