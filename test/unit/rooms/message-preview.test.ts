// The room list's preview: the latest message's text in one line, an edit's new text, a word for
// media and stickers, and nothing from redacted or undecrypted events.
import { describe, expect, it } from 'vitest';
import { latestMessagePreview, PREVIEW_MAX_CHARS } from '../../../src-main/engine/rooms/message-preview.ts';
import type { TimelineItem } from '../../../src-main/engine/timeline/decrypted-timeline.ts';

function entry(
  type: string,
  content: Record<string, unknown>,
  extra: Partial<TimelineItem> = {},
  unsigned: Record<string, unknown> | null = null,
) {
  return {
    item: {
      eventId: `$${Math.random()}`,
      sender: '@bob:x',
      originServerTs: 1,
      type,
      content,
      encrypted: false,
      decryption: 'none' as const,
      ...extra,
    },
    unsigned,
  };
}

/** Events oldest first, as a timeline lists them. */
const preview = (oldestFirst: ReturnType<typeof entry>[]) => latestMessagePreview([...oldestFirst].reverse());

describe('latestMessagePreview', () => {
  it('shows the latest message in one line, shortened', () => {
    expect(
      preview([
        entry('m.room.message', { msgtype: 'm.text', body: 'old' }),
        entry('m.room.message', { msgtype: 'm.text', body: 'new\n  line' }),
      ]),
    ).toBe('new line');
    const long = preview([entry('m.room.message', { msgtype: 'm.text', body: 'x'.repeat(500) })]);
    expect(long?.length).toBe(PREVIEW_MAX_CHARS);
    expect(long?.endsWith('…')).toBe(true);
  });

  it('skips reactions, state, redacted and undecrypted events', () => {
    expect(
      preview([
        entry('m.room.message', { msgtype: 'm.text', body: 'shown' }),
        entry('m.reaction', { 'm.relates_to': { rel_type: 'm.annotation', key: '👍' } }),
        entry('m.room.message', {}, {}, { redacted_because: { type: 'm.room.redaction' } }),
        entry('m.room.message', {}),
        entry('m.room.encrypted', {}, { encrypted: true, decryption: 'pending' }),
        entry('m.room.member', { membership: 'join' }),
      ]),
    ).toBe('shown');
    expect(preview([entry('m.room.message', {}, {}, { redacted_because: {} })])).toBeNull();
    expect(preview([])).toBeNull();
  });

  it("shows an edit's new text, media as a word, emotes with a star, and a decrypted message", () => {
    expect(
      preview([
        entry('m.room.message', {
          msgtype: 'm.text',
          body: '* fixed',
          'm.new_content': { msgtype: 'm.text', body: 'fixed' },
          'm.relates_to': { rel_type: 'm.replace', event_id: '$orig' },
        }),
      ]),
    ).toBe('fixed');
    expect(preview([entry('m.room.message', { msgtype: 'm.image', body: 'cat.png' })])).toBe('Image');
    expect(preview([entry('m.sticker', { body: 'wave', url: 'mxc://x/y' })])).toBe('Sticker');
    expect(preview([entry('m.room.message', { msgtype: 'm.emote', body: 'waves' })])).toBe('* waves');
    expect(
      preview([
        entry(
          'm.room.message',
          { msgtype: 'm.text', body: 'secret' },
          { encrypted: true, decryption: 'decrypted' },
        ),
      ]),
    ).toBe('secret');
    expect(
      preview([
        entry('m.room.message', {
          msgtype: 'm.text',
          body: '> <@carol:x> earlier\n> more\n\nmy answer',
          'm.relates_to': { 'm.in_reply_to': { event_id: '$e' } },
        }),
      ]),
    ).toBe('my answer');
  });
});
