// Which links may leave Tessera: parsed http, https and mailto URLs only.
import { describe, expect, it, vi } from 'vitest';
import { checkExternalLink, describeLinkForLog, openExternalLink } from '../../src-main/external-links.ts';

describe('checkExternalLink', () => {
  it.each([
    ['https://example.org/a?b=c#d', 'https://example.org/a?b=c#d'],
    ['http://example.org', 'http://example.org/'],
    ['HTTPS://EXAMPLE.ORG/', 'https://example.org/'],
    ['mailto:alice@example.org?subject=hi', 'mailto:alice@example.org?subject=hi'],
  ])('allows %s', (raw, normalized) => {
    expect(checkExternalLink(raw)).toEqual({ allowed: true, url: normalized });
  });

  it.each([
    ['javascript:alert(1)', 'scheme'],
    ['JavaScript:alert(1)', 'scheme'],
    ['file:///etc/passwd', 'scheme'],
    ['data:text/html,<script>alert(1)</script>', 'scheme'],
    ['vbscript:msgbox', 'scheme'],
    ['ms-msdt:/id PCWDiagnostic', 'scheme'],
    ['smb://attacker.example/share', 'scheme'],
    ['app://tessera/index.html', 'scheme'],
    ['tessera-media://media/example.org/abc', 'scheme'],
    ['ftp://example.org/', 'scheme'],
    ['https://bank.example@evil.example/', 'credentials'],
    ['https://user:pass@example.org/', 'credentials'],
    ['https://', 'malformed'],
    ['example.org', 'malformed'],
    ['', 'malformed'],
    [`https://example.org/${'a'.repeat(9000)}`, 'malformed'],
  ])('refuses %s (%s)', (raw, reason) => {
    expect(checkExternalLink(raw)).toEqual({ allowed: false, reason });
  });
});

describe('describeLinkForLog', () => {
  it('names the scheme only', () => {
    expect(describeLinkForLog('https://example.org/path?token=abc')).toBe('a https: link');
    expect(describeLinkForLog('JAVASCRIPT:alert(1)')).toBe('a javascript: link');
    expect(describeLinkForLog('no scheme at all?token=abc')).toBe('a malformed link');
  });
});

describe('openExternalLink', () => {
  it('hands an allowed link to the system and logs a failure without the URL', async () => {
    const logs: string[] = [];
    const openExternal = vi.fn(() => Promise.reject(new Error('no handler')));
    expect(
      openExternalLink({ openExternal }, 'https://example.org/?token=abc', (l, m) => logs.push(`${l} ${m}`)),
    ).toBe(true);
    expect(openExternal).toHaveBeenCalledWith('https://example.org/?token=abc');
    await vi.waitFor(() => expect(logs).toEqual(['warn the system could not open a https: link']));
  });

  it('never calls the system for a refused link', () => {
    const openExternal = vi.fn(() => Promise.resolve());
    expect(openExternalLink({ openExternal }, 'file:///etc/passwd', () => {})).toBe(false);
    expect(openExternal).not.toHaveBeenCalled();
  });
});
