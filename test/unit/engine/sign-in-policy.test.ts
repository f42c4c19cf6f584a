// The engine's sign-in checks under the organization's policy: the homeserver host as discovery
// left it (port included unless it is the default), password sign-in and the passphrase fallback.
import { describe, expect, it } from 'vitest';
import {
  checkHomeserverAllowed,
  checkSignInAllowed,
  policyView,
} from '../../../src-main/engine/auth/sign-in-policy.ts';
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
