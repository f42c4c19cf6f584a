import { describe, expect, it } from 'vitest';
import { isValidServerName, parseUserId, parseUserInput } from '../../../src-main/engine/auth/user-id.ts';
import { EngineError } from '../../../src-main/engine/errors.ts';

describe('user ids', () => {
  it('parses full ids', () => {
    expect(parseUserId('@alice:example.org')).toEqual({
      localpart: 'alice',
      serverName: 'example.org',
      full: '@alice:example.org',
    });
    expect(parseUserId('@a.b_c=d/e+f:localhost:8448').serverName).toBe('localhost:8448');
    expect(parseUserId('@x:[::1]:8008').serverName).toBe('[::1]:8008');
  });

  it.each([
    'alice',
    '@alice',
    '@:x.org',
    '@a b:x.org',
    '@a:x y',
    '@a:x.org:99999',
    `@${'a'.repeat(260)}:x.org`,
    '@a:.x',
    '@a:x..y',
  ])('rejects %s with a typed error', (input) => {
    try {
      parseUserId(input);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(EngineError);
      expect((error as EngineError).code).toBe('invalid_user_id');
      expect((error as EngineError).field).toBe('user');
    }
  });

  it('accepts a bare localpart or a full id as typed input', () => {
    expect(parseUserInput(' alice ')).toEqual({ kind: 'localpart', localpart: 'alice' });
    expect(parseUserInput('alice:example.org')).toMatchObject({
      kind: 'full',
      id: { full: '@alice:example.org' },
    });
  });

  it('validates server names', () => {
    expect(isValidServerName('matrix.org')).toBe(true);
    expect(isValidServerName('1.2.3.4:80')).toBe(true);
    expect(isValidServerName('1.2.3.999')).toBe(false);
    expect(isValidServerName('host:0')).toBe(false);
    expect(isValidServerName('')).toBe(false);
  });
});
