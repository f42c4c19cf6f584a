// The engine's sign-in checks under the organization's policy: the homeserver host as discovery
// left it (port included unless it is the default), password sign-in and the passphrase fallback.
import { describe, expect, it } from 'vitest';
import {
  checkHomeserverAllowed,
  checkPassphraseAllowed,
  checkSignInAllowed,
  policyView,
} from '../../../src-main/engine/auth/sign-in-policy.ts';
import { signInOptionsView } from '../../../src-main/engine/auth/sign-in-options.ts';
import { EngineError } from '../../../src-main/engine/errors.ts';
import type { EnginePolicy } from '../../../src-main/engine/protocol.ts';
import { enginePolicyFromAdminPolicy } from '../../../src-main/policy/policy-rules.ts';

const base: EnginePolicy = { passwordSignIn: true, passphraseKeyFallback: true, lockedSettings: {} };

function codeOf(run: () => void): string | null {
  try {
    run();
    return null;
  } catch (error) {
    if (error instanceof EngineError) return error.code;
    throw error;
  }
}

describe('checkHomeserverAllowed', () => {
  const policy: EnginePolicy = { ...base, allowedHomeservers: ['matrix.example.org', 'hs.example.org:8448'] };

  it.each([
    ['https://matrix.example.org/', null],
    ['https://matrix.example.org:443/', null],
    ['https://MATRIX.example.org/', null],
    ['https://hs.example.org:8448/', null],
    ['https://hs.example.org/', 'homeserver_not_allowed'],
    ['https://matrix.example.org:8448/', 'homeserver_not_allowed'],
    ['https://matrix.example.org.evil.example/', 'homeserver_not_allowed'],
    ['https://evil.example/matrix.example.org', 'homeserver_not_allowed'],
  ])('%s → %s', (url, expected) => {
    expect(codeOf(() => checkHomeserverAllowed(policy, new URL(url)))).toBe(expected);
  });

  it('allows any homeserver without a list or without a policy', () => {
    expect(codeOf(() => checkHomeserverAllowed(base, new URL('https://any.example/')))).toBeNull();
    expect(codeOf(() => checkHomeserverAllowed(undefined, new URL('https://any.example/')))).toBeNull();
  });

  it('names the host but no credentials in its message', () => {
    try {
      checkHomeserverAllowed(policy, new URL('https://user:secret@other.example/'));
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).toContain('other.example');
      expect((error as Error).message).not.toContain('secret');
    }
  });
});

describe('checkSignInAllowed', () => {
  it('refuses password sign-in under single sign-on only', () => {
    expect(codeOf(() => checkSignInAllowed({ ...base, passwordSignIn: false }, {}))).toBe(
      'sign_in_method_not_allowed',
    );
  });

  it('refuses the passphrase fallback only when one is asked for', () => {
    const policy = { ...base, passphraseKeyFallback: false };
    expect(codeOf(() => checkSignInAllowed(policy, { storagePassphrase: 'a passphrase' }))).toBe(
      'passphrase_fallback_not_allowed',
    );
    expect(codeOf(() => checkSignInAllowed(policy, {}))).toBeNull();
    expect(codeOf(() => checkSignInAllowed(base, { storagePassphrase: 'a passphrase' }))).toBeNull();
    expect(codeOf(() => checkSignInAllowed(undefined, { storagePassphrase: 'a passphrase' }))).toBeNull();
  });
});

describe('single sign-on under the policy', () => {
  it('stays allowed when password sign-in is turned off: only the passphrase fallback is checked', () => {
    const ssoOnly = { ...base, passwordSignIn: false };
    expect(codeOf(() => checkPassphraseAllowed(ssoOnly, {}))).toBeNull();
    expect(codeOf(() => checkPassphraseAllowed(ssoOnly, { storagePassphrase: 'a passphrase' }))).toBeNull();
    expect(
      codeOf(() =>
        checkPassphraseAllowed(
          { ...ssoOnly, passphraseKeyFallback: false },
          { storagePassphrase: 'a passphrase' },
        ),
      ),
    ).toBe('passphrase_fallback_not_allowed');
  });

  it('offers the password only when the server offers it and the policy allows it', () => {
    const flows = { password: true, identityProviders: [{ id: 'oidc-corp', name: 'Corp', brand: null }] };
    const baseUrl = new URL('https://matrix.example.org/');
    expect(signInOptionsView(baseUrl, flows, true)).toEqual({
      homeserver: 'https://matrix.example.org/',
      password: true,
      identityProviders: [{ id: 'oidc-corp', name: 'Corp', brand: null }],
    });
    expect(signInOptionsView(baseUrl, flows, false).password).toBe(false);
    expect(signInOptionsView(baseUrl, { password: false, identityProviders: null }, true)).toEqual({
      homeserver: 'https://matrix.example.org/',
      password: false,
      identityProviders: [],
    });
  });

  it('tells people who cannot use a password to use single sign-on', () => {
    try {
      checkSignInAllowed({ ...base, passwordSignIn: false }, {});
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).toMatch(/single sign-on/);
    }
  });
});

describe('policyView', () => {
  it('is unmanaged without a policy', () => {
    expect(policyView(undefined)).toEqual({
      defaultHomeserver: null,
      allowedHomeservers: null,
      passwordSignIn: true,
      passphraseKeyFallback: true,
      managed: [],
    });
  });

  it('carries what main maps from the admin policy', () => {
    const policy = enginePolicyFromAdminPolicy({ ssoOnly: true, allowedHomeservers: ['matrix.example.org'] });
    expect(
      policyView({ ...policy, defaultHomeserver: 'https://matrix.example.org', managed: ['ssoOnly'] }),
    ).toEqual({
      defaultHomeserver: 'https://matrix.example.org',
      allowedHomeservers: ['matrix.example.org'],
      passwordSignIn: false,
      passphraseKeyFallback: true,
      managed: ['ssoOnly'],
    });
  });
});
