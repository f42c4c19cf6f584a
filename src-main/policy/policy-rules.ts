// What the rest of Tessera asks of a loaded policy. Precedence, highest first:
// machine policy > user policy > the person's own setting > the built-in default. A key set by
// either policy is locked: the person's setting is ignored and the UI shows it as managed.
import type { AdminPolicy, PolicyKey } from './policy-schema.ts';

export type SettingOrigin = 'machine-policy' | 'user-policy' | 'user-setting' | 'default';

export interface EffectiveSetting<V> {
  value: V;
  origin: SettingOrigin;
  locked: boolean;
}

export interface SettingLayers<K extends PolicyKey> {
  machine: AdminPolicy;
  user: AdminPolicy;
  /** The person's own choice, undefined when never set. */
  userSetting: AdminPolicy[K] | undefined;
  fallback: NonNullable<AdminPolicy[K]>;
}

export function effectiveSetting<K extends PolicyKey>(
  key: K,
  layers: SettingLayers<K>,
): EffectiveSetting<NonNullable<AdminPolicy[K]>> {
  const machine = layers.machine[key];
  if (machine !== undefined) return { value: machine, origin: 'machine-policy', locked: true };
  const user = layers.user[key];
  if (user !== undefined) return { value: user, origin: 'user-policy', locked: true };
  if (layers.userSetting !== undefined && layers.userSetting !== null) {
    return { value: layers.userSetting, origin: 'user-setting', locked: false };
  }
  return { value: layers.fallback, origin: 'default', locked: false };
}

/** The engine's account settings (SettingsView) a policy can lock, with the values it fixes. */
export interface LockedAccountSettings {
  sendTypingNotices?: boolean;
  readReceipts?: 'public' | 'private';
  shareKeysWithCrossSignedOnly?: boolean;
  notificationPreviews?: boolean;
}

const accountSettingNames = ['sendTypingNotices', 'readReceipts', 'shareKeysWithCrossSignedOnly'] as const;

/** For AccountSettingsOptions.locked in the engine; its keys are SettingsView.locked. */
export function lockedAccountSettings(policy: AdminPolicy): LockedAccountSettings {
  const locked: LockedAccountSettings = {};
  if (policy.sendTypingNotices !== undefined) locked.sendTypingNotices = policy.sendTypingNotices;
  if (policy.readReceipts !== undefined) locked.readReceipts = policy.readReceipts;
  if (policy.shareKeysWithCrossSignedOnly !== undefined) {
    locked.shareKeysWithCrossSignedOnly = policy.shareKeysWithCrossSignedOnly;
  }
  // The policy key has its own name; the engine's setting is notificationPreviews.
  if (policy.notificationMessagePreviews !== undefined) {
    locked.notificationPreviews = policy.notificationMessagePreviews;
  }
  return locked;
}

export function lockedAccountSettingNames(
  policy: AdminPolicy,
): Array<(typeof accountSettingNames)[number] | 'notificationPreviews'> {
  const names: Array<(typeof accountSettingNames)[number] | 'notificationPreviews'> =
    accountSettingNames.filter((name) => policy[name] !== undefined);
  if (policy.notificationMessagePreviews !== undefined) names.push('notificationPreviews');
  return names;
}

/**
 * Whether sign-in may go to this homeserver: the host (and port, if not 443) of the base URL
 * that discovery ended on, which is where the password and the access token are sent.
 */
export function isHomeserverAllowed(policy: AdminPolicy, baseUrl: string): boolean {
  if (policy.allowedHomeservers === undefined) return true;
  let host: string;
  try {
    host = new URL(baseUrl).host.toLowerCase();
  } catch {
    return false;
  }
  return policy.allowedHomeservers.includes(host);
}

// Certificate pins: src-main/engine/http/certificate-pins.ts matches them (pinsForHost there);
// policy.certificatePins is its CertificatePins.

/** Devtools: always in development builds; in packaged builds only when the policy allows them. */
export function devToolsAllowed(policy: AdminPolicy, isPackaged: boolean): boolean {
  return !isPackaged || policy.allowDevTools === true;
}

/** The passphrase fallback is allowed unless the policy refuses it. */
export function passphraseKeyFallbackAllowed(policy: AdminPolicy): boolean {
  return policy.allowPassphraseKeyFallback !== false;
}

/** Password sign-in is allowed unless the policy demands single sign-on. */
export function passwordSignInAllowed(policy: AdminPolicy): boolean {
  return policy.ssoOnly !== true;
}

/** Notification text: previews on unless the policy (or, when unlocked, the person) turns them off. */
export function notificationPreviews(policy: AdminPolicy, userSetting: boolean | undefined): boolean {
  return policy.notificationMessagePreviews ?? userSetting ?? true;
}

/** What the shell applies (MainProcessOptions.security in main-process.ts). */
export function shellSecurityFromPolicy(
  policy: AdminPolicy,
  isPackaged: boolean,
): { devtools: boolean; certificatePins?: Readonly<Record<string, readonly string[]>> } {
  return {
    devtools: devToolsAllowed(policy, isPackaged),
    ...(policy.certificatePins ? { certificatePins: policy.certificatePins } : {}),
  };
}

/**
 * What the engine must enforce, as plain data it can receive in its worker options (the engine
 * reads no policy itself): sign-in limits, the key fallback, pins for its own TLS connections,
 * and the account settings the policy locks.
 */
export interface EnginePolicy {
  /** Host[:port] of allowed homeserver base URLs; absent: any. */
  allowedHomeservers?: string[];
  passwordSignIn: boolean;
  passphraseKeyFallback: boolean;
  certificatePins?: Record<string, string[]>;
  lockedSettings: LockedAccountSettings;
}

export function enginePolicyFromAdminPolicy(policy: AdminPolicy): EnginePolicy {
  return {
    ...(policy.allowedHomeservers ? { allowedHomeservers: [...policy.allowedHomeservers] } : {}),
    passwordSignIn: passwordSignInAllowed(policy),
    passphraseKeyFallback: passphraseKeyFallbackAllowed(policy),
    ...(policy.certificatePins ? { certificatePins: policy.certificatePins } : {}),
    lockedSettings: lockedAccountSettings(policy),
  };
}
