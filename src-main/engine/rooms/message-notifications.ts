// Which new messages become a desktop notification ('notification.show', shown by main).
// The rule, kept simple and predictable:
//   - only messages (m.room.message, m.sticker) that arrived by sync while Tessera runs: not the
//     first sync of a fresh sign-in, not pages of history, not events sent before the session
//     started (a restart's catch-up), not our own, not edits, not redacted ones;
//   - only in joined rooms where the person would expect to be told: direct chats, rooms of at
//     most two joined members, and messages that mention us (mentions.ts, with @room allowed per
//     the room's power levels). Other rooms show their unread counts only.
// An encrypted event is judged once it decrypts (the 'decrypted' change), once: it is remembered
// when it arrives pending and forgotten when judged.
// "Before the session started" compares the server's timestamp with our clock: a server clock
// far behind ours hides the first messages after a start, one far ahead lets a few older ones in.
// The room name, sender and text are filled only when the notificationPreviews setting allows it;
// otherwise none of them leaves the engine. Nothing here logs content.
import type { NotificationShow } from '../../../src-preload/contract.ts';
import type { EngineLogLevel } from '../protocol.ts';
import type { AccountDatabase } from '../store/account-database.ts';
import type { TimelineEventRecord } from '../store/timeline-store.ts';
import { toItem } from '../timeline/decrypted-timeline.ts';
import { mentionsMe } from './mentions.ts';
import { isRedacted, latestMessagePreview, replacedEventId } from './message-preview.ts';
import type { RoomList } from './room-list.ts';
import { senderMayNotifyRoom } from './unread-counts.ts';

/** Encrypted events remembered until they decrypt, at most; the oldest are forgotten first. */
const AWAITING_LIMIT = 1000;

/** Rooms of at most this many joined members notify every message, like a direct chat. */
export const SMALL_ROOM_MEMBERS = 2;

export interface StoredChange {
  roomId: string;
  eventIds: readonly string[];
  cause: 'sync' | 'paginated' | 'decrypted';
  /** The first sync response of a fresh sign-in: what was there before, never notified. */
  initial?: boolean;
}

export interface MessageNotificationsOptions {
  db: Pick<AccountDatabase, 'timeline' | 'roomState' | 'members'>;
  rooms: Pick<RoomList, 'summary'>;
  userId: string;
  displayName(): string | null;
  /** Whether message text may go into a notification (the notificationPreviews setting). */
  previews(): boolean;
  /** Milliseconds since the epoch when the session started; older events never notify. */
  startedAt: number;
  emit(notification: NotificationShow): void;
  log(level: EngineLogLevel, message: string): void;
}

export class MessageNotifications {
  readonly #options: MessageNotificationsOptions;
  /** `roomId \n eventId` of new encrypted events still pending decryption. */
  readonly #awaiting = new Set<string>();

  constructor(options: MessageNotificationsOptions) {
    this.#options = options;
  }

  timelineStored(change: StoredChange): void {
    if (change.cause === 'paginated' || change.initial === true) return;
    for (const eventId of change.eventIds) {
      const key = `${change.roomId}\n${eventId}`;
      if (change.cause === 'decrypted' && !this.#awaiting.has(key)) continue;
      const event = this.#options.db.timeline.get(change.roomId, eventId);
      if (!event) {
        this.#awaiting.delete(key);
        continue;
      }
      if (event.decryption === 'pending' || event.decryption === 'failed') {
        // A failed event may still open when its key arrives late (a 'decrypted' change then).
        if (change.cause === 'sync') this.#await(key);
        continue;
      }
      this.#awaiting.delete(key);
      this.#judge(event);
    }
  }

  #await(key: string): void {
    if (this.#awaiting.size >= AWAITING_LIMIT) {
      const oldest = this.#awaiting.values().next();
      if (!oldest.done) this.#awaiting.delete(oldest.value);
    }
    this.#awaiting.add(key);
  }

  #judge(event: TimelineEventRecord): void {
    const { userId } = this.#options;
    if (event.sender === userId) return;
    if (event.originServerTs < this.#options.startedAt) return;
    const item = toItem(event);
    if (item.type !== 'm.room.message' && item.type !== 'm.sticker') return;
    if (isRedacted(item, event.unsigned)) return;
    if (replacedEventId(item.content) !== null) return;
    const room = this.#options.rooms.summary(event.roomId);
    if (!room || room.membership !== 'join') return;
    if (!this.#expected(event, item.content, room)) return;
    // With previews off, the room and the sender are withheld too: on a lock screen they can
    // say as much as the text ("Layoffs" from "HR").
    const shown = this.#options.previews();
    this.#options.emit({
      roomId: event.roomId,
      eventId: event.eventId,
      roomName: shown ? room.name : null,
      senderName: shown
        ? (this.#options.db.members.get(event.roomId, event.sender)?.displayName ?? event.sender)
        : null,
      preview: shown ? latestMessagePreview([{ item, unsigned: event.unsigned }]) : null,
    });
    this.#options.log('debug', 'notifications: a new message notifies');
  }

  #expected(
    event: TimelineEventRecord,
    content: Record<string, unknown>,
    room: { isDirect: boolean; joinedMemberCount: number },
  ): boolean {
    if (room.isDirect || room.joinedMemberCount <= SMALL_ROOM_MEMBERS) return true;
    const { db, userId } = this.#options;
    const displayName = db.members.get(event.roomId, userId)?.displayName ?? this.#options.displayName();
    return mentionsMe(
      content,
      { userId, displayName },
      { senderMayNotifyRoom: senderMayNotifyRoom(db, event.roomId, event.sender) },
    );
  }
}
