// The open account: its encrypted database, its OlmMachine, its room list and its sync loop.
// Each sync response is handled in this order, so a crash anywhere resumes correctly:
//   1. the crypto layer takes the response's to-device events and key counts, then flushes
//      its store to disk (the barrier);
//   2. the room list applies the response, and the rooms, members, state and the new sync
//      position are written in ONE SQLite transaction.
// A crash before 2 leaves the old position on disk: the server sends the response again.
// Encrypted timeline events are then decrypted in the background (TimelineDecryption), once.
// History a response left behind a gap is fetched with /messages (RoomPagination): on request,
// and in the background for rooms that moved on while Tessera was away (PaginationBackfill).
import type {
  EventName,
  EventPayloads,
  RoomSummary,
  SessionView,
  SyncState,
} from '../../../src-preload/contract.ts';
import type { CryptoAccount } from './crypto-account.ts';
import { OlmCryptoAccount } from './olm-crypto-account.ts';
import { EngineError } from '../errors.ts';
import type { MatrixApiError } from '../http/matrix-api-error.ts';
import type { MatrixHttp } from '../http/matrix-http.ts';
import type { EngineLogLevel } from '../protocol.ts';
import { RoomActivity } from '../rooms/room-activity.ts';
import type { SettingValues } from '../settings/account-settings.ts';
import { RoomList } from '../rooms/room-list.ts';
import { MessageNotifications } from '../rooms/message-notifications.ts';
import type { AccountDatabase } from '../store/account-database.ts';
import type { SyncApi } from '../store/sync-position-store.ts';
import type { SyncBatch } from '../sync/sync-batch.ts';
import { parseDirectContent } from '../sync/event-shapes.ts';
import { SlidingSync } from '../sync/sliding-sync.ts';
import { SyncLoop } from '../sync/sync-loop.ts';
import type { SyncSource } from '../sync/sync-source.ts';
import { V3Sync } from '../sync/v3-sync.ts';
import { readTimeline, type TimelineItem } from '../timeline/decrypted-timeline.ts';
import { TimelineDecryption } from '../timeline/timeline-decryption.ts';
import { RoomPagination, type PaginationResult } from '../timeline/pagination.ts';
import { PaginationBackfill } from '../timeline/pagination-backfill.ts';

export const settingKeys = {
  syncApi: 'sync.api',
  /** Sliding sync's to-device extension has its own position, saved beside `pos`. */
  toDeviceSince: 'sync.toDeviceSince',
  direct: 'account_data.m.direct',
  displayName: 'profile.displayName',
} as const;

/**
 * Events of a room were written: new from sync, older from pagination, or a decryption outcome.
 * Views (timelines, unread counts, previews) re-read what they show of those events.
 */
export interface StoredTimelineChange {
  roomId: string;
  eventIds: readonly string[];
  cause: 'sync' | 'paginated' | 'decrypted';
  /** Set on the first sync response of a fresh sign-in (no stored position): nothing new. */
  initial?: boolean;
  /** A limited sync: a gap now lies between these events and those stored before them. */
  gapBefore?: boolean;
}

/** Rooms given a background page per sync response, at most. */
const BACKFILL_ROOMS_PER_RESPONSE = 50;

export interface AccountSessionOptions {
  db: AccountDatabase;
  http: MatrixHttp;
  crypto: CryptoAccount;
  userId: string;
  deviceId: string;
  homeserver: string;
  backend: 'os-keychain' | 'passphrase';
  syncApi: SyncApi;
  syncTimeoutMs: number;
  slidingSyncInitialWindow?: number;
  /** Settings fixed by the organization's policy (EngineOptions.policy.lockedSettings). */
  lockedSettings?: Partial<SettingValues>;
  onRoomsChanged(rooms: RoomSummary[]): void;
  /** Other contract events of the account (typing.changed, settings.changed, ...). */
  emit?<E extends EventName>(name: E, payload: EventPayloads[E]): void;
  onSessionChanged(): void;
  onTokenRefused(error: MatrixApiError): void;
  /** Storage failed under the session (disk full, crypto journal write failed): it has stopped. */
  onFailure(error: EngineError): void;
  log(level: EngineLogLevel, message: string): void;
}

function storedDirect(value: unknown): Record<string, string[]> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  return parseDirectContent(value as Record<string, unknown>);
}

export class AccountSession {
  readonly userId: string;
  readonly deviceId: string;
  readonly homeserver: string;
  readonly db: AccountDatabase;
  readonly http: MatrixHttp;
  readonly crypto: CryptoAccount;
  readonly rooms: RoomList;
  /** Receipts, typing, unread counts, previews and settings. */
  readonly activity: RoomActivity;
  /** Null when the crypto layer is a stand-in without an OlmMachine (storage tests). */
  readonly decryption: TimelineDecryption | null;
  readonly #pagination: RoomPagination;
  readonly #backfill: PaginationBackfill;
  readonly #options: AccountSessionOptions;
  readonly #source: SyncSource;
  #sliding: SlidingSync | undefined;
  readonly #sync: SyncLoop;
  #displayName: string | null;
  #stopped = false;
  /** No sync position was stored: the next response is the initial sync of a fresh sign-in. */
  #initialSync: boolean;
  readonly #timelineListeners = new Set<(change: StoredTimelineChange) => void>();

  constructor(options: AccountSessionOptions) {
    this.#options = options;
    this.userId = options.userId;
    this.deviceId = options.deviceId;
    this.homeserver = options.homeserver;
    this.db = options.db;
    this.http = options.http;
    this.crypto = options.crypto;
    this.decryption =
      options.crypto instanceof OlmCryptoAccount
        ? new TimelineDecryption({
            db: options.db,
            machine: options.crypto.machine.olm,
            log: options.log,
            onRecorded: (roomId, eventIds) => this.#timelineStored({ roomId, eventIds, cause: 'decrypted' }),
          })
        : null;
    this.#pagination = new RoomPagination({
      db: options.db,
      http: options.http,
      onStored: (roomId, eventIds) => {
        this.decryption?.kick();
        this.#timelineStored({ roomId, eventIds, cause: 'paginated' });
      },
      log: options.log,
    });
    this.#backfill = new PaginationBackfill({
      paginate: (roomId, limit) => this.#pagination.paginate(roomId, limit),
      hasGap: (roomId) => this.#pagination.hasGap(roomId),
      log: options.log,
    });
    const displayName = options.db.settings.get(settingKeys.displayName);
    this.#displayName = typeof displayName === 'string' ? displayName : null;
    // The stored list first: the room list shows before the network answers.
    this.rooms = RoomList.restore(
      options.userId,
      options.db.rooms.list(),
      (roomId) => options.db.members.list(roomId),
      storedDirect(options.db.settings.get(settingKeys.direct)),
    );
    this.activity = new RoomActivity({
      db: options.db,
      http: options.http,
      rooms: this.rooms,
      userId: options.userId,
      displayName: () => this.#displayName,
      emit: (name, payload) => options.emit?.(name, payload),
      onRoomsChanged: (rooms) => options.onRoomsChanged(rooms),
      ...(options.lockedSettings ? { lockedSettings: options.lockedSettings } : {}),
      log: options.log,
    });
    this.activity.restore();
    this.onTimelineStored((change) => this.activity.timelineStored(change));
    const notifications = new MessageNotifications({
      db: options.db,
      rooms: this.rooms,
      userId: options.userId,
      displayName: () => this.#displayName,
      previews: () => this.activity.settings.value('notificationPreviews'),
      startedAt: Date.now(),
      emit: (notification) => options.emit?.('notification.show', notification),
      log: options.log,
    });
    this.onTimelineStored((change) => notifications.timelineStored(change));
    const position = options.db.sync.position(options.syncApi) ?? undefined;
    this.#initialSync = position === undefined;
    const toDeviceSince = options.db.settings.get(settingKeys.toDeviceSince);
    if (options.syncApi === 'sliding') {
      this.#sliding = new SlidingSync(options.http, options.syncTimeoutMs, {
        pos: position,
        initialWindow: options.slidingSyncInitialWindow,
        ...(typeof toDeviceSince === 'string' ? { toDeviceSince } : {}),
      });
      this.#source = this.#sliding;
    } else {
      this.#source = new V3Sync(options.http, options.syncTimeoutMs, position);
    }
    this.#sync = new SyncLoop(this.#source, {
      onBatch: (batch) => this.#onBatch(batch),
      onState: () => options.onSessionChanged(),
      onUnauthorized: (error) => options.onTokenRefused(error),
      log: options.log,
    });
  }

  get syncApi(): SyncApi {
    return this.#source.api;
  }

  get syncState(): SyncState {
    return this.#sync.state;
  }

  get displayName(): string | null {
    return this.#displayName;
  }

  set displayName(name: string | null) {
    this.#displayName = name;
    // A profile lookup may answer after the session stopped and its database closed.
    if (!this.#stopped) this.db.settings.set(settingKeys.displayName, name);
  }

  view(): SessionView {
    return {
      userId: this.userId,
      deviceId: this.deviceId,
      homeserver: this.homeserver,
      displayName: this.#displayName,
      syncState: this.#sync.state,
      storage: { state: 'open', backend: this.#options.backend },
    };
  }

  start(): void {
    // Listening for room keys before the first sync response brings any.
    this.decryption?.start();
    this.#sync.start();
    this.crypto.start();
  }

  /**
   * The newest `limit` events of a room, decrypted ones in clear, from the store. Reading a room
   * means the person opened it: its events still waiting are decrypted next, in the background.
   */
  timeline(roomId: string, limit: number): TimelineItem[] {
    this.decryption?.prioritize(roomId);
    return readTimeline(this.db, roomId, limit);
  }

  /**
   * Fetches up to `limit` older events of the room (scrolling back) into its newest gap; encrypted
   * ones are decrypted in the background afterwards.
   */
  paginate(roomId: string, limit: number): Promise<PaginationResult> {
    return this.#pagination.paginate(roomId, limit);
  }

  /** The person opened the room: its missing history and its waiting events go first. */
  openRoom(roomId: string): void {
    this.decryption?.prioritize(roomId);
    this.#backfill.prioritize(roomId);
  }

  /** Calls `listener` after events are stored or decrypted; returns the unsubscribe function. */
  onTimelineStored(listener: (change: StoredTimelineChange) => void): () => void {
    this.#timelineListeners.add(listener);
    return () => this.#timelineListeners.delete(listener);
  }

  #timelineStored(change: StoredTimelineChange): void {
    if (this.#stopped) return;
    for (const listener of this.#timelineListeners) {
      try {
        listener(change);
      } catch (error) {
        this.#options.log(
          'error',
          `timeline: a listener failed (${error instanceof Error ? error.name : typeof error})`,
        );
      }
    }
  }

  /** Resolves when the background pages queued so far are stored (tests). */
  whenBackfilled(): Promise<void> {
    return this.#backfill.whenIdle();
  }

  async #onBatch(batch: SyncBatch): Promise<void> {
    if (this.#stopped) return;
    try {
      await this.crypto.receive(batch, this.#source.api);
      const changed = this.rooms.apply(batch);
      const changes = this.rooms.takeChanges();
      const position = this.#source.position;
      const returnedTo = new Set<string>();
      this.db.transaction(() => {
        if (changes.rooms.length > 0) this.db.rooms.upsertMany(changes.rooms);
        for (const [roomId, members] of changes.members) this.db.members.upsertMany(roomId, members);
        for (const roomId of changes.removed) this.db.rooms.remove(roomId);
        const kept = new Set(changes.rooms.map((room) => room.roomId));
        for (const update of batch.rooms) {
          if (!kept.has(update.roomId)) continue;
          const events = update.state.map((event) => ({ ...event, eventId: null }));
          if (update.replaceState) this.db.roomState.replaceAll(update.roomId, events);
          else if (events.length > 0) this.db.roomState.putMany(update.roomId, events);
          if (update.timeline) {
            const appended = this.db.timeline.appendBatch(
              update.roomId,
              update.timeline.map((event) => ({
                ...event,
                // Encrypted events are kept as sent and decrypted once, later (issue 4).
                decryption: event.type === 'm.room.encrypted' ? 'pending' : 'none',
              })),
              { limited: update.limited ?? false, prevBatch: update.prevBatch ?? null },
            );
            // A gap opened after events already stored: the room moved on while Tessera was away.
            if (update.limited && update.prevBatch && (appended.firstOrdering ?? 0) > 0)
              returnedTo.add(update.roomId);
          }
        }
        if (changes.direct) this.db.settings.set(settingKeys.direct, changes.direct);
        if (position !== undefined) this.db.sync.savePosition(this.#source.api, position);
        const toDeviceSince = this.#sliding?.toDeviceSince;
        if (toDeviceSince !== undefined) this.db.settings.set(settingKeys.toDeviceSince, toDeviceSince);
      });
      const activityChanged = this.activity.receive(batch);
      if (batch.rooms.some((update) => update.timeline?.some((event) => event.type === 'm.room.encrypted')))
        this.decryption?.kick();
      for (const update of batch.rooms)
        if (update.timeline && update.timeline.length > 0)
          this.#timelineStored({
            roomId: update.roomId,
            eventIds: update.timeline.map((event) => event.eventId),
            cause: 'sync',
            ...(this.#initialSync ? { initial: true } : {}),
            ...(returnedTo.has(update.roomId) ? { gapBefore: true } : {}),
          });
      this.#initialSync = false;
      if (changed || activityChanged) this.#options.onRoomsChanged(this.rooms.summaries());
      this.#backfillRecent(batch, returnedTo);
    } catch (error) {
      const failure =
        error instanceof EngineError
          ? error
          : new EngineError('internal', 'Tessera could not save what the server sent; it stopped syncing', {
              cause: error,
            });
      this.#options.log('error', `sync: could not store a response (${failure.code})`);
      void this.stop().finally(() => this.#options.onFailure(failure));
      throw failure;
    }
  }

  /**
   * One page for each room this response left a recent gap in, most recent first: rooms that
   * moved on while Tessera was away (a restart, a busy period), and rooms with unread
   * notifications (what the person comes back for). Bounded per response.
   */
  #backfillRecent(batch: SyncBatch, returnedTo: ReadonlySet<string>): void {
    const gapped = new Set(
      batch.rooms.filter((update) => update.limited && update.prevBatch).map((update) => update.roomId),
    );
    if (gapped.size === 0) return;
    const rooms = this.rooms
      .summaries()
      .filter(
        (room) =>
          gapped.has(room.roomId) &&
          room.membership === 'join' &&
          (returnedTo.has(room.roomId) || room.notificationCount > 0),
      )
      .sort((a, b) => b.lastActivity - a.lastActivity)
      .slice(0, BACKFILL_ROOMS_PER_RESPONSE);
    this.#backfill.schedule(rooms.map((room) => room.roomId));
  }

  /** Stops syncing and the crypto loop, writes what the crypto store holds, closes the database. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    await this.#sync.stop();
    try {
      // Queued pages are dropped and requests in flight cancelled before the database closes.
      const backfillStopped = this.#backfill.stop();
      await this.#pagination.stop();
      await backfillStopped;
      await this.decryption?.stop();
      await this.crypto.close();
    } finally {
      this.db.close();
    }
  }
}
