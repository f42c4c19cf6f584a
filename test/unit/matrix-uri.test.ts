// The matrix: URI parser: the spec's forms are accepted, everything else gets a typed refusal.
import { describe, expect, it } from 'vitest';
import {
  isServerName,
  matrixUriInArgv,
  maxMatrixUriLength,
  parseMatrixUri,
  schemeOf,
} from '../../src-main/matrix-uri.ts';

describe('parseMatrixUri', () => {
  it('reads a room alias, with via servers and action=join', () => {
    expect(parseMatrixUri('matrix:r/somewhere:example.org')).toEqual({
      ok: true,
      link: { kind: 'room', roomIdOrAlias: '#somewhere:example.org', via: [] },
    });
    expect(
      parseMatrixUri('matrix:r/somewhere:example.org?via=a.example&via=b.example:8448&action=join'),
    ).toEqual({
      ok: true,
      link: {
        kind: 'room',
        roomIdOrAlias: '#somewhere:example.org',
        via: ['a.example', 'b.example:8448'],
        action: 'join',
      },
    });
  });

  it('reads a room id, with and without a server part, and an event in it', () => {
    expect(parseMatrixUri('matrix:roomid/opaque:example.org/e/event')).toEqual({
      ok: true,
      link: { kind: 'room', roomIdOrAlias: '!opaque:example.org', eventId: '$event', via: [] },
    });
    expect(parseMatrixUri('matrix:roomid/abcDEF123_-xyz?via=example.org')).toEqual({
      ok: true,
      link: { kind: 'room', roomIdOrAlias: '!abcDEF123_-xyz', via: ['example.org'] },
    });
    expect(parseMatrixUri('matrix:r/alias:example.org/e/abc')).toMatchObject({
      ok: true,
      link: { eventId: '$abc' },
    });
  });

  it('reads a user, with action=chat', () => {
    expect(parseMatrixUri('matrix:u/alice:example.org?action=chat')).toEqual({
      ok: true,
      link: { kind: 'user', userId: '@alice:example.org', action: 'chat' },
    });
    expect(parseMatrixUri('MATRIX:u/bob:[::1]:8448')).toEqual({
      ok: true,
      link: { kind: 'user', userId: '@bob:[::1]:8448' },
    });
  });

  it('percent-decodes each segment', () => {
    expect(parseMatrixUri('matrix:r/caf%C3%A9:example.org')).toMatchObject({
      ok: true,
      link: { roomIdOrAlias: '#café:example.org' },
    });
    expect(parseMatrixUri('matrix:roomid/a%2Fb:example.org')).toMatchObject({
      ok: true,
      link: { roomIdOrAlias: '!a/b:example.org' },
    });
  });

  it('skips namespaced query keys meant for other clients', () => {
    expect(parseMatrixUri('matrix:u/alice:example.org?org.example.thing=1')).toMatchObject({ ok: true });
  });

  it.each([
    ['https://example.org/', 'not_matrix'],
    ['mailto:alice@example.org', 'not_matrix'],
    ['no scheme', 'not_matrix'],
    ['matrix://example.org/r/a:b.org', 'has_authority'],
    ['matrix:r/a:example.org#frag', 'has_fragment'],
    ['matrix:r/a%ZZ:example.org', 'bad_encoding'],
    ['matrix:r/a%E0%A4%A:example.org', 'bad_encoding'],
    ['matrix:r/a\u0000:example.org', 'control_character'],
    ['matrix:r/a\n:example.org', 'control_character'],
    ['matrix:r/a%0A:example.org', 'control_character'],
    ['matrix:r/a%C2%85:example.org', 'control_character'],
    ['matrix:', 'bad_path'],
    ['matrix:r', 'bad_path'],
    ['matrix:r/', 'bad_path'],
    ['matrix:x/a:example.org', 'bad_path'],
    ['matrix:e/abc', 'bad_path'],
    ['matrix:room/a:example.org', 'bad_path'],
    ['matrix:r/a:example.org/e', 'bad_path'],
    ['matrix:r/a:example.org/e/', 'bad_path'],
    ['matrix:r/a:example.org/x/abc', 'bad_path'],
    ['matrix:r/a:example.org/e/abc/more', 'bad_path'],
    ['matrix:u/alice:example.org/e/abc', 'bad_path'],
    ['matrix:r/no-server', 'bad_identifier'],
    ['matrix:r/:example.org', 'bad_identifier'],
    ['matrix:r/a:bad_host!', 'bad_identifier'],
    ['matrix:r/a:example.org:99999', 'bad_identifier'],
    ['matrix:u/alice', 'bad_identifier'],
    ['matrix:u/al%20ice:example.org', 'bad_identifier'],
    ['matrix:u/caf%C3%A9:example.org', 'bad_identifier'],
    ['matrix:roomid/a:not a host', 'bad_identifier'],
    ['matrix:roomid/a%20b', 'bad_identifier'],
    [`matrix:u/${'a'.repeat(250)}:example.org`, 'bad_identifier'],
    [`matrix:roomid/${'a'.repeat(255)}`, 'bad_identifier'],
    ['matrix:roomid/a:example.org/e/a%20b', 'bad_identifier'],
    ['matrix:r/a:example.org?via=not%20a%20host', 'bad_query'],
    ['matrix:r/a:example.org?action=chat', 'bad_query'],
    ['matrix:r/a:example.org?action=leave', 'bad_query'],
    ['matrix:r/a:example.org?action=join&action=join', 'bad_query'],
    ['matrix:r/a:example.org?unknown=1', 'bad_query'],
    ['matrix:r/a:example.org?via', 'bad_query'],
    ['matrix:u/alice:example.org?action=join', 'bad_query'],
    ['matrix:u/alice:example.org?via=example.org', 'bad_query'],
    [`matrix:r/a:example.org?via=${'a'.repeat(maxMatrixUriLength)}`, 'too_long'],
  ])('refuses %s (%s)', (input, reason) => {
    expect(parseMatrixUri(input)).toEqual({ ok: false, reason });
  });

  it('never throws, whatever the input', () => {
    for (const input of ['matrix:%', 'matrix:r/%', 'matrix:r/a:b.org?%=%', 'matrix:\uD800', ':', '']) {
      expect(() => parseMatrixUri(input)).not.toThrow();
      expect(parseMatrixUri(input).ok).toBe(false);
    }
  });
});

describe('server names', () => {
  it.each([
    'example.org',
    'example.org:8448',
    '1.2.3.4',
    '1.2.3.4:80',
    '[1234:5678::abcd]',
    '[::1]:8448',
    'localhost',
  ])('accepts %s', (name) => expect(isServerName(name)).toBe(true));
  it.each([
    '',
    'exa mple.org',
    '300.1.1.1',
    '[zz]',
    'example.org:',
    'example.org:123456',
    '-bad.org',
    'a_b.org',
  ])('refuses %s', (name) => expect(isServerName(name)).toBe(false));
});

describe('the command line and the log', () => {
  it('finds the first matrix: argument', () => {
    expect(matrixUriInArgv(['/opt/tessera/tessera', '--flag', 'MATRIX:u/a:b.org', 'matrix:r/c:d.org'])).toBe(
      'MATRIX:u/a:b.org',
    );
    expect(matrixUriInArgv(['/opt/tessera/tessera', 'https://example.org'])).toBeNull();
    expect(matrixUriInArgv([42, null])).toBeNull();
  });

  it('logs only the scheme', () => {
    expect(schemeOf('matrix:u/secret:example.org')).toBe('matrix');
    expect(schemeOf('HTTPS://x')).toBe('https');
    expect(schemeOf('no scheme at all')).toBe('unknown');
  });
});
