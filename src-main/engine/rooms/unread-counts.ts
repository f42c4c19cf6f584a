// Unread and highlight counts computed from the stored (decrypted) timeline, for encrypted rooms
// whose messages the server cannot read. Counted: messages (m.room.message, m.sticker) after our
// latest receipt (or our own latest message, which reads the room up to it), not edits, not
// redacted; an event not decrypted (yet) counts as a
// message, as the server would count it. Highlights: those that mention us (mentions.ts).
import type { AccountDatabase } from '../store/account-database.ts';
import type { JsonObject } from '../store/json-column.ts';
import type { TimelineEventRecord } from '../store/timeline-store.ts';
import { toItem } from '../timeline/decrypted-timeline.ts';
import { mentionsMe } from './mentions.ts';
import { isRedacted, replacedEventId } from './message-preview.ts';
import { privilegedCreators, userLevel } from './membership-power.ts';
import { newestEvents } from './newest-events.ts';
import { latestReceipt } from './read-receipts.ts';

/** How many of the newest stored events are looked at; more unread than this shows as this many. */
export const UNREAD_SCAN_LIMIT = 500;

export interface UnreadCounts {
  notificationCount: number;
  highlightCount: number;
}

type Db = Pick<AccountDatabase, 'receipts' | 'timeline' | 'roomState' | 'members'>;

/** The level `notifications.room` asks of a sender for @room (spec default 50). */
function roomNotificationLevel(powerLevels: JsonObject | null): number {
  const notifications = powerLevels?.notifications;
  if (typeof notifications === 'object' && notifications !== null && !Array.isArray(notifications)) {
    const room = (notifications as Record<string, unknown>).room;
    if (typeof room === 'number' && Number.isInteger(room)) return room;
  }
  return 50;
}

/** Whether `sender` may notify the whole room, per the stored power levels and creators. */
export function senderMayNotifyRoom(db: Pick<Db, 'roomState'>, roomId: string, sender: string): boolean {
  const powerLevels = db.roomState.get(roomId, 'm.room.power_levels')?.content ?? null;
  const create = db.roomState.get(roomId, 'm.room.create');
  const creators = privilegedCreators(create);
  // Without power levels the creator has 100 and everyone else 0 (spec).
  const level = powerLevels
    ? userLevel(powerLevels, sender, creators)
    : creators.has(sender) || create?.sender === sender
      ? 100
      : 0;
  return level >= roomNotificationLevel(powerLevels);
}

/**
 * The room's counts after our latest receipt, or null when we have no receipt to count from
 * (the caller then keeps the server's counts).
 */
export function countUnread(
  db: Db,
  roomId: string,
  me: { userId: string; displayName: string | null },
): UnreadCounts | null {
  const receipt = latestReceipt(db, roomId, me.userId);
  if (!receipt) return null;
  // Newest first, back to the receipt's event (or, when it is not stored, to when it was sent).
  const receiptStored = db.timeline.get(roomId, receipt.eventId) !== null;
  const after: TimelineEventRecord[] = [];
  for (const event of newestEvents(db, roomId, UNREAD_SCAN_LIMIT)) {
    if (event.eventId === receipt.eventId) break;
    // Sending a message reads the room up to it.
    if (event.sender === me.userId) break;
    if (!receiptStored && event.originServerTs <= receipt.ts) break;
    after.push(event);
  }
  const displayName = db.members.get(roomId, me.userId)?.displayName ?? me.displayName;
  const mayNotify = new Map<string, boolean>();
  const senderMay = (sender: string): boolean => {
    let allowed = mayNotify.get(sender);
    if (allowed === undefined) mayNotify.set(sender, (allowed = senderMayNotifyRoom(db, roomId, sender)));
    return allowed;
  };
  let notificationCount = 0;
  let highlightCount = 0;
  for (const event of after) {
    const item = toItem(event);
    const undecrypted = item.encrypted && (item.decryption === 'pending' || item.decryption === 'failed');
    if (!undecrypted && item.type !== 'm.room.message' && item.type !== 'm.sticker') continue;
    if (isRedacted(item, event.unsigned)) continue;
    if (!undecrypted && replacedEventId(item.content) !== null) continue;
    notificationCount++;
    if (
      !undecrypted &&
      mentionsMe(
        item.content,
        { userId: me.userId, displayName },
        { senderMayNotifyRoom: senderMay(event.sender) },
      )
    )
      highlightCount++;
  }
  return { notificationCount, highlightCount };
}
