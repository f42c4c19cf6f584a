// Content builders: markdown becomes Matrix HTML only when it formats something (raw HTML
// stays text), replies mention the replied-to sender, edits carry m.new_content and a "* "
// fallback, reactions are m.annotation.
import { describe, expect, it } from 'vitest';
import {
  editContent,
  formattedBody,
  messageContent,
  reactionContent,
} from '../../../src-main/engine/send/message-content.ts';

describe('markdown', () => {
  it('leaves plain text without a formatted body', () => {
    for (const body of ['hello', 'two\nlines', 'a & <b> "c"', "it's"]) expect(formattedBody(body)).toBeNull();
    expect(messageContent('hello')).toEqual({ msgtype: 'm.text', body: 'hello' });
  });

  it('renders formatting and links, and never passes raw HTML through', () => {
    expect(messageContent('**bold**')).toEqual({
      msgtype: 'm.text',
      body: '**bold**',
      format: 'org.matrix.custom.html',
      formatted_body: '<p><strong>bold</strong></p>',
    });
    expect(formattedBody('see https://example.org')).toContain('<a href="https://example.org">');
    expect(formattedBody('<script>alert(1)</script> **x**')).toBe(
      '<p>&lt;script&gt;alert(1)&lt;/script&gt; <strong>x</strong></p>',
    );
  });
});

describe('replies', () => {
  it('relate to the event and mention its sender (not ourselves)', () => {
    expect(messageContent('yes', { eventId: '$q', sender: '@bob:x' }, '@me:x')).toEqual({
      msgtype: 'm.text',
      body: 'yes',
      'm.relates_to': { 'm.in_reply_to': { event_id: '$q' } },
      'm.mentions': { user_ids: ['@bob:x'] },
    });
    expect(messageContent('yes', { eventId: '$q', sender: '@me:x' }, '@me:x')['m.mentions']).toEqual({
      user_ids: [],
    });
  });
});

describe('edits', () => {
  it('carry the new text in m.new_content with a "* " fallback and m.replace', () => {
    expect(editContent('$m', 'fixed')).toEqual({
      msgtype: 'm.text',
      body: '* fixed',
      'm.new_content': { msgtype: 'm.text', body: 'fixed' },
      'm.relates_to': { rel_type: 'm.replace', event_id: '$m' },
    });
    expect(editContent('$m', '*now* formatted', 'm.emote')).toEqual({
      msgtype: 'm.emote',
      body: '* *now* formatted',
      format: 'org.matrix.custom.html',
      formatted_body: '* <p><em>now</em> formatted</p>',
      'm.new_content': {
        msgtype: 'm.emote',
        body: '*now* formatted',
        format: 'org.matrix.custom.html',
        formatted_body: '<p><em>now</em> formatted</p>',
      },
      'm.relates_to': { rel_type: 'm.replace', event_id: '$m' },
    });
  });
});

describe('reactions', () => {
  it('annotate the event with the key', () => {
    expect(reactionContent('$m', '👍')).toEqual({
      'm.relates_to': { rel_type: 'm.annotation', event_id: '$m', key: '👍' },
    });
  });
});
