// What the organization's policy (EngineOptions.policy) allows at sign-in: which homeservers, the
// password, the passphrase fallback for the local data key. Checked by the engine, not only by
// the form, because the form is only as trustworthy as the renderer.
import type { PolicyView } from '../../../src-preload/contract.ts';
import { EngineError } from '../errors.ts';
import type { EnginePolicy } from '../protocol.ts';

/** The policy.get answer; without a policy nothing is managed. */
export function policyView(policy: EnginePolicy | undefined): PolicyView {
  return {
    defaultHomeserver: policy?.defaultHomeserver ?? null,
    allowedHomeservers: policy?.allowedHomeservers ? [...policy.allowedHomeservers] : null,
    passwordSignIn: policy?.passwordSignIn ?? true,
    passphraseKeyFallback: policy?.passphraseKeyFallback ?? true,
    managed: policy?.managed ? [...policy.managed] : [],
  };
}

/** Before anything is sent: password sign-in (single sign-on stays allowed) and the passphrase fallback. */
export function checkSignInAllowed(
  policy: EnginePolicy | undefined,
  request: { storagePassphrase?: string | undefined },
): void {
  if (policy?.passwordSignIn === false) {
    throw new EngineError(
      'sign_in_method_not_allowed',
      'Your organization requires single sign-on; password sign-in is turned off',
    );
  }
  checkPassphraseAllowed(policy, request);
}

/** Single sign-on is allowed under every policy; only the passphrase fallback may be refused. */
export function checkPassphraseAllowed(
  policy: EnginePolicy | undefined,
  request: { storagePassphrase?: string | undefined },
): void {
  if (request.storagePassphrase !== undefined && policy?.passphraseKeyFallback === false) {
    throw new EngineError(
      'passphrase_fallback_not_allowed',
      "Your organization requires the system keychain; a passphrase can't be used instead",
    );
  }
}

/**
 * After discovery, before the password goes anywhere or a browser opens: the base URL discovery
 * ended on is where the password, the login token and the access token are sent, so that host (with its port, unless it is the default) must be
 * on the list.
 */
export function checkHomeserverAllowed(policy: EnginePolicy | undefined, baseUrl: URL): void {
  const allowed = policy?.allowedHomeservers;
  if (allowed === undefined) return;
  if (!allowed.includes(baseUrl.host.toLowerCase())) {
    throw new EngineError(
      'homeserver_not_allowed',
      `Your organization does not allow signing in on ${baseUrl.host}`,
    );
  }
}
