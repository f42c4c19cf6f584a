// A room's timeline as the person reads it: each encrypted event replaced by its stored clear
// form with the shield, or by the reason it could not be opened. Read from the store only; it
// never decrypts (issue 4's timeline commands build their view models on this).
import type { SenderShield } from '../crypto/sender-shield.ts';
import type { AccountDatabase } from '../store/account-database.ts';
import type { JsonObject } from '../store/json-column.ts';
import type { DecryptionState, TimelineEventRecord } from '../store/timeline-store.ts';

export interface TimelineItem {
  eventId: string;
  sender: string;
  originServerTs: number;
  /** The clear type: the decrypted one for an encrypted event that opened, else as sent. */
  type: string;
  /** The clear content; empty while an encrypted event is not (or cannot be) decrypted. */
  content: JsonObject;
  encrypted: boolean;
  decryption: DecryptionState;
  shield?: SenderShield;
  /** The strict verdict (absent on events decrypted before it was stored). */
  strictShield?: SenderShield;
  senderDeviceId?: string;
  failure?: { reason: string; message: string };
}

/** The newest `limit` events of a room, oldest first. */
export function readTimeline(db: AccountDatabase, roomId: string, limit: number): TimelineItem[] {
  return db.timeline.latest(roomId, limit).map(toItem);
}

export function toItem(event: TimelineEventRecord): TimelineItem {
  const base = {
    eventId: event.eventId,
    sender: event.sender,
    originServerTs: event.originServerTs,
    encrypted: event.type === 'm.room.encrypted',
    decryption: event.decryption,
  };
  const stored = event.decrypted;
  if (event.decryption === 'decrypted' && stored) {
    const shield = stored.shield as SenderShield | undefined;
    const strictShield = stored.strictShield as SenderShield | undefined;
    return {
      ...base,
      type: typeof stored.type === 'string' ? stored.type : event.type,
      content: isObject(stored.content) ? stored.content : {},
      ...(shield ? { shield } : {}),
      ...(strictShield ? { strictShield } : {}),
      ...(typeof stored.senderDeviceId === 'string' ? { senderDeviceId: stored.senderDeviceId } : {}),
    };
  }
  if (event.decryption === 'failed' && stored)
    return {
      ...base,
      type: event.type,
      content: {},
      failure: { reason: String(stored.reason), message: String(stored.message) },
    };
  return { ...base, type: event.type, content: base.encrypted ? {} : event.content };
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
