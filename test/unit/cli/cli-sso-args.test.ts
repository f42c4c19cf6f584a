// `tessera login --sso`: single sign-on from the command line, parsed apart from the password
// login so that scripts using the password form see the same command as before.
import { describe, expect, it } from 'vitest';
import { parseCli, usage } from '../../../src-main/engine/cli/cli-args.ts';

describe('login --sso', () => {
  it('reads the homeserver and an optional identity provider', () => {
    expect(parseCli(['login', '--homeserver', 'https://m.example', '--sso']).command).toEqual({
      name: 'login-sso',
      homeserver: 'https://m.example',
      identityProvider: undefined,
    });
    expect(
      parseCli(['login', '--homeserver', 'https://m.example', '--sso', '--idp', 'oidc-corp']).command,
    ).toEqual({ name: 'login-sso', homeserver: 'https://m.example', identityProvider: 'oidc-corp' });
  });

  it.each([
    ['without --homeserver', ['login', '--sso']],
    ['with --user', ['login', '--homeserver', 'h', '--sso', '--user', 'alice']],
    ['with --password-stdin', ['login', '--homeserver', 'h', '--sso', '--password-stdin']],
    ['--idp without --sso', ['login', '--homeserver', 'h', '--user', 'a', '--idp', 'oidc-corp']],
  ])('refuses login %s', (_label, argv) => {
    expect(() => parseCli(argv)).toThrow();
  });

  it('is in the help', () => {
    expect(usage).toContain('login --homeserver URL --sso [--idp ID]');
  });
});
