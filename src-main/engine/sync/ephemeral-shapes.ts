// Ephemeral room events (m.receipt, m.typing) as /v3/sync and sliding sync's receipts and typing
// extensions deliver them. Each receipt entry is checked on its own: a malformed one is skipped
// and counted, never the whole event.
import { z } from 'zod';
import type { EphemeralUpdate, ReceiptLite } from './sync-batch.ts';

export const RECEIPT_TYPES = ['m.read', 'm.read.private'] as const;

const ephemeralEventSchema = z.looseObject({
  type: z.string().min(1).max(255),
  content: z.record(z.string(), z.unknown()),
});

const typingContentSchema = z.looseObject({
  user_ids: z.array(z.string().min(1).max(255)).max(1000),
});

const receiptDataSchema = z.looseObject({
  ts: z.number().int().nonnegative().optional(),
  thread_id: z.string().max(255).optional(),
});

const usersSchema = z.record(z.string(), z.unknown());

/** Collects receipts and typing from one room's ephemeral events into `into`; returns the skipped count. */
export function collectEphemeral(events: readonly unknown[] | undefined, into: EphemeralUpdate): number {
  let skipped = 0;
  for (const raw of events ?? []) {
    const event = ephemeralEventSchema.safeParse(raw);
    if (!event.success) {
      skipped++;
      continue;
    }
    if (event.data.type === 'm.receipt') skipped += collectReceipts(event.data.content, into.receipts);
    else if (event.data.type === 'm.typing') {
      const typing = typingContentSchema.safeParse(event.data.content);
      if (typing.success && typing.data.user_ids.every((userId) => userId.startsWith('@')))
        into.typing = [...new Set(typing.data.user_ids)];
      else skipped++;
    }
  }
  return skipped;
}

export function newEphemeral(): EphemeralUpdate {
  return { receipts: [] };
}

export function hasEphemeral(update: EphemeralUpdate): boolean {
  return update.receipts.length > 0 || update.typing !== undefined;
}

/**
 * m.receipt content: event id → receipt type → user id → { ts, thread_id }. Only read receipts
 * (public and private) on the main timeline are kept: unthreaded ones and thread `main`.
 */
function collectReceipts(content: Record<string, unknown>, receipts: ReceiptLite[]): number {
  let skipped = 0;
  for (const [eventId, byType] of Object.entries(content)) {
    const types = usersSchema.safeParse(byType);
    if (!eventId.startsWith('$') || eventId.length > 255 || !types.success) {
      skipped++;
      continue;
    }
    for (const [type, byUser] of Object.entries(types.data)) {
      if (!(RECEIPT_TYPES as readonly string[]).includes(type)) continue;
      const users = usersSchema.safeParse(byUser);
      if (!users.success) {
        skipped++;
        continue;
      }
      for (const [userId, data] of Object.entries(users.data)) {
        const parsed = receiptDataSchema.safeParse(data);
        if (!parsed.success || !userId.startsWith('@') || userId.length > 255) {
          skipped++;
          continue;
        }
        const threadId = parsed.data.thread_id;
        if (threadId !== undefined && threadId !== 'main') continue;
        receipts.push({
          eventId,
          userId,
          type: type as ReceiptLite['type'],
          ts: parsed.data.ts ?? 0,
        });
      }
    }
  }
  return skipped;
}
