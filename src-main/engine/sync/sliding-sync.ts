// Simplified Sliding Sync (MSC4186): one list ordered by recency, with just the state the
// room list needs. The list window grows to the room count, so every room is listed.
import { z } from 'zod';
import type { MatrixHttp } from '../http/matrix-http.ts';
import type { Membership } from '../../../src-preload/contract.ts';
import {
  accountDataEventSchema,
  collectState,
  collectTimeline,
  eventList,
  newCollector,
  parseDirectContent,
  translateE2ee,
} from './event-shapes.ts';
import { collectEphemeral, hasEphemeral, newEphemeral } from './ephemeral-shapes.ts';
import type { HeroLite, RoomUpdate, SyncBatch } from './sync-batch.ts';
import type { SyncSource } from './sync-source.ts';

export const SLIDING_SYNC_PATH = '/_matrix/client/unstable/org.matrix.simplified_msc3575/sync';
const LIST = 'all';
const INITIAL_WINDOW = 100;

const REQUIRED_STATE: [string, string][] = [
  ['m.room.name', ''],
  ['m.room.canonical_alias', ''],
  ['m.room.avatar', ''],
  ['m.room.encryption', ''],
  ['m.room.create', ''],
  // For the room header and rooms.details, and the power levels for mentions of @room.
  ['m.room.topic', ''],
  ['m.room.join_rules', ''],
  ['m.room.history_visibility', ''],
  ['m.room.power_levels', ''],
  ['m.room.member', '$ME'],
  ['m.room.member', '$LAZY'],
];

const heroSchema = z.looseObject({
  user_id: z.string(),
  displayname: z.string().nullish(),
});

const roomSchema = z.looseObject({
  name: z.string().nullish(),
  initial: z.boolean().optional(),
  heroes: z.array(z.unknown()).optional(),
  required_state: eventList,
  timeline: eventList,
  limited: z.boolean().optional(),
  prev_batch: z.string().optional(),
  invite_state: eventList,
  stripped_state: eventList,
  joined_count: z.number().int().nonnegative().optional(),
  invited_count: z.number().int().nonnegative().optional(),
  notification_count: z.number().int().nonnegative().optional(),
  highlight_count: z.number().int().nonnegative().optional(),
});

const responseSchema = z.looseObject({
  pos: z.string().min(1),
  lists: z.record(z.string(), z.looseObject({ count: z.number().int().nonnegative().optional() })).optional(),
  rooms: z.record(z.string(), z.unknown()).optional(),
  extensions: z
    .looseObject({
      account_data: z.looseObject({ global: eventList }).optional(),
      // The to-device extension has its own position (MSC3885): `next_batch` becomes the next `since`.
      to_device: z.looseObject({ next_batch: z.string().min(1).optional(), events: eventList }).optional(),
      // Per room: one m.receipt / m.typing event each, checked entry by entry in collectEphemeral.
      receipts: z.looseObject({ rooms: z.record(z.string(), z.unknown()).optional() }).optional(),
      typing: z.looseObject({ rooms: z.record(z.string(), z.unknown()).optional() }).optional(),
      // Checked field by field in translateE2ee.
      e2ee: z
        .looseObject({
          device_lists: z.unknown().optional(),
          device_one_time_keys_count: z.unknown().optional(),
          device_unused_fallback_key_types: z.unknown().optional(),
        })
        .optional(),
    })
    .optional(),
});

export interface SlidingSyncOptions {
  pos?: string;
  /** The to-device extension's position, saved beside `pos`: resuming without it re-reads the inbox. */
  toDeviceSince?: string;
  initialWindow?: number;
}

export class SlidingSync implements SyncSource {
  readonly api = 'sliding' as const;
  readonly #http: MatrixHttp;
  readonly #timeoutMs: number;
  #pos: string | undefined;
  #toDeviceSince: string | undefined;
  #window: number;
  /** The window grew: ask again at once instead of long-polling. */
  #catchingUp = false;

  constructor(http: MatrixHttp, timeoutMs: number, options: SlidingSyncOptions = {}) {
    this.#http = http;
    this.#timeoutMs = timeoutMs;
    this.#pos = options.pos;
    this.#toDeviceSince = options.toDeviceSince;
    this.#window = Math.max(1, options.initialWindow ?? INITIAL_WINDOW);
  }

  get position(): string | undefined {
    return this.#pos;
  }

  /**
   * The to-device position to save with `position`. Sending it acknowledges (deletes) the events
   * before it on the server, so it is sent only with the request after the batch was handled.
   */
  get toDeviceSince(): string | undefined {
    return this.#toDeviceSince;
  }

  /** The to-device position outlives an expired `pos`: the inbox is independent of the room lists. */
  reset(): void {
    this.#pos = undefined;
  }

  async next(signal: AbortSignal): Promise<SyncBatch> {
    const response = await this.#http.request('POST', SLIDING_SYNC_PATH, {
      schema: responseSchema,
      query: { pos: this.#pos, timeout: this.#pos === undefined || this.#catchingUp ? 0 : this.#timeoutMs },
      body: {
        lists: {
          [LIST]: { ranges: [[0, this.#window - 1]], required_state: REQUIRED_STATE, timeline_limit: 1 },
        },
        extensions: {
          account_data: { enabled: true },
          e2ee: { enabled: true },
          // Every listed and subscribed room.
          receipts: { enabled: true, lists: ['*'], rooms: ['*'] },
          typing: { enabled: true, lists: ['*'], rooms: ['*'] },
          to_device: {
            enabled: true,
            ...(this.#toDeviceSince !== undefined ? { since: this.#toDeviceSince } : {}),
          },
        },
      },
      timeoutMs: this.#timeoutMs + 30_000,
      retries: 0,
      signal,
    });
    const count = response.lists?.[LIST]?.count;
    // Grow the window so the next request brings the rooms beyond it; the server answers at once.
    this.#catchingUp = count !== undefined && count > this.#window;
    if (this.#catchingUp && count !== undefined) this.#window = count;
    this.#pos = response.pos;
    const nextToDevice = response.extensions?.to_device?.next_batch;
    if (nextToDevice !== undefined) this.#toDeviceSince = nextToDevice;
    return translateSliding(response);
  }
}

export function translateSliding(response: z.output<typeof responseSchema>): SyncBatch {
  const batch: SyncBatch = { rooms: [], skippedEvents: 0 };
  for (const [roomId, raw] of Object.entries(response.rooms ?? {})) {
    const parsed = roomSchema.safeParse(raw);
    if (!parsed.success) {
      batch.skippedEvents++;
      continue;
    }
    const room = parsed.data;
    const collector = newCollector();
    const stripped = room.invite_state ?? room.stripped_state;
    let membership: Membership | undefined;
    if (stripped) {
      collectState(collector, stripped);
      membership = 'invite';
    } else {
      collectState(collector, room.required_state);
      collectTimeline(collector, room.timeline);
    }
    const heroes: HeroLite[] = [];
    for (const hero of room.heroes ?? []) {
      const parsedHero = heroSchema.safeParse(hero);
      if (parsedHero.success)
        heroes.push({ userId: parsedHero.data.user_id, displayName: parsedHero.data.displayname ?? null });
      else collector.skipped++;
    }
    const update: RoomUpdate = {
      roomId,
      replaceState: stripped !== undefined || room.initial === true,
      state: collector.state,
      ...(membership ? { membership } : {}),
      ...(room.heroes ? { heroes } : {}),
      ...(room.name !== undefined ? { serverName: room.name } : {}),
      ...(room.joined_count !== undefined ? { joinedCount: room.joined_count } : {}),
      ...(room.invited_count !== undefined ? { invitedCount: room.invited_count } : {}),
      ...(room.notification_count !== undefined ? { notificationCount: room.notification_count } : {}),
      ...(room.highlight_count !== undefined ? { highlightCount: room.highlight_count } : {}),
      ...(collector.latestTimestamp !== undefined ? { latestTimestamp: collector.latestTimestamp } : {}),
      ...(collector.timeline.length > 0 ? { timeline: collector.timeline } : {}),
      ...(room.limited ? { limited: true } : {}),
      ...(room.prev_batch ? { prevBatch: room.prev_batch } : {}),
    };
    batch.skippedEvents += collector.skipped;
    batch.rooms.push(update);
  }
  translateSlidingEphemeral(response, batch);
  for (const raw of response.extensions?.account_data?.global ?? []) {
    const event = accountDataEventSchema.safeParse(raw);
    if (!event.success) {
      batch.skippedEvents++;
      continue;
    }
    if (event.data.type === 'm.direct') batch.direct = parseDirectContent(event.data.content);
  }
  const { to_device: toDevice, e2ee } = response.extensions ?? {};
  if (toDevice !== undefined || e2ee !== undefined) {
    // A count missing here means "unchanged" (MSC4186), which the crypto layer knows for this API.
    const translated = translateE2ee({
      toDevice: toDevice?.events,
      deviceLists: e2ee?.device_lists,
      oneTimeKeyCounts: e2ee?.device_one_time_keys_count,
      unusedFallbackKeys: e2ee?.device_unused_fallback_key_types,
    });
    batch.e2ee = translated.update;
    batch.skippedEvents += translated.skipped;
  }
  return batch;
}

/**
 * The receipts and typing extensions: each room's m.receipt and m.typing event, attached to its
 * update (a room the response did not list gets an update with nothing else in it).
 */
function translateSlidingEphemeral(response: z.output<typeof responseSchema>, batch: SyncBatch): void {
  const byRoom = new Map<string, unknown[]>();
  for (const extension of [response.extensions?.receipts, response.extensions?.typing]) {
    for (const [roomId, event] of Object.entries(extension?.rooms ?? {})) {
      const events = byRoom.get(roomId) ?? [];
      events.push(event);
      byRoom.set(roomId, events);
    }
  }
  const updates = new Map(batch.rooms.map((update) => [update.roomId, update]));
  for (const [roomId, events] of byRoom) {
    const ephemeral = newEphemeral();
    batch.skippedEvents += collectEphemeral(events, ephemeral);
    if (!hasEphemeral(ephemeral)) continue;
    const update = updates.get(roomId);
    if (update) update.ephemeral = ephemeral;
    else batch.rooms.push({ roomId, replaceState: false, state: [], ephemeral });
  }
}
