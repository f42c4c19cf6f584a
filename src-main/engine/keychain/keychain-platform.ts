// Which OS keychain this computer offers, named the way a profile's key backend record names it.
export const keychainPlatforms = ['secret-service', 'macos-keychain', 'windows-credential-manager'] as const;

export type KeychainPlatform = (typeof keychainPlatforms)[number];

/** The keychain @napi-rs/keyring talks to on this OS, or null where it has none. */
export function keychainPlatformOf(os: NodeJS.Platform): KeychainPlatform | null {
  switch (os) {
    case 'linux':
    case 'freebsd':
    case 'openbsd':
      return 'secret-service';
    case 'darwin':
      return 'macos-keychain';
    case 'win32':
      return 'windows-credential-manager';
    default:
      return null;
  }
}

export function currentKeychainPlatform(): KeychainPlatform | null {
  return keychainPlatformOf(process.platform);
}

/** A name a person recognises, for messages. */
export function describeKeychainPlatform(platform: KeychainPlatform | null): string {
  switch (platform) {
    case 'secret-service':
      return 'the Secret Service keyring (such as GNOME Keyring or KWallet)';
    case 'macos-keychain':
      return 'the macOS Keychain';
    case 'windows-credential-manager':
      return 'Windows Credential Manager';
    case null:
      return 'no keychain';
  }
}
