import { describe, expect, it } from 'vitest';
import { keychainAccountFor } from '../../../src-main/engine/keychain/keychain-account.ts';

describe('keychain account names', () => {
  it('is <user id>|<device id> for ordinary ids', () => {
    expect(keychainAccountFor('@alice:example.org', 'ABCDEFGHIJ')).toBe('@alice:example.org|ABCDEFGHIJ');
  });

  it('never gives two different profiles the same account', () => {
    const pairs: [string, string][] = [
      ['@a|b:x', 'c'],
      ['@a', 'b:x|c'],
      ['@a%7Cb:x', 'c'],
      ['@a%b:x', 'c'],
    ];
    const names = pairs.map(([user, device]) => keychainAccountFor(user, device));
    expect(new Set(names).size).toBe(pairs.length);
    for (const name of names) expect(name.split('|')).toHaveLength(2);
  });

  it('refuses empty parts', () => {
    expect(() => keychainAccountFor('', 'D')).toThrow(TypeError);
    expect(() => keychainAccountFor('@a:x', '')).toThrow(TypeError);
  });
});
