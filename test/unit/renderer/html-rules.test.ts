// The sanitizer's rules (DOMPurify itself runs in the e2e tier, which has a DOM).
import { describe, expect, it } from 'vitest';
import {
  allowedAttribute,
  allowedTags,
  droppedWithContent,
  isAllowedLink,
} from '../../../src-renderer/lib/html-rules.ts';

describe('the Matrix HTML subset', () => {
  it('allows the spec tags and nothing that runs, loads or styles', () => {
    for (const tag of [
      'p',
      'a',
      'strong',
      'em',
      'code',
      'pre',
      'blockquote',
      'ul',
      'ol',
      'li',
      'table',
      'span',
    ]) {
      expect(allowedTags).toContain(tag);
    }
    for (const tag of [
      'script',
      'style',
      'img',
      'iframe',
      'object',
      'embed',
      'form',
      'input',
      'svg',
      'math',
      'link',
    ]) {
      expect(allowedTags).not.toContain(tag);
    }
    expect(droppedWithContent).toContain('mx-reply');
  });

  it('lets links go only to the web and mail', () => {
    expect(isAllowedLink('https://example.org/x')).toBe(true);
    expect(isAllowedLink('HTTP://example.org')).toBe(true);
    expect(isAllowedLink('mailto:a@example.org')).toBe(true);
    expect(isAllowedLink('javascript:alert(1)')).toBe(false);
    expect(isAllowedLink(' javascript:alert(1)')).toBe(false);
    expect(isAllowedLink('data:text/html,x')).toBe(false);
    expect(isAllowedLink('file:///etc/passwd')).toBe(false);
    expect(isAllowedLink('app://tessera/index.html')).toBe(false);
    expect(isAllowedLink('/relative')).toBe(false);
  });

  it('keeps attributes only where the spec allows them', () => {
    expect(allowedAttribute('a', 'href', 'https://example.org')).toBe(true);
    expect(allowedAttribute('a', 'href', 'javascript:x')).toBe(false);
    expect(allowedAttribute('span', 'href', 'https://example.org')).toBe(false);
    expect(allowedAttribute('ol', 'start', '3')).toBe(true);
    expect(allowedAttribute('ol', 'start', '3; x')).toBe(false);
    expect(allowedAttribute('code', 'class', 'language-typescript')).toBe(true);
    expect(allowedAttribute('code', 'class', 'evil other')).toBe(false);
    expect(allowedAttribute('div', 'class', 'language-x')).toBe(false);
    expect(allowedAttribute('span', 'data-mx-spoiler', '')).toBe(true);
    expect(allowedAttribute('img', 'onerror', 'alert(1)')).toBe(false);
    expect(allowedAttribute('p', 'style', 'color:red')).toBe(false);
    expect(allowedAttribute('a', 'target', '_top')).toBe(false);
  });
});
