// Which stored events notify: new messages by sync (not pages, not the initial sync, not older
// than the session), not ours, not edits, not redacted; in direct chats, small rooms and on a
// mention; encrypted ones once, when they decrypt; the text only when previews are allowed.
import { describe, expect, it } from 'vitest';
import type { NotificationShow } from '../../../src-preload/contract.ts';
import {
  MessageNotifications,
  type MessageNotificationsOptions,
} from '../../../src-main/engine/rooms/message-notifications.ts';
import type { TimelineEventRecord } from '../../../src-main/engine/store/timeline-store.ts';

const ROOM = '!r:x';
const ME = '@alice:x';
const STARTED = 10_000;

interface Room {
  isDirect: boolean;
  joinedMemberCount: number;
  membership: string;
}

function setup(options: { room?: Partial<Room>; previews?: boolean } = {}) {
  const events = new Map<string, TimelineEventRecord>();
  const room = { name: 'Room', isDirect: false, joinedMemberCount: 2, membership: 'join', ...options.room };
  const shown: NotificationShow[] = [];
  const logs: string[] = [];
  const db = {
    timeline: { get: (_roomId: string, eventId: string) => events.get(eventId) ?? null },
    members: {
      get: (_roomId: string, userId: string) =>
        userId === '@bob:x' ? { userId, membership: 'join', displayName: 'Bob', avatarUrl: null } : null,
    },
    roomState: { get: () => null },
  } as unknown as MessageNotificationsOptions['db'];
  const notifications = new MessageNotifications({
    db,
    rooms: { summary: () => room } as unknown as MessageNotificationsOptions['rooms'],
    userId: ME,
    displayName: () => 'Alice',
    previews: () => options.previews ?? true,
    startedAt: STARTED,
    emit: (notification) => shown.push(notification),
    log: (_level, message) => logs.push(message),
  });
  const store = (eventId: string, overrides: Partial<TimelineEventRecord> = {}) =>
    events.set(eventId, {
      roomId: ROOM,
      ordering: events.size,
      eventId,
      sender: '@bob:x',
      type: 'm.room.message',
      stateKey: null,
      originServerTs: STARTED + 1,
      content: { msgtype: 'm.text', body: `text of ${eventId}` },
      unsigned: null,
      decryption: 'none',
      decrypted: null,
      ...overrides,
    });
  return { notifications, shown, logs, store, events };
}

describe('MessageNotifications', () => {
  it('notifies a new message with its text', () => {
    const { notifications, shown, store, logs } = setup();
    store('$1');
    notifications.timelineStored({ roomId: ROOM, eventIds: ['$1'], cause: 'sync' });
    expect(shown).toEqual([
      { roomId: ROOM, eventId: '$1', roomName: 'Room', senderName: 'Bob', preview: 'text of $1' },
    ]);
    expect(logs.join()).not.toContain('text of');
  });

  it('sends no text, room or sender when previews are off', () => {
    const { notifications, shown, store } = setup({ previews: false });
    store('$1');
    notifications.timelineStored({ roomId: ROOM, eventIds: ['$1'], cause: 'sync' });
    expect(shown).toEqual([{ roomId: ROOM, eventId: '$1', roomName: null, senderName: null, preview: null }]);
    expect(JSON.stringify(shown)).not.toContain('text of');
  });

  it('ignores pages, the initial sync and events older than the session', () => {
    const { notifications, shown, store } = setup();
    store('$page');
    store('$initial');
    store('$old', { originServerTs: STARTED - 1 });
    notifications.timelineStored({ roomId: ROOM, eventIds: ['$page'], cause: 'paginated' });
    notifications.timelineStored({ roomId: ROOM, eventIds: ['$initial'], cause: 'sync', initial: true });
    notifications.timelineStored({ roomId: ROOM, eventIds: ['$old'], cause: 'sync' });
    expect(shown).toEqual([]);
  });

  it('ignores our own messages, edits, redacted messages and other event types', () => {
    const { notifications, shown, store } = setup();
    store('$own', { sender: ME });
    store('$edit', {
      content: { msgtype: 'm.text', body: '* x', 'm.relates_to': { rel_type: 'm.replace', event_id: '$1' } },
    });
    store('$redacted', { content: {}, unsigned: { redacted_because: { type: 'm.room.redaction' } } });
    store('$reaction', { type: 'm.reaction', content: {} });
    notifications.timelineStored({
      roomId: ROOM,
      eventIds: ['$own', '$edit', '$redacted', '$reaction'],
      cause: 'sync',
    });
    expect(shown).toEqual([]);
  });

  it('notifies an encrypted message once, when it decrypts, and never one it did not see arrive', () => {
    const { notifications, shown, store, events } = setup();
    const pending = { type: 'm.room.encrypted', content: {}, decryption: 'pending' as const };
    store('$e', pending);
    notifications.timelineStored({ roomId: ROOM, eventIds: ['$e'], cause: 'sync' });
    expect(shown).toEqual([]);
    const opened = {
      decryption: 'decrypted' as const,
      decrypted: { type: 'm.room.message', content: { msgtype: 'm.text', body: 'opened' } },
    };
    events.set('$e', { ...events.get('$e')!, ...opened });
    notifications.timelineStored({ roomId: ROOM, eventIds: ['$e'], cause: 'decrypted' });
    notifications.timelineStored({ roomId: ROOM, eventIds: ['$e'], cause: 'decrypted' });
    expect(shown.map((shownOne) => shownOne.preview)).toEqual(['opened']);
    // Decrypted after a page of history: not new.
    store('$history', { ...pending, ...opened });
    notifications.timelineStored({ roomId: ROOM, eventIds: ['$history'], cause: 'decrypted' });
    expect(shown).toHaveLength(1);
  });

  it('in a bigger room notifies only a mention; a direct chat always', () => {
    const big = setup({ room: { joinedMemberCount: 5 } });
    big.store('$chat');
    big.store('$mention', { content: { msgtype: 'm.text', body: 'hi', 'm.mentions': { user_ids: [ME] } } });
    big.notifications.timelineStored({ roomId: ROOM, eventIds: ['$chat', '$mention'], cause: 'sync' });
    expect(big.shown.map((shown) => shown.eventId)).toEqual(['$mention']);

    const direct = setup({ room: { joinedMemberCount: 5, isDirect: true } });
    direct.store('$chat');
    direct.notifications.timelineStored({ roomId: ROOM, eventIds: ['$chat'], cause: 'sync' });
    expect(direct.shown).toHaveLength(1);
  });

  it('ignores rooms we have not joined', () => {
    const invited = setup({ room: { membership: 'invite' } });
    invited.store('$1');
    invited.notifications.timelineStored({ roomId: ROOM, eventIds: ['$1'], cause: 'sync' });
    expect(invited.shown).toEqual([]);
  });
});
