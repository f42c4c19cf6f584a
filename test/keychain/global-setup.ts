// The keychain tier writes real keychain entries. On Linux it must run inside the private
// Secret Service of scripts/with-secret-service.sh, never against a person's own keyring.
export default function requirePrivateSecretService(): void {
  if (process.platform === 'linux' && process.env.TESSERA_SECRET_SERVICE !== 'private') {
    throw new Error(
      'The keychain tests need a private Secret Service: run them as ' +
        '`scripts/with-secret-service.sh npx vitest run --project keychain`',
    );
  }
}
