// Schemas for events as they arrive in sync responses. Each event is checked on its own, so
// one malformed event is skipped without losing the rest of the response.
import { z } from 'zod';
import type { StateEventLite } from './sync-batch.ts';

const content = z.record(z.string(), z.unknown());

export const stateEventSchema = z.looseObject({
  type: z.string().min(1).max(255),
  state_key: z.string().max(255),
  sender: z.string().min(1).max(255),
  content,
});

export const timelineEventSchema = z.looseObject({
  type: z.string().min(1).max(255),
  sender: z.string().min(1).max(255).optional(),
  state_key: z.string().max(255).optional(),
  origin_server_ts: z.number().optional(),
  content: content.optional(),
});

export const accountDataEventSchema = z.looseObject({
  type: z.string().min(1),
  content,
});

/** A loosely-typed event list: arrays of unknown items, each checked later on its own. */
export const eventList = z.array(z.unknown()).optional();

export interface StateCollector {
  state: StateEventLite[];
  skipped: number;
  latestTimestamp: number | undefined;
}

export function newCollector(): StateCollector {
  return { state: [], skipped: 0, latestTimestamp: undefined };
}

export function collectState(collector: StateCollector, events: unknown[] | undefined): void {
  for (const raw of events ?? []) {
    const parsed = stateEventSchema.safeParse(raw);
    if (!parsed.success) {
      collector.skipped++;
      continue;
    }
    const event = parsed.data;
    collector.state.push({
      type: event.type,
      stateKey: event.state_key,
      sender: event.sender,
      content: event.content,
    });
  }
}

export function collectTimeline(collector: StateCollector, events: unknown[] | undefined): void {
  for (const raw of events ?? []) {
    const parsed = timelineEventSchema.safeParse(raw);
    if (!parsed.success) {
      collector.skipped++;
      continue;
    }
    const event = parsed.data;
    if (event.origin_server_ts !== undefined) {
      collector.latestTimestamp = Math.max(collector.latestTimestamp ?? 0, event.origin_server_ts);
    }
    if (event.state_key !== undefined && event.sender !== undefined && event.content !== undefined) {
      collector.state.push({
        type: event.type,
        stateKey: event.state_key,
        sender: event.sender,
        content: event.content,
      });
    }
  }
}

/** `m.direct` content: user id → room ids. Anything else in it is ignored. */
export function parseDirectContent(value: Record<string, unknown>): Record<string, string[]> {
  const direct: Record<string, string[]> = {};
  for (const [userId, rooms] of Object.entries(value)) {
    if (Array.isArray(rooms))
      direct[userId] = rooms.filter((room): room is string => typeof room === 'string');
  }
  return direct;
}
