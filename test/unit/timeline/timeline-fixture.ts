// A real account database with one room, and RoomTimelines over it with a recorded emitter.
import type { TimelineChange } from '../../../src-preload/contract.ts';
import type { AccountDatabase } from '../../../src-main/engine/store/account-database.ts';
import type { TimelineEventInput } from '../../../src-main/engine/store/timeline-store.ts';
import type { EventOnServer } from '../../../src-main/engine/timeline/event-search.ts';
import type { PaginationResult } from '../../../src-main/engine/timeline/pagination.ts';
import { RoomTimelines } from '../../../src-main/engine/timeline/room-timelines.ts';
import { makeProfile, room } from '../store/store-fixture.ts';

export const ROOM = '!room:example.org';
export const ME = '@me:example.org';
export const BOB = '@bob:example.org';
export const EVE = '@eve:elsewhere.org';

export interface TimelineFixture {
  db: AccountDatabase;
  timelines: RoomTimelines;
  changes: TimelineChange[];
  /** Appends events (as one sync batch) and tells the timelines, as the session does. */
  store(events: TimelineEventInput[]): void;
  close(): void;
}

let counter = 0;
/** A timestamp that grows with each event made, like a server's clock. */
export const ts = (): number => 1_700_000_000_000 + ++counter * 1000;

export function event(
  eventId: string,
  type: string,
  content: Record<string, unknown>,
  overrides: Partial<TimelineEventInput> = {},
): TimelineEventInput {
  return { eventId, sender: BOB, type, originServerTs: ts(), content, decryption: 'none', ...overrides };
}

export const text = (eventId: string, body: string, overrides: Partial<TimelineEventInput> = {}) =>
  event(eventId, 'm.room.message', { msgtype: 'm.text', body }, overrides);

export const edit = (
  eventId: string,
  target: string,
  body: string,
  overrides: Partial<TimelineEventInput> = {},
) =>
  event(
    eventId,
    'm.room.message',
    {
      msgtype: 'm.text',
      body: `* ${body}`,
      'm.new_content': { msgtype: 'm.text', body },
      'm.relates_to': { rel_type: 'm.replace', event_id: target },
    },
    overrides,
  );

export const reaction = (
  eventId: string,
  target: string,
  key: string,
  overrides: Partial<TimelineEventInput> = {},
) =>
  event(
    eventId,
    'm.reaction',
    { 'm.relates_to': { rel_type: 'm.annotation', event_id: target, key } },
    overrides,
  );

export const redaction = (eventId: string, target: string, overrides: Partial<TimelineEventInput> = {}) =>
  event(eventId, 'm.room.redaction', { redacts: target, reason: 'spam' }, overrides);

export function timelineFixture(
  options: {
    paginate?: (roomId: string, limit: number) => Promise<PaginationResult>;
    eventOnServer?: (roomId: string, eventId: string) => Promise<EventOnServer>;
  } = {},
): TimelineFixture {
  const profile = makeProfile();
  const db = profile.open();
  db.rooms.upsertMany([room(ROOM)]);
  db.members.upsertMany(ROOM, [
    { userId: BOB, membership: 'join', displayName: 'Bob', avatarUrl: null },
    { userId: ME, membership: 'join', displayName: 'Me', avatarUrl: null },
  ]);
  const changes: TimelineChange[] = [];
  const timelines = new RoomTimelines({
    db,
    userId: ME,
    openRoom: () => {},
    paginate: options.paginate ?? (() => Promise.resolve({ added: 0, reachedStart: true, skipped: 0 })),
    ...(options.eventOnServer ? { eventOnServer: options.eventOnServer } : {}),
    emit: (change) => changes.push(change),
    log: () => {},
  });
  return {
    db,
    timelines,
    changes,
    store(events) {
      db.timeline.appendBatch(ROOM, events);
      timelines.onStored({ roomId: ROOM, eventIds: events.map((item) => item.eventId), cause: 'sync' });
    },
    close() {
      db.close();
      profile.cleanup();
    },
  };
}
