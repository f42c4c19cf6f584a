// Schemas for events as they arrive in sync responses. Each event is checked on its own, so
// one malformed event is skipped without losing the rest of the response.
import { z } from 'zod';
import type { E2eeUpdate, StateEventLite, TimelineEventLite } from './sync-batch.ts';

const content = z.record(z.string(), z.unknown());

export const stateEventSchema = z.looseObject({
  type: z.string().min(1).max(255),
  state_key: z.string().max(255),
  sender: z.string().min(1).max(255),
  content,
});

export const timelineEventSchema = z.looseObject({
  type: z.string().min(1).max(255),
  event_id: z.string().min(1).max(255).optional(),
  sender: z.string().min(1).max(255).optional(),
  state_key: z.string().max(255).optional(),
  origin_server_ts: z.number().optional(),
  content: content.optional(),
  unsigned: content.optional(),
});

/**
 * The content to store: as sent, except that a redaction's top-level `redacts` (room versions
 * before 11) is copied into the content, where version 11 puts it, so one place holds it.
 */
export function storedContent(event: {
  type: string;
  content?: Record<string, unknown> | undefined;
  [key: string]: unknown;
}): Record<string, unknown> {
  const content = event.content ?? {};
  if (event.type === 'm.room.redaction' && typeof event.redacts === 'string' && content.redacts === undefined)
    return { ...content, redacts: event.redacts };
  return content;
}

/** The spec's limit on a whole event (65,536 bytes of JSON); larger ones are not kept. */
export const MAX_EVENT_BYTES = 65_536;

export const accountDataEventSchema = z.looseObject({
  type: z.string().min(1),
  content,
});

/** A loosely-typed event list: arrays of unknown items, each checked later on its own. */
export const eventList = z.array(z.unknown()).optional();

export interface StateCollector {
  state: StateEventLite[];
  /** Timeline events with everything the timeline store needs, in order. */
  timeline: TimelineEventLite[];
  skipped: number;
  latestTimestamp: number | undefined;
}

export function newCollector(): StateCollector {
  return { state: [], timeline: [], skipped: 0, latestTimestamp: undefined };
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
    if (Buffer.byteLength(JSON.stringify(raw)) > MAX_EVENT_BYTES) {
      // Oversized: isolated, never stored or shown (a hostile member cannot bloat the store).
      collector.skipped++;
      continue;
    }
    if (event.origin_server_ts !== undefined) {
      collector.latestTimestamp = Math.max(collector.latestTimestamp ?? 0, event.origin_server_ts);
    }
    if (event.event_id !== undefined && event.sender !== undefined && event.origin_server_ts !== undefined) {
      collector.timeline.push({
        eventId: event.event_id,
        sender: event.sender,
        type: event.type,
        stateKey: event.state_key ?? null,
        originServerTs: event.origin_server_ts,
        content: storedContent(event),
        unsigned: event.unsigned ?? null,
      });
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

const deviceListsSchema = z.looseObject({
  changed: z.array(z.unknown()).optional(),
  left: z.array(z.unknown()).optional(),
});
const oneTimeKeyCountsSchema = z.record(z.string(), z.unknown());
const fallbackKeyTypesSchema = z.array(z.unknown());
const toDeviceEventSchema = z.looseObject({ type: z.string().min(1), content: content });

/** The e2ee parts of a sync response as the server sent them (both APIs use the same field shapes). */
export interface E2eeParts {
  toDevice: unknown[] | undefined;
  deviceLists: unknown;
  oneTimeKeyCounts: unknown;
  unusedFallbackKeys: unknown;
}

/**
 * Checks each e2ee part on its own: a malformed part or entry is dropped and counted, never the
 * whole response. To-device events are only shape-checked and passed on raw.
 */
export function translateE2ee(parts: E2eeParts): { update: E2eeUpdate; skipped: number } {
  let skipped = 0;
  const strings = (values: unknown[] | undefined): string[] =>
    (values ?? []).filter((value): value is string => {
      if (typeof value === 'string') return true;
      skipped++;
      return false;
    });

  const toDevice: unknown[] = [];
  for (const raw of parts.toDevice ?? []) {
    if (toDeviceEventSchema.safeParse(raw).success) toDevice.push(raw);
    else skipped++;
  }

  let changedDevices: string[] = [];
  let leftDevices: string[] = [];
  if (parts.deviceLists !== undefined && parts.deviceLists !== null) {
    const lists = deviceListsSchema.safeParse(parts.deviceLists);
    if (lists.success) {
      changedDevices = strings(lists.data.changed);
      leftDevices = strings(lists.data.left);
    } else skipped++;
  }

  const oneTimeKeyCounts: Record<string, number> = {};
  if (parts.oneTimeKeyCounts !== undefined && parts.oneTimeKeyCounts !== null) {
    const counts = oneTimeKeyCountsSchema.safeParse(parts.oneTimeKeyCounts);
    if (counts.success) {
      for (const [algorithm, count] of Object.entries(counts.data)) {
        if (typeof count === 'number' && Number.isSafeInteger(count) && count >= 0)
          oneTimeKeyCounts[algorithm] = count;
        else skipped++;
      }
    } else skipped++;
  }

  let unusedFallbackKeys: string[] | undefined;
  if (parts.unusedFallbackKeys !== undefined && parts.unusedFallbackKeys !== null) {
    const types = fallbackKeyTypesSchema.safeParse(parts.unusedFallbackKeys);
    if (types.success) unusedFallbackKeys = strings(types.data);
    else skipped++;
  }

  return {
    update: {
      toDevice,
      changedDevices,
      leftDevices,
      oneTimeKeyCounts,
      ...(unusedFallbackKeys ? { unusedFallbackKeys } : {}),
    },
    skipped,
  };
}
