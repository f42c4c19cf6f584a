// The single sign-on commands' schemas: identity provider ids as the spec allows them (they go
// into a URL path), the homeserver and passphrase as in session.login, nothing else.
import { describe, expect, it } from 'vitest';
import { commandSchemas, errorCodes } from '../../src-preload/contract.ts';

describe('single sign-on commands', () => {
  const loginSso = commandSchemas['session.loginSso'];

  it('session.loginSso accepts a homeserver with or without a provider and a passphrase', () => {
    expect(loginSso.parse({ homeserver: ' matrix.org ' })).toEqual({ homeserver: 'matrix.org' });
    expect(
      loginSso.parse({
        homeserver: 'matrix.org',
        identityProviderId: 'oidc-corp',
        storagePassphrase: 'long enough',
      }),
    ).toEqual({
      homeserver: 'matrix.org',
      identityProviderId: 'oidc-corp',
      storagePassphrase: 'long enough',
    });
  });

  it.each([
    ['no homeserver', {}],
    ['a provider id with a slash', { homeserver: 'h', identityProviderId: 'a/b' }],
    ['a provider id with a query', { homeserver: 'h', identityProviderId: 'a?b=c' }],
    ['an empty provider id', { homeserver: 'h', identityProviderId: '' }],
    ['a too long provider id', { homeserver: 'h', identityProviderId: 'a'.repeat(256) }],
    ['a short passphrase', { homeserver: 'h', storagePassphrase: 'short' }],
    ['a password', { homeserver: 'h', password: 'secret' }],
  ])('session.loginSso rejects %s', (_label, args) => {
    expect(loginSso.safeParse(args).success).toBe(false);
  });

  it('session.reauthenticateSso takes only an optional provider; the others take what they say', () => {
    const again = commandSchemas['session.reauthenticateSso'];
    expect(again.safeParse({}).success).toBe(true);
    expect(again.safeParse({ identityProviderId: 'oidc-corp' }).success).toBe(true);
    expect(again.safeParse({ identityProviderId: '../x' }).success).toBe(false);
    expect(commandSchemas['session.cancelSso'].safeParse({}).success).toBe(true);
    expect(commandSchemas['session.signInOptions'].safeParse({ homeserver: 'matrix.org' }).success).toBe(
      true,
    );
    expect(commandSchemas['session.signInOptions'].safeParse({}).success).toBe(false);
  });

  it('has the single sign-on error codes', () => {
    expect(errorCodes).toEqual(
      expect.arrayContaining([
        'sso_unsupported',
        'sso_in_progress',
        'sso_cancelled',
        'sso_timed_out',
        'sso_failed',
      ]),
    );
  });
});
