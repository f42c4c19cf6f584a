// The /messages response as the engine accepts it: the envelope validated with zod, then each
// event checked on its own, so one malformed or oversized event is skipped (and counted) without
// losing the page.
import { z } from 'zod';
import {
  MAX_EVENT_BYTES,
  eventList,
  stateEventSchema,
  storedContent,
  timelineEventSchema,
} from '../sync/event-shapes.ts';
import type { StateEventRecord } from '../store/room-state-store.ts';
import type { TimelineEventInput } from '../store/timeline-store.ts';

export const messagesResponseSchema = z.looseObject({
  chunk: z.array(z.unknown()),
  start: z.string().min(1),
  /** Absent when there is nothing further back: the room's start. */
  end: z.string().min(1).optional(),
  /** Lazy-loaded members: the senders of the chunk's events. */
  state: eventList,
});

export type MessagesResponse = z.output<typeof messagesResponseSchema>;

export interface MessagesPage {
  /** Newest first, as dir=b returns them. */
  events: TimelineEventInput[];
  /** Member events of the chunk's senders. */
  members: StateEventRecord[];
  /** The token for what lies further back; null at the room's start. */
  end: string | null;
  skipped: number;
}

export function readMessagesPage(roomId: string, response: MessagesResponse): MessagesPage {
  let skipped = 0;
  const events: TimelineEventInput[] = [];
  for (const raw of response.chunk) {
    const parsed = timelineEventSchema.safeParse(raw);
    const event = parsed.success ? parsed.data : null;
    if (
      !event ||
      event.event_id === undefined ||
      event.sender === undefined ||
      event.origin_server_ts === undefined ||
      (typeof event.room_id === 'string' && event.room_id !== roomId) ||
      Buffer.byteLength(JSON.stringify(raw)) > MAX_EVENT_BYTES
    ) {
      skipped += 1;
      continue;
    }
    events.push({
      eventId: event.event_id,
      sender: event.sender,
      type: event.type,
      stateKey: event.state_key ?? null,
      originServerTs: event.origin_server_ts,
      content: storedContent(event),
      unsigned: event.unsigned ?? null,
      // Encrypted events are kept as sent and decrypted once, in the background.
      decryption: event.type === 'm.room.encrypted' ? 'pending' : 'none',
    });
  }
  const members: StateEventRecord[] = [];
  for (const raw of response.state ?? []) {
    const parsed = stateEventSchema.safeParse(raw);
    if (!parsed.success || parsed.data.type !== 'm.room.member') {
      if (!parsed.success) skipped += 1;
      continue;
    }
    const eventId = typeof parsed.data.event_id === 'string' ? parsed.data.event_id : null;
    members.push({
      type: parsed.data.type,
      stateKey: parsed.data.state_key,
      eventId,
      sender: parsed.data.sender,
      content: parsed.data.content,
    });
  }
  return { events, members, end: response.end ?? null, skipped };
}
