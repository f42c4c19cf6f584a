// Read receipts: which stored receipt is a user's latest, who has read up to an event, and the
// rule that a receipt never moves back (an older one, from the server or from us, is ignored).
// "Older" is decided by the timeline's order when both events are stored, else by the time the
// receipts were sent.
import type { AccountDatabase } from '../store/account-database.ts';
import type { ReceiptRecord } from '../store/receipt-store.ts';

type Db = Pick<AccountDatabase, 'receipts' | 'timeline'>;

/** The stored event's place in the room, or null when the event is not stored. */
function orderingOf(db: Db, roomId: string, eventId: string): number | null {
  return db.timeline.get(roomId, eventId)?.ordering ?? null;
}

/** Whether `candidate` is later in the room than `current` (same event: not later). */
export function isLater(db: Db, roomId: string, candidate: ReceiptRecord, current: ReceiptRecord): boolean {
  if (candidate.eventId === current.eventId) return false;
  const a = orderingOf(db, roomId, candidate.eventId);
  const b = orderingOf(db, roomId, current.eventId);
  if (a !== null && b !== null) return a > b;
  return candidate.ts >= current.ts;
}

/** The later of a user's public and private receipts, or null when none is stored. */
export function latestReceipt(db: Db, roomId: string, userId: string): ReceiptRecord | null {
  return pickLatest(db, roomId, db.receipts.forUser(roomId, userId));
}

function pickLatest(db: Db, roomId: string, receipts: readonly ReceiptRecord[]): ReceiptRecord | null {
  let latest: ReceiptRecord | null = null;
  for (const receipt of receipts) if (!latest || isLater(db, roomId, receipt, latest)) latest = receipt;
  return latest;
}

/**
 * Stores the receipts that move a user's receipt of that type forward; returns the users whose
 * stored receipts changed.
 */
export function storeReceipts(db: Db, roomId: string, receipts: readonly ReceiptRecord[]): Set<string> {
  const stored = new Map(
    db.receipts.forRoom(roomId).map((receipt) => [`${receipt.type}\n${receipt.userId}`, receipt]),
  );
  const accepted: ReceiptRecord[] = [];
  for (const receipt of receipts) {
    const key = `${receipt.type}\n${receipt.userId}`;
    const current = stored.get(key);
    if (current && !isLater(db, roomId, receipt, current)) continue;
    stored.set(key, receipt);
    accepted.push(receipt);
  }
  if (accepted.length > 0) db.receipts.putMany(roomId, accepted);
  return new Set(accepted.map((receipt) => receipt.userId));
}

/**
 * For the timeline: the users (not us) whose latest receipt is at each of `eventIds`.
 * Events nobody's latest receipt points at are absent from the map.
 */
export function readersAt(
  db: Db,
  roomId: string,
  eventIds: readonly string[],
  ownUserId: string,
): Map<string, string[]> {
  const wanted = new Set(eventIds);
  const byUser = new Map<string, ReceiptRecord[]>();
  for (const receipt of db.receipts.forRoom(roomId)) {
    if (receipt.userId === ownUserId) continue;
    const list = byUser.get(receipt.userId) ?? [];
    list.push(receipt);
    byUser.set(receipt.userId, list);
  }
  const readers = new Map<string, string[]>();
  for (const [userId, receipts] of byUser) {
    const latest = pickLatest(db, roomId, receipts);
    if (!latest || !wanted.has(latest.eventId)) continue;
    const list = readers.get(latest.eventId) ?? [];
    list.push(userId);
    readers.set(latest.eventId, list);
  }
  for (const list of readers.values()) list.sort();
  return readers;
}
