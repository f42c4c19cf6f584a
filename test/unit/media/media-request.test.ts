// The grammar of what the shell may ask for: server names, media ids, room and event ids.
import { describe, expect, it } from 'vitest';
import {
  isEventId,
  isMediaId,
  isRoomId,
  isServerName,
  isValidMediaRequest,
  parseMxc,
  type MediaRequest,
} from '../../../src-main/engine/media/media-request.ts';

describe('media request grammar', () => {
  it.each([
    'example.org',
    'matrix.example.org:8448',
    'localhost',
    '127.0.0.1:8008',
    '[::1]:8448',
    '[2001:db8::1]',
  ])('accepts the server name %s', (name) => expect(isServerName(name)).toBe(true));

  it.each([
    '',
    '..',
    '.',
    'example.org/',
    'exa mple.org',
    'example.org:0',
    'example.org:70000',
    '-bad.org',
    'a..b',
    '%2e%2e',
  ])('refuses the server name %j', (name) => expect(isServerName(name)).toBe(false));

  it.each(['abcDEF123', 'a_b-c'])('accepts the media id %s', (id) => expect(isMediaId(id)).toBe(true));

  it.each(['', '..', 'a/b', 'a.b', 'a%2fb', 'a b', 'ä', 'x'.repeat(256)])('refuses the media id %j', (id) =>
    expect(isMediaId(id)).toBe(false),
  );

  it('accepts room and event ids of every room version', () => {
    expect(isRoomId('!abcdef:example.org')).toBe(true);
    expect(isRoomId('!Q9x2yU0qbHT2EXSzJmkhBJzqgGqgKjbLbMvQ1d3B5aA')).toBe(true);
    expect(isEventId('$abc:example.org')).toBe(true);
    expect(isEventId('$acR1l0raoZnm60CBwAVgqbZqoO/mYU81xysh1u7XcJk')).toBe(true);
    expect(isEventId('$Rqnc-F-dvnEYJTyHq_iKxU2bZ1CI92-kuZq3a5lr5Zg')).toBe(true);
  });

  it.each(['abc:example.org', '!', '!a b:example.org', '!a?b', '!a#b', '$abc'])(
    'refuses the room id %j',
    (id) => expect(isRoomId(id)).toBe(false),
  );

  it('parses mxc URIs strictly', () => {
    expect(parseMxc('mxc://example.org/abc')).toEqual({ serverName: 'example.org', mediaId: 'abc' });
    expect(parseMxc('mxc://example.org/a/b')).toBeNull();
    expect(parseMxc('mxc://example.org/')).toBeNull();
    expect(parseMxc('https://example.org/abc')).toBeNull();
    expect(parseMxc(42)).toBeNull();
  });

  it('checks whole requests again where they arrive', () => {
    const ok: MediaRequest = { kind: 'content', serverName: 'example.org', mediaId: 'abc' };
    expect(isValidMediaRequest(ok)).toBe(true);
    expect(isValidMediaRequest({ ...ok, thumbnail: { width: 96, height: 96, method: 'crop' } })).toBe(true);
    expect(isValidMediaRequest({ ...ok, thumbnail: { width: 0, height: 96, method: 'crop' } })).toBe(false);
    expect(isValidMediaRequest({ ...ok, thumbnail: { width: 5000, height: 96, method: 'crop' } })).toBe(
      false,
    );
    expect(isValidMediaRequest({ ...ok, mediaId: '../x' })).toBe(false);
    expect(isValidMediaRequest({ kind: 'file', path: '/etc/passwd' } as unknown as MediaRequest)).toBe(false);
    expect(isValidMediaRequest(null as unknown as MediaRequest)).toBe(false);
  });
});
