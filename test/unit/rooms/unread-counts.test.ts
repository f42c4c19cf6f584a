// Local unread counts for encrypted rooms: messages after our latest receipt (or our own latest
// message), not ours, not edits, not redacted; highlights are the ones that mention us.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { storeReceipts } from '../../../src-main/engine/rooms/read-receipts.ts';
import { countUnread, UNREAD_SCAN_LIMIT } from '../../../src-main/engine/rooms/unread-counts.ts';
import type { AccountDatabase } from '../../../src-main/engine/store/account-database.ts';
import type { TimelineEventInput } from '../../../src-main/engine/store/timeline-store.ts';
import { makeProfile, message, room, type Profile } from '../store/store-fixture.ts';

const ROOM = '!r:x';
const ME = '@alice:x';
const me = { userId: ME, displayName: 'Alice' };
let profile: Profile;
let db: AccountDatabase;

/** An encrypted event stored with its decrypted form. */
function decrypted(
  eventId: string,
  content: Record<string, unknown>,
  sender = '@bob:x',
  type = 'm.room.message',
): TimelineEventInput {
  return {
    eventId,
    sender,
    type: 'm.room.encrypted',
    originServerTs: 1_000,
    content: { algorithm: 'm.megolm.v1.aes-sha2', ciphertext: 'x' },
    decryption: 'decrypted',
    decrypted: { type, content },
  };
}

beforeEach(() => {
  profile = makeProfile();
  db = profile.open();
  db.rooms.upsertMany([room(ROOM, { isEncrypted: true })]);
  db.roomState.putMany(ROOM, [
    { type: 'm.room.create', stateKey: '', eventId: null, sender: '@bob:x', content: { room_version: '10' } },
    {
      type: 'm.room.power_levels',
      stateKey: '',
      eventId: null,
      sender: '@bob:x',
      content: { users: { '@bob:x': 100 }, users_default: 0 },
    },
  ]);
});

afterEach(() => {
  db.close();
  profile.cleanup();
});

const read = (eventId: string, ts = 1) =>
  storeReceipts(db, ROOM, [{ userId: ME, type: 'm.read.private', eventId, ts }]);

describe('countUnread', () => {
  it('is null without a receipt of ours, so the server count stays', () => {
    db.timeline.appendBatch(ROOM, [decrypted('$1', { msgtype: 'm.text', body: 'hi' })]);
    expect(countUnread(db, ROOM, me)).toBeNull();
  });

  it('counts messages after our receipt, leaving out ours, edits, reactions and redacted ones', () => {
    db.timeline.appendBatch(ROOM, [
      decrypted('$1', { msgtype: 'm.text', body: 'read already' }),
      decrypted('$2', { msgtype: 'm.text', body: 'one' }),
      decrypted('$3', {
        body: '* one!',
        'm.new_content': { body: 'one!' },
        'm.relates_to': { rel_type: 'm.replace', event_id: '$2' },
      }),
      decrypted(
        '$4',
        { 'm.relates_to': { rel_type: 'm.annotation', event_id: '$2', key: '👍' } },
        '@bob:x',
        'm.reaction',
      ),
      { ...message('$5', 'gone'), content: {}, unsigned: { redacted_because: { type: 'm.room.redaction' } } },
      decrypted('$6', { body: 'wave', url: 'mxc://x/y' }, '@carol:x', 'm.sticker'),
      { ...decrypted('$7', {}), decryption: 'pending', decrypted: null },
    ]);
    read('$1');
    expect(countUnread(db, ROOM, me)).toEqual({ notificationCount: 3, highlightCount: 0 });
    read('$6');
    expect(countUnread(db, ROOM, me)).toEqual({ notificationCount: 1, highlightCount: 0 });
  });

  it('treats our own message as read up to it', () => {
    db.timeline.appendBatch(ROOM, [
      decrypted('$1', { msgtype: 'm.text', body: 'a' }),
      decrypted('$2', { msgtype: 'm.text', body: 'b' }),
      decrypted('$3', { msgtype: 'm.text', body: 'mine' }, ME),
      decrypted('$4', { msgtype: 'm.text', body: 'c' }),
    ]);
    read('$1');
    expect(countUnread(db, ROOM, me)?.notificationCount).toBe(1);
  });

  it('highlights mentions: by user id, by display name, and @room only from a sender with the power', () => {
    db.timeline.appendBatch(ROOM, [
      decrypted('$0', { msgtype: 'm.text', body: 'start' }),
      decrypted('$1', { msgtype: 'm.text', body: 'hey', 'm.mentions': { user_ids: [ME] } }),
      decrypted('$2', { msgtype: 'm.text', body: 'alice, lunch?' }),
      decrypted('$3', { msgtype: 'm.text', body: 'all', 'm.mentions': { room: true } }, '@carol:x'),
      decrypted('$4', { msgtype: 'm.text', body: 'all', 'm.mentions': { room: true } }, '@bob:x'),
      decrypted('$5', { msgtype: 'm.text', body: 'malice' }),
    ]);
    read('$0');
    expect(countUnread(db, ROOM, me)).toEqual({ notificationCount: 5, highlightCount: 3 });
  });

  it('counts by time when our receipt is older than what is stored', () => {
    db.timeline.appendBatch(ROOM, [
      { ...decrypted('$1', { msgtype: 'm.text', body: 'a' }), originServerTs: 100 },
      { ...decrypted('$2', { msgtype: 'm.text', body: 'b' }), originServerTs: 300 },
    ]);
    storeReceipts(db, ROOM, [{ userId: ME, type: 'm.read', eventId: '$older', ts: 200 }]);
    expect(countUnread(db, ROOM, me)?.notificationCount).toBe(1);
  });

  it('reads back through many stored events page by page, and stops at the scan limit', () => {
    const events = Array.from({ length: 700 }, (_, index) =>
      decrypted(`$${index}`, { msgtype: 'm.text', body: `m${index}` }),
    );
    db.timeline.appendBatch(ROOM, events);
    read('$600');
    expect(countUnread(db, ROOM, me)?.notificationCount).toBe(99);
    read('$699');
    expect(countUnread(db, ROOM, me)?.notificationCount).toBe(0);
    db.receipts.putMany(ROOM, [{ userId: ME, type: 'm.read.private', eventId: '$10', ts: 1 }]);
    expect(countUnread(db, ROOM, me)?.notificationCount).toBe(UNREAD_SCAN_LIMIT);
  });
});
