// The open room's items as one list sorted by `position`, and how engine changes apply to it.
// Pure, so the rules are tested without a DOM (test/unit/renderer/timeline-items.test.ts).
import type { TimelineItem } from '../../src-preload/contract.ts';

export interface ItemChange {
  upserted: readonly TimelineItem[];
  removed: readonly string[];
  /** The items are exactly `upserted` from now on (the engine started the view again). */
  reset?: unknown;
}

function byPosition(a: TimelineItem, b: TimelineItem): number {
  if (a.position !== b.position) return a.position - b.position;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/**
 * Applies a change: each upserted item replaces the one with its key (or joins the list),
 * removed keys go, and the result is sorted by position. Returns a new array.
 */
export function applyItemChange(items: readonly TimelineItem[], change: ItemChange): TimelineItem[] {
  if (change.reset !== undefined) return applyItemChange([], { upserted: change.upserted, removed: [] });
  if (change.upserted.length === 0 && change.removed.length === 0) return [...items];
  const removed = new Set(change.removed);
  const upserted = new Map<string, TimelineItem>();
  for (const item of change.upserted) {
    if (!removed.has(item.key)) upserted.set(item.key, item);
  }
  const next: TimelineItem[] = [];
  let sorted = true;
  for (const item of items) {
    if (removed.has(item.key)) continue;
    const replacement = upserted.get(item.key);
    if (replacement) {
      upserted.delete(item.key);
      if (replacement.position !== item.position) sorted = false;
      next.push(replacement);
    } else {
      next.push(item);
    }
  }
  // The common case (a new message at the end) stays a cheap append.
  for (const item of upserted.values()) {
    const last = next[next.length - 1];
    if (last && byPosition(last, item) > 0) sorted = false;
    next.push(item);
  }
  if (!sorted) next.sort(byPosition);
  return next;
}

/** The oldest item with an event id: where timeline.back continues from. */
export function oldestEventId(items: readonly TimelineItem[]): string | null {
  for (const item of items) if (item.eventId) return item.eventId;
  return null;
}

/** The newest item with an event id (local echoes have none yet): what markRead points at. */
export function newestEventId(items: readonly TimelineItem[]): string | null {
  for (let index = items.length - 1; index >= 0; index--) {
    const id = items[index]?.eventId;
    if (id) return id;
  }
  return null;
}

/**
 * Our newest message, for the Up arrow on an empty composer, when we may edit it; null when it
 * cannot be edited (yet: a sent echo becomes editable once its event arrives, and our own
 * encrypted event is undecryptable for the moment until it is decrypted — never skipped over to
 * an older message, which would open the wrong one for editing).
 */
export function lastEditable(items: readonly TimelineItem[], ownUserId: string): TimelineItem | null {
  for (let index = items.length - 1; index >= 0; index--) {
    const item = items[index];
    if (!item || item.sender !== ownUserId) continue;
    if (item.content.kind === 'undecryptable') return null;
    if (item.content.kind !== 'message') continue;
    return item.canEdit && item.eventId ? item : null;
  }
  return null;
}

/** Whether two items fall on different calendar days (local time), for date separators. */
export function startsNewDay(previous: TimelineItem | undefined, item: TimelineItem): boolean {
  if (!previous) return true;
  const a = new Date(previous.timestamp);
  const b = new Date(item.timestamp);
  return a.getFullYear() !== b.getFullYear() || a.getMonth() !== b.getMonth() || a.getDate() !== b.getDate();
}
