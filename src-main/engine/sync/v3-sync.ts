// `/v3/sync`, for servers without Simplified Sliding Sync. Lazy-loaded members keep the
// initial response small; the room summary's heroes name rooms without a name.
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
import type { RoomUpdate, SyncBatch } from './sync-batch.ts';
import type { SyncSource } from './sync-source.ts';

const FILTER = JSON.stringify({
  room: {
    state: { lazy_load_members: true },
    timeline: { limit: 1, lazy_load_members: true },
  },
  presence: { not_types: ['*'] },
});

const summarySchema = z
  .looseObject({
    'm.heroes': z.array(z.string()).optional(),
    'm.joined_member_count': z.number().int().nonnegative().optional(),
    'm.invited_member_count': z.number().int().nonnegative().optional(),
  })
  .optional();

const joinedRoomSchema = z.looseObject({
  summary: summarySchema,
  state: z.looseObject({ events: eventList }).optional(),
  timeline: z
    .looseObject({ events: eventList, limited: z.boolean().optional(), prev_batch: z.string().optional() })
    .optional(),
  ephemeral: z.looseObject({ events: eventList }).optional(),
  unread_notifications: z
    .looseObject({ notification_count: z.number().optional(), highlight_count: z.number().optional() })
    .optional(),
});

const invitedRoomSchema = z.looseObject({
  invite_state: z.looseObject({ events: eventList }).optional(),
});

const syncResponseSchema = z.looseObject({
  next_batch: z.string().min(1),
  rooms: z
    .looseObject({
      join: z.record(z.string(), z.unknown()).optional(),
      invite: z.record(z.string(), z.unknown()).optional(),
      leave: z.record(z.string(), z.unknown()).optional(),
    })
    .optional(),
  account_data: z.looseObject({ events: eventList }).optional(),
  // The e2ee parts are checked field by field in translateE2ee, so one bad field drops only itself.
  to_device: z.looseObject({ events: eventList }).optional(),
  device_lists: z.unknown().optional(),
  device_one_time_keys_count: z.unknown().optional(),
  device_unused_fallback_key_types: z.unknown().optional(),
});

export class V3Sync implements SyncSource {
  readonly api = 'v3' as const;
  readonly #http: MatrixHttp;
  readonly #timeoutMs: number;
  #since: string | undefined;

  constructor(http: MatrixHttp, timeoutMs: number, since?: string) {
    this.#http = http;
    this.#timeoutMs = timeoutMs;
    this.#since = since;
  }

  get position(): string | undefined {
    return this.#since;
  }

  reset(): void {
    this.#since = undefined;
  }

  async next(signal: AbortSignal): Promise<SyncBatch> {
    const initial = this.#since === undefined;
    const response = await this.#http.request('GET', '/_matrix/client/v3/sync', {
      schema: syncResponseSchema,
      query: {
        filter: FILTER,
        since: this.#since,
        timeout: initial ? 0 : this.#timeoutMs,
        set_presence: 'offline',
      },
      timeoutMs: this.#timeoutMs + 30_000,
      retries: 0,
      signal,
    });
    const batch = translateV3(response);
    this.#since = response.next_batch;
    return batch;
  }
}

export function translateV3(response: z.output<typeof syncResponseSchema>): SyncBatch {
  const batch: SyncBatch = { rooms: [], skippedEvents: 0 };
  const sections: [Membership, Record<string, unknown> | undefined][] = [
    ['join', response.rooms?.join],
    ['invite', response.rooms?.invite],
    ['leave', response.rooms?.leave],
  ];
  for (const [membership, rooms] of sections) {
    for (const [roomId, raw] of Object.entries(rooms ?? {})) {
      const update =
        membership === 'invite' ? translateInvite(roomId, raw) : translateJoined(roomId, raw, membership);
      if (!update) {
        batch.skippedEvents++;
        continue;
      }
      batch.skippedEvents += update.skipped;
      batch.rooms.push(update.update);
    }
  }
  for (const raw of response.account_data?.events ?? []) {
    const event = accountDataEventSchema.safeParse(raw);
    if (!event.success) {
      batch.skippedEvents++;
      continue;
    }
    if (event.data.type === 'm.direct') batch.direct = parseDirectContent(event.data.content);
  }
  // Always present for /v3/sync: a missing one-time key count means zero keys left.
  const e2ee = translateE2ee({
    toDevice: response.to_device?.events,
    deviceLists: response.device_lists,
    oneTimeKeyCounts: response.device_one_time_keys_count,
    unusedFallbackKeys: response.device_unused_fallback_key_types,
  });
  batch.e2ee = e2ee.update;
  batch.skippedEvents += e2ee.skipped;
  return batch;
}

function translateJoined(
  roomId: string,
  raw: unknown,
  membership: Membership,
): { update: RoomUpdate; skipped: number } | undefined {
  const parsed = joinedRoomSchema.safeParse(raw);
  if (!parsed.success) return undefined;
  const room = parsed.data;
  const collector = newCollector();
  collectState(collector, room.state?.events);
  collectTimeline(collector, room.timeline?.events);
  const ephemeral = newEphemeral();
  collector.skipped += collectEphemeral(room.ephemeral?.events, ephemeral);
  const summary = room.summary;
  const update: RoomUpdate = {
    roomId,
    membership,
    replaceState: false,
    state: collector.state,
    ...(summary?.['m.heroes'] ? { heroes: summary['m.heroes'].map((userId) => ({ userId })) } : {}),
    ...(summary?.['m.joined_member_count'] !== undefined
      ? { joinedCount: summary['m.joined_member_count'] }
      : {}),
    ...(summary?.['m.invited_member_count'] !== undefined
      ? { invitedCount: summary['m.invited_member_count'] }
      : {}),
    ...(room.unread_notifications?.notification_count !== undefined
      ? { notificationCount: room.unread_notifications.notification_count }
      : {}),
    ...(room.unread_notifications?.highlight_count !== undefined
      ? { highlightCount: room.unread_notifications.highlight_count }
      : {}),
    ...(collector.latestTimestamp !== undefined ? { latestTimestamp: collector.latestTimestamp } : {}),
    ...(collector.timeline.length > 0 ? { timeline: collector.timeline } : {}),
    ...(room.timeline?.limited ? { limited: true } : {}),
    ...(room.timeline?.prev_batch ? { prevBatch: room.timeline.prev_batch } : {}),
    ...(hasEphemeral(ephemeral) ? { ephemeral } : {}),
  };
  return { update, skipped: collector.skipped };
}

function translateInvite(roomId: string, raw: unknown): { update: RoomUpdate; skipped: number } | undefined {
  const parsed = invitedRoomSchema.safeParse(raw);
  if (!parsed.success) return undefined;
  const collector = newCollector();
  collectState(collector, parsed.data.invite_state?.events);
  return {
    update: { roomId, membership: 'invite', replaceState: true, state: collector.state },
    skipped: collector.skipped,
  };
}
