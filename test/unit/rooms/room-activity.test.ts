// RoomActivity over a real (encrypted) store and a fake server: markRead sends the receipt type
// the setting asks for with the fully-read marker, lowers the counts at once, never moves back;
// the room list gains previews, avatars and local counts; unknown rooms are refused.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventName, RoomSummary } from '../../../src-preload/contract.ts';
import { RoomActivity } from '../../../src-main/engine/rooms/room-activity.ts';
import { RoomList } from '../../../src-main/engine/rooms/room-list.ts';
import type { AccountDatabase } from '../../../src-main/engine/store/account-database.ts';
import type { SyncBatch } from '../../../src-main/engine/sync/sync-batch.ts';
import { makeProfile, message, type Profile } from '../store/store-fixture.ts';

const ME = '@me:x';
const ROOM = '!r:x';
let profile: Profile;
let db: AccountDatabase;

const member = (userId: string, extra: Record<string, unknown> = {}) => ({
  type: 'm.room.member',
  stateKey: userId,
  sender: userId,
  content: { membership: 'join', ...extra },
});

function setup(batch: SyncBatch) {
  const rooms = new RoomList(ME);
  rooms.apply(batch);
  const changes = rooms.takeChanges();
  db.rooms.upsertMany(changes.rooms);
  for (const [roomId, members] of changes.members) db.members.upsertMany(roomId, members);
  const requests: { method: string; path: string; body: unknown }[] = [];
  const emitted: { name: EventName; payload: unknown }[] = [];
  const lists: RoomSummary[][] = [];
  const activity = new RoomActivity({
    db,
    http: {
      request: async (method: string, path: string, options: { body?: unknown }) => {
        requests.push({ method, path, body: options.body });
        return {};
      },
    } as never,
    rooms,
    userId: ME,
    displayName: () => 'Me',
    emit: (name, payload) => emitted.push({ name, payload }),
    onRoomsChanged: (list) => lists.push(list),
    log: () => {},
  });
  return { rooms, activity, requests, emitted, lists };
}

beforeEach(() => {
  profile = makeProfile();
  db = profile.open();
});

afterEach(() => {
  db.close();
  profile.cleanup();
});

describe('RoomActivity', () => {
  it('marks read with a public or private receipt, at once, and never backwards', async () => {
    const { activity, requests, rooms, lists } = setup({
      rooms: [
        {
          roomId: ROOM,
          membership: 'join',
          replaceState: false,
          state: [member(ME), member('@bob:x')],
          notificationCount: 2,
        },
      ],
      skippedEvents: 0,
    });
    db.timeline.appendBatch(ROOM, [message('$1', 'one'), message('$2', 'two')]);
    await activity.markRead(ROOM, '$2');
    expect(requests).toEqual([
      {
        method: 'POST',
        path: '/_matrix/client/v3/rooms/!r%3Ax/read_markers',
        body: { 'm.fully_read': '$2', 'm.read': '$2' },
      },
    ]);
    expect(rooms.summary(ROOM)?.notificationCount).toBe(0);
    expect(lists.at(-1)?.[0]?.notificationCount).toBe(0);
    expect(db.rooms.get(ROOM)?.notificationCount).toBe(0);

    await activity.markRead(ROOM, '$1');
    expect(requests).toHaveLength(1);

    activity.settings.set({ readReceipts: 'private' });
    db.timeline.appendBatch(ROOM, [message('$3', 'three')]);
    await activity.markRead(ROOM, '$3');
    expect(requests[1]?.body).toEqual({ 'm.fully_read': '$3', 'm.read.private': '$3' });
    await expect(activity.markRead('!nowhere:x', '$3')).rejects.toMatchObject({ code: 'room_not_found' });
    await expect(activity.setTyping('!nowhere:x', true)).rejects.toMatchObject({ code: 'room_not_found' });
  });

  it('counts an encrypted room locally from our receipt, from sync or from markRead', async () => {
    const { activity, rooms } = setup({
      rooms: [
        {
          roomId: ROOM,
          membership: 'join',
          replaceState: false,
          state: [
            member(ME),
            member('@bob:x'),
            {
              type: 'm.room.encryption',
              stateKey: '',
              sender: '@bob:x',
              content: { algorithm: 'm.megolm.v1.aes-sha2' },
            },
          ],
          // The server's count, wrong for encrypted rooms (it cannot see mentions).
          notificationCount: 7,
          highlightCount: 0,
        },
      ],
      skippedEvents: 0,
    });
    db.timeline.appendBatch(ROOM, [message('$1', 'one'), message('$2', 'hi me'), message('$3', 'three')]);
    // No receipt yet: the server's count stays.
    activity.timelineStored({ roomId: ROOM, cause: 'sync' });
    expect(rooms.summary(ROOM)).toMatchObject({ notificationCount: 7, lastMessage: 'three' });
    const changed = activity.receive({
      rooms: [
        {
          roomId: ROOM,
          replaceState: false,
          state: [],
          ephemeral: { receipts: [{ eventId: '$1', userId: ME, type: 'm.read', ts: 1 }] },
        },
      ],
      skippedEvents: 0,
    });
    expect(changed).toBe(true);
    expect(rooms.summary(ROOM)).toMatchObject({ notificationCount: 2, highlightCount: 1 });
    await activity.markRead(ROOM, '$3');
    expect(rooms.summary(ROOM)).toMatchObject({ notificationCount: 0, highlightCount: 0 });
  });

  it('emits typing without us, and a direct chat shows the other person’s avatar', () => {
    const { activity, emitted, rooms } = setup({
      direct: { '@bob:x': [ROOM] },
      rooms: [
        {
          roomId: ROOM,
          membership: 'join',
          replaceState: false,
          state: [member(ME, { avatar_url: 'mxc://x/me' }), member('@bob:x', { avatar_url: 'mxc://x/bob' })],
        },
        {
          roomId: '!group:x',
          membership: 'join',
          replaceState: false,
          state: [
            member(ME),
            { type: 'm.room.avatar', stateKey: '', sender: ME, content: { url: 'mxc://x/group' } },
          ],
        },
        {
          roomId: '!plain:x',
          membership: 'join',
          replaceState: false,
          state: [member(ME), member('@carol:x', { avatar_url: 'mxc://x/carol' })],
        },
      ],
      skippedEvents: 0,
    });
    expect(rooms.summary(ROOM)?.avatarUrl).toBe('mxc://x/bob');
    expect(rooms.summary('!group:x')?.avatarUrl).toBe('mxc://x/group');
    expect(rooms.summary('!plain:x')?.avatarUrl).toBeNull();
    activity.receive({
      rooms: [
        { roomId: ROOM, replaceState: false, state: [], ephemeral: { receipts: [], typing: [ME, '@bob:x'] } },
      ],
      skippedEvents: 0,
    });
    expect(emitted).toEqual([{ name: 'typing.changed', payload: { roomId: ROOM, userIds: ['@bob:x'] } }]);
  });
});
