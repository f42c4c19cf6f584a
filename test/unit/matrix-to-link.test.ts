// matrix.to permalinks become the matrix: URI they stand for, or nothing (then the link stays an
// ordinary https link for the browser).
import { describe, expect, it } from 'vitest';
import { matrixToAsMatrixUri } from '../../src-main/matrix-to-link.ts';
import { parseMatrixUri } from '../../src-main/matrix-uri.ts';

describe('matrix.to permalinks', () => {
  it.each([
    ['https://matrix.to/#/%23somewhere%3Aexample.org', 'matrix:r/somewhere%3Aexample.org'],
    ['https://matrix.to/#/#somewhere:example.org', 'matrix:r/somewhere%3Aexample.org'],
    [
      'https://matrix.to/#/!somewhere%3Aexample.org?via=elsewhere.ca',
      'matrix:roomid/somewhere%3Aexample.org?via=elsewhere.ca',
    ],
    [
      'https://matrix.to/#/!somewhere%3Aexample.org/%24event%3Aexample.org?via=elsewhere.ca&via=b.org',
      'matrix:roomid/somewhere%3Aexample.org/e/event%3Aexample.org?via=elsewhere.ca&via=b.org',
    ],
    ['https://matrix.to/#/#room:example.org/$abc', 'matrix:r/room%3Aexample.org/e/abc'],
    ['https://matrix.to/#/%40alice%3Aexample.org', 'matrix:u/alice%3Aexample.org'],
    ['https://MATRIX.TO/#/@alice:example.org', 'matrix:u/alice%3Aexample.org'],
  ])('reads %s', (permalink, uri) => {
    expect(matrixToAsMatrixUri(permalink)).toBe(uri);
  });

  it('gives the same link as the matrix: form', () => {
    const uri = matrixToAsMatrixUri('https://matrix.to/#/!r%3Aexample.org/%24e?via=example.org');
    expect(uri).not.toBeNull();
    expect(parseMatrixUri(uri ?? '')).toEqual({
      ok: true,
      link: { kind: 'room', roomIdOrAlias: '!r:example.org', eventId: '$e', via: ['example.org'] },
    });
  });

  it.each([
    'https://example.org/#/#room:example.org',
    'http://matrix.to/#/#room:example.org',
    'https://matrix.to.evil.example/#/#room:example.org',
    'https://user@matrix.to/#/#room:example.org',
    'https://matrix.to:8443/#/#room:example.org',
    'https://matrix.to/path#/#room:example.org',
    'https://matrix.to/?x=1#/#room:example.org',
    'https://matrix.to/',
    'https://matrix.to/#/',
    'https://matrix.to/#/+group:example.org',
    'https://matrix.to/#/@alice:example.org/$event',
    'https://matrix.to/#/#room:example.org/not-an-event',
    'https://matrix.to/#/#room:example.org/$e/extra',
    'https://matrix.to/#/%E0%A4%A',
    'https://matrix.to/#/#room:example.org?via=not a server',
    'https://matrix.to/#/#room:example.org?unknown=1',
    'https://matrix.to/#/%23room%0A%3Aexample.org',
    'javascript:alert(1)//https://matrix.to/#/#room:example.org',
    'not a url',
  ])('leaves %s alone', (raw) => {
    expect(matrixToAsMatrixUri(raw)).toBeNull();
  });
});
