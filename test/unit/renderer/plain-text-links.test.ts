// Links in plain-text bodies: http, https and mailto become links, with text kept as text around
// them; other schemes and look-alikes stay text.
import { describe, expect, it } from 'vitest';
import { plainTextSegments } from '../../../src-renderer/lib/plain-text-links.ts';

describe('links in plain text', () => {
  it('splits text around a URL', () => {
    expect(plainTextSegments('see https://example.org/a?b=1 now')).toEqual([
      { kind: 'text', text: 'see ' },
      { kind: 'link', text: 'https://example.org/a?b=1', href: 'https://example.org/a?b=1' },
      { kind: 'text', text: ' now' },
    ]);
  });

  it('links mail addresses, but not bare domain-like words (file.txt, example.org)', () => {
    expect(plainTextSegments('example.org and alice@example.org')).toEqual([
      { kind: 'text', text: 'example.org and ' },
      { kind: 'link', text: 'alice@example.org', href: 'mailto:alice@example.org' },
    ]);
  });

  it('keeps a matrix.to permalink a link (main opens it inside Tessera)', () => {
    const url = 'https://matrix.to/#/#room:example.org';
    expect(plainTextSegments(url)).toEqual([{ kind: 'link', text: url, href: url }]);
  });

  it.each([
    'javascript:alert(1)',
    'file:///etc/passwd',
    'ftp://example.org/x',
    'data:text/html,<b>x</b>',
    'plain words',
  ])('leaves %s as text', (body) => {
    expect(plainTextSegments(body)).toEqual([{ kind: 'text', text: body }]);
  });

  it('keeps an empty body and text with several lines', () => {
    expect(plainTextSegments('')).toEqual([{ kind: 'text', text: '' }]);
    expect(plainTextSegments('a\nhttps://example.org\nb').map((segment) => segment.kind)).toEqual([
      'text',
      'link',
      'text',
    ]);
  });

  it('does not scan a huge body', () => {
    const body = `${'x '.repeat(15_000)}https://example.org`;
    expect(plainTextSegments(body)).toEqual([{ kind: 'text', text: body }]);
  });
});
