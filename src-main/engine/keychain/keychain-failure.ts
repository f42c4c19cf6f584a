// Turns what @napi-rs/keyring throws into a typed error a person can act on. The library gives
// every failure the same napi code (GenericFailure), so the kind is read from its message; the
// raw error is kept as `cause` for the log only (it names the entry, never the secret).
import { EngineError } from '../errors.ts';
import { describeKeychainPlatform, type KeychainPlatform } from './keychain-platform.ts';

export type KeychainFailureKind = 'locked' | 'denied' | 'no-keyring' | 'no-service' | 'ambiguous' | 'other';

// Texts seen from @napi-rs/keyring 2.1 (keyring-core, dbus-secret-service, the Apple and Windows
// stores). Order matters: a D-Bus AccessDenied is a denial, not a missing service.
const patterns: [KeychainFailureKind, RegExp][] = [
  [
    'locked',
    /object locked|prompt (was )?dismissed|interaction (is )?not allowed|errSecInteractionNotAllowed|-25308/i,
  ],
  ['ambiguous', /Entry is matched by/i],
  // Secret Service with no collection to write into (no default keyring).
  ['no-keyring', /no result found|no default (keyring|collection)|NoSuchKeychain|-25294/i],
  [
    'denied',
    /access ?denied|permission denied|not authori[sz]ed|user cancel+ed|errSecAuthFailed|-25293|-128\b/i,
  ],
  [
    'no-service',
    /no dbus session|secret service provider|not provided by any \.service files|ServiceUnknown|failed to connect to socket|autolaunch|DBUS_SESSION_BUS_ADDRESS|NoServer|disconnected|native binding|DBus error|D-Bus error/i,
  ],
];

export function classifyKeychainFailure(error: unknown): KeychainFailureKind {
  const text = error instanceof Error ? `${error.message} ${String(error.cause ?? '')}` : String(error);
  for (const [kind, pattern] of patterns) if (pattern.test(text)) return kind;
  return 'other';
}

export function keychainFailure(error: unknown, platform: KeychainPlatform | null): EngineError {
  if (error instanceof EngineError) return error;
  const where = describeKeychainPlatform(platform);
  const kind = classifyKeychainFailure(error);
  const message = (() => {
    switch (kind) {
      case 'locked':
        return `${capitalise(where)} is locked and was not unlocked. Unlock it and try again.`;
      case 'denied':
        return `${capitalise(where)} refused Tessera access to its key. Allow access and try again.`;
      case 'no-keyring':
        return `${capitalise(where)} has no default keyring to keep Tessera's key in. Create one (for example with Seahorse).`;
      case 'no-service':
        return platform === 'secret-service'
          ? 'Tessera cannot reach a Secret Service keyring (such as GNOME Keyring or KWallet) on this computer. Start one and try again.'
          : `Tessera cannot reach ${where}. Try again.`;
      case 'ambiguous':
        return `${capitalise(where)} holds more than one entry for this profile's key, written by another program. Remove the extra entries and try again.`;
      case 'other':
        return `${capitalise(where)} did not answer as expected. Try again.`;
    }
  })();
  return new EngineError('keychain_unavailable', message, { cause: error });
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
