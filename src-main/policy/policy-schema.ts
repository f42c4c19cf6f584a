// The organization's policy: one zod schema for every platform (Windows registry, macOS managed
// preferences, /etc/tessera/policy.json), and for each key how Windows stores it and whether a
// bad value in it is a security matter (then Tessera refuses to start rather than run without it).
import { z } from 'zod';

const maxUrlLength = 2048;
const maxListLength = 100;

/** An https URL without credentials, query or fragment: where a homeserver or the update feed lives. */
const httpsUrl = z
  .string()
  .max(maxUrlLength)
  .refine((value) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return false;
    }
    return (
      url.protocol === 'https:' &&
      url.username === '' &&
      url.password === '' &&
      url.search === '' &&
      url.hash === ''
    );
  }, 'must be an https:// URL without user name, password, query or fragment');

/** A DNS host name with an optional port, lower case, as it appears in a homeserver's base URL. */
const hostPattern =
  /^(?=.{1,253}(:|$))([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*(:[1-9][0-9]{0,4})?$/;
const host = z.string().max(260).regex(hostPattern, 'must be a lower-case host name, optionally with :port');

/** Pins are per host name, whatever the port (TLS checks see the name only). */
const pinnedHost = z
  .string()
  .max(253)
  .regex(hostPattern, 'must be a lower-case host name')
  .refine((value) => !value.includes(':'), 'must be a host name without :port');

/** An SPKI pin as HPKP and OkHttp write it: sha256/ and the base64 of 32 bytes. */
const pinPattern = /^sha256\/[A-Za-z0-9+/]{43}=$/;
const spkiPin = z
  .string()
  .regex(
    pinPattern,
    'must be "sha256/" followed by the base64 SHA-256 of the certificate\'s public key (44 characters)',
  );

export const adminPolicySchema = z
  .strictObject({
    /** Pre-filled in the sign-in form. */
    defaultHomeserver: httpsUrl,
    /** Sign-in is refused to any homeserver whose base URL host is not listed. */
    allowedHomeservers: z.array(host).min(1).max(maxListLength),
    /** Password sign-in is refused (single sign-on only). */
    ssoOnly: z.boolean(),
    /** false: Tessera never looks for updates. */
    autoUpdate: z.boolean(),
    /** The update feed (electron-updater generic provider) instead of the built-in one. */
    updateUrl: httpsUrl,
    /** true: a downloaded, verified update installs when Tessera quits, without asking. */
    autoInstallUpdates: z.boolean(),
    /** false: the passphrase key fallback is refused; the OS keychain is required. */
    allowPassphraseKeyFallback: z.boolean(),
    /** Per host, the accepted SPKI SHA-256 pins; a connection to that host must match one. */
    certificatePins: z
      .record(pinnedHost, z.array(spkiPin).min(1).max(10))
      .refine((pins) => Object.keys(pins).length >= 1, 'must name at least one host')
      .refine((pins) => Object.keys(pins).length <= maxListLength, `at most ${maxListLength} hosts`),
    /** Developer tools in packaged builds. */
    allowDevTools: z.boolean(),
    /** Message text in notifications (false: "New message" only). */
    notificationMessagePreviews: z.boolean(),
    sendTypingNotices: z.boolean(),
    readReceipts: z.enum(['public', 'private']),
    shareKeysWithCrossSignedOnly: z.boolean(),
    /** true: any invalid or unknown value makes Tessera refuse to start. */
    strict: z.boolean(),
  })
  .partial();

/** A policy as read from one place, or merged: a key that is absent is not managed. */
export type AdminPolicy = z.infer<typeof adminPolicySchema>;
export type PolicyKey = keyof AdminPolicy;

export type RegistryValueType = 'REG_SZ' | 'REG_DWORD' | 'REG_MULTI_SZ';

export interface PolicyKeyDefinition {
  /** The value name under Software\Policies\Tessera. */
  registryName: string;
  registryType: RegistryValueType;
  /** A bad value here makes Tessera refuse to start: running without it would be running unprotected. */
  security: boolean;
}

/** Every key the code reads. The ADMX template and the mobileconfig are tested against this table. */
export const policyKeyDefinitions: { readonly [K in PolicyKey]-?: PolicyKeyDefinition } = {
  defaultHomeserver: { registryName: 'DefaultHomeserver', registryType: 'REG_SZ', security: false },
  allowedHomeservers: { registryName: 'AllowedHomeservers', registryType: 'REG_MULTI_SZ', security: true },
  ssoOnly: { registryName: 'SsoOnly', registryType: 'REG_DWORD', security: true },
  autoUpdate: { registryName: 'AutoUpdate', registryType: 'REG_DWORD', security: true },
  updateUrl: { registryName: 'UpdateUrl', registryType: 'REG_SZ', security: true },
  autoInstallUpdates: { registryName: 'AutoInstallUpdates', registryType: 'REG_DWORD', security: true },
  allowPassphraseKeyFallback: {
    registryName: 'AllowPassphraseKeyFallback',
    registryType: 'REG_DWORD',
    security: true,
  },
  certificatePins: { registryName: 'CertificatePins', registryType: 'REG_MULTI_SZ', security: true },
  allowDevTools: { registryName: 'AllowDevTools', registryType: 'REG_DWORD', security: true },
  notificationMessagePreviews: {
    registryName: 'NotificationMessagePreviews',
    registryType: 'REG_DWORD',
    security: false,
  },
  sendTypingNotices: { registryName: 'SendTypingNotices', registryType: 'REG_DWORD', security: false },
  readReceipts: { registryName: 'ReadReceipts', registryType: 'REG_SZ', security: false },
  shareKeysWithCrossSignedOnly: {
    registryName: 'ShareKeysWithCrossSignedOnly',
    registryType: 'REG_DWORD',
    security: true,
  },
  strict: { registryName: 'Strict', registryType: 'REG_DWORD', security: true },
};

export const policyKeys = Object.keys(policyKeyDefinitions) as PolicyKey[];

/** Own-property lookup, so `__proto__` or `constructor` in a hostile file is just an unknown key. */
export function isPolicyKey(name: string): name is PolicyKey {
  return Object.hasOwn(policyKeyDefinitions, name);
}
