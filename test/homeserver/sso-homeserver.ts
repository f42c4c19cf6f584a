// A Synapse of its own with single sign-on through the test identity provider (OIDC), for the
// SSO tests; the shared test homeserver stays password-only.
import { startSynapse, type TestHomeserver } from './synapse.ts';
import { startTestIdentityProvider, type TestIdentityProvider } from './test-identity-provider.ts';

/** Synapse prefixes the configured id with `oidc-`. */
export const TEST_IDP_ID = 'oidc-test';
export const TEST_IDP_NAME = 'Test Identity';

export interface SsoHomeserver {
  homeserver: TestHomeserver;
  identityProvider: TestIdentityProvider;
  stop(): Promise<void>;
}

export interface SsoHomeserverOptions {
  /**
   * Synapse asks "Continue to your account?" before sending the login token to a client it does
   * not know, as real users see it. False whitelists loopback redirects, so a test without a
   * browser goes straight back to Tessera.
   */
  confirmPage?: boolean;
  extraConfig?: Record<string, unknown>;
}

export async function startSsoHomeserver(options: SsoHomeserverOptions = {}): Promise<SsoHomeserver> {
  const identityProvider = await startTestIdentityProvider();
  try {
    const homeserver = await startSynapse({
      extraConfig: {
        oidc_providers: [identityProvider.synapseConfig('test', TEST_IDP_NAME)],
        ...(options.confirmPage ? {} : { sso: { client_whitelist: ['http://127.0.0.1:'] } }),
        ...options.extraConfig,
      },
    });
    return {
      homeserver,
      identityProvider,
      async stop() {
        await homeserver.stop();
        await identityProvider.stop();
      },
    };
  } catch (error) {
    await identityProvider.stop();
    throw error;
  }
}
