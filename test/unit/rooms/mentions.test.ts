// Intentional mentions (m.mentions) first; the legacy body rules only without them.
import { describe, expect, it } from 'vitest';
import { mentionsMe } from '../../../src-main/engine/rooms/mentions.ts';

const me = { userId: '@alice:x', displayName: 'Alice' };

describe('mentionsMe', () => {
  it('follows m.mentions: our user id, or @room from a sender allowed to notify the room', () => {
    expect(mentionsMe({ body: 'hi', 'm.mentions': { user_ids: ['@alice:x'] } }, me)).toBe(true);
    expect(mentionsMe({ body: 'hi', 'm.mentions': { room: true } }, me)).toBe(false);
    expect(mentionsMe({ body: 'hi', 'm.mentions': { room: true } }, me, { senderMayNotifyRoom: true })).toBe(
      true,
    );
    // With m.mentions the body is not searched: the sender chose whom to mention.
    expect(mentionsMe({ body: 'Alice look', 'm.mentions': {} }, me)).toBe(false);
  });

  it('without m.mentions, finds our user id or display name as a whole word, any case', () => {
    expect(mentionsMe({ body: 'ping @alice:x please' }, me)).toBe(true);
    expect(mentionsMe({ body: 'thanks, ALICE!' }, me)).toBe(true);
    expect(mentionsMe({ body: 'Alicextra and Malice' }, me)).toBe(false);
    expect(mentionsMe({ body: 'hello' }, me)).toBe(false);
    expect(mentionsMe({ body: 'hello (a.b)' }, { userId: '@x:y', displayName: '(a.b)' })).toBe(true);
    expect(mentionsMe({ body: 'hello ab' }, { userId: '@x:y', displayName: 'a.b' })).toBe(false);
    expect(mentionsMe({ body: '@room meeting' }, me)).toBe(false);
    expect(mentionsMe({ body: '@room meeting' }, me, { senderMayNotifyRoom: true })).toBe(true);
    expect(mentionsMe({ msgtype: 'm.image' }, me)).toBe(false);
  });
});
