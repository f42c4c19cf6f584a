// What happens in the rooms beside their state: read receipts, typing, unread counts and the
// latest message's preview, and the settings that govern receipts and typing. Fed by the sync
// batches' ephemeral events and by the timeline store's changes; answers rooms.details,
// receipts.markRead, typing.set and settings.get/set.
import { z } from 'zod';
import type {
  EventName,
  EventPayloads,
  RoomDetails,
  RoomSummary,
  SettingsView,
} from '../../../src-preload/contract.ts';
import { EngineError } from '../errors.ts';
import type { MatrixHttp } from '../http/matrix-http.ts';
import type { EngineLogLevel } from '../protocol.ts';
import { AccountSettings, type SettingValues } from '../settings/account-settings.ts';
import type { AccountDatabase } from '../store/account-database.ts';
import type { SyncBatch } from '../sync/sync-batch.ts';
import { toItem } from '../timeline/decrypted-timeline.ts';
import { latestMessagePreview } from './message-preview.ts';
import { newestEvents } from './newest-events.ts';
import { asMembershipError } from './membership.ts';
import { isLater, latestReceipt, storeReceipts } from './read-receipts.ts';
import { roomDetails } from './room-details.ts';
import type { RoomList } from './room-list.ts';
import { TypingNotices } from './typing-notices.ts';
import { countUnread } from './unread-counts.ts';

/** Newest events looked at for the preview. */
const PREVIEW_SCAN_LIMIT = 50;

const anyObject = z.looseObject({});

export interface RoomActivityOptions {
  db: AccountDatabase;
  http: Pick<MatrixHttp, 'request'>;
  rooms: RoomList;
  userId: string;
  displayName(): string | null;
  emit<E extends EventName>(name: E, payload: EventPayloads[E]): void;
  /** The room list changed outside a sync batch (emitted as rooms.changed). */
  onRoomsChanged(rooms: RoomSummary[]): void;
  /** Settings fixed by an organization's policy (issue 5). */
  lockedSettings?: Partial<SettingValues>;
  log(level: EngineLogLevel, message: string): void;
  now?: () => number;
}

export class RoomActivity {
  readonly settings: AccountSettings;
  readonly typing: TypingNotices;
  readonly #options: RoomActivityOptions;
  readonly #now: () => number;
  readonly #readerListeners = new Set<(roomId: string, eventIds: readonly string[]) => void>();

  constructor(options: RoomActivityOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.settings = new AccountSettings({
      store: options.db.settings,
      ...(options.lockedSettings ? { locked: options.lockedSettings } : {}),
      onChanged: (view: SettingsView) => options.emit('settings.changed', view),
      log: options.log,
    });
    this.typing = new TypingNotices({
      http: options.http,
      userId: options.userId,
      sendEnabled: () => this.settings.value('sendTypingNotices'),
      onChange: (change) => options.emit('typing.changed', change),
      log: options.log,
    });
  }

  /** Computes every room's preview and local counts from the store (at start, before emitting). */
  restore(): void {
    for (const roomId of this.#options.rooms.roomIds()) this.#refresh(roomId);
  }

  /**
   * Takes a batch's receipts and typing (after the batch was stored). Returns true when a room's
   * summary changed, for the caller's rooms.changed.
   */
  receive(batch: SyncBatch): boolean {
    const { db, rooms, userId } = this.#options;
    let changed = false;
    for (const update of batch.rooms) {
      const ephemeral = update.ephemeral;
      if (!ephemeral || !rooms.has(update.roomId)) continue;
      if (ephemeral.receipts.length > 0) {
        const roomId = update.roomId;
        // Where each sender's receipt was before, so the timeline can take them off those events.
        const before = new Set<string>();
        for (const receipt of ephemeral.receipts) {
          const previous = latestReceipt(db, roomId, receipt.userId);
          if (previous) before.add(previous.eventId);
        }
        const movedUsers = db.transaction(() => storeReceipts(db, roomId, ephemeral.receipts));
        if (movedUsers.size > 0)
          this.#readersMoved(roomId, [...before, ...ephemeral.receipts.map((receipt) => receipt.eventId)]);
        if (movedUsers.has(userId)) changed = this.#refresh(update.roomId) || changed;
      }
      if (ephemeral.typing) this.typing.receive(update.roomId, ephemeral.typing);
    }
    return changed;
  }

  /** Calls `listener` when other people's read receipts moved in a room (the events concerned). */
  onReadersMoved(listener: (roomId: string, eventIds: readonly string[]) => void): () => void {
    this.#readerListeners.add(listener);
    return () => this.#readerListeners.delete(listener);
  }

  #readersMoved(roomId: string, eventIds: readonly string[]): void {
    const unique = [...new Set(eventIds)];
    for (const listener of this.#readerListeners) listener(roomId, unique);
  }

  /**
   * Events of a room were stored or decrypted: its preview and counts are read again. Changes
   * from sync are emitted by the batch's rooms.changed; the others here.
   */
  timelineStored(change: { roomId: string; cause: 'sync' | 'paginated' | 'decrypted' }): void {
    if (!this.#refresh(change.roomId) || change.cause === 'sync') return;
    this.#persist();
    this.#options.onRoomsChanged(this.#options.rooms.summaries());
  }

  details(roomId: string): RoomDetails {
    return roomDetails(this.#options.db.roomState, this.#options.rooms.summary(roomId), this.#options.userId);
  }

  /**
   * Our receipt (public or private, per the setting) and the fully-read marker at `eventId`.
   * An event before our current receipt is ignored: a receipt never moves back.
   */
  async markRead(roomId: string, eventId: string): Promise<null> {
    const { db, rooms, userId, http } = this.#options;
    if (!rooms.has(roomId)) throw new EngineError('room_not_found', 'This room is not in your room list');
    const type = this.settings.value('readReceipts') === 'private' ? 'm.read.private' : 'm.read';
    const receipt = { userId, type, eventId, ts: this.#now() } as const;
    const current = latestReceipt(db, roomId, userId);
    if (current && !isLater(db, roomId, receipt, current)) return null;
    db.transaction(() => storeReceipts(db, roomId, [receipt]));
    // Unencrypted rooms show the server's counts; read up to the newest event they are 0 until
    // the server restates them.
    const newest = db.timeline.latest(roomId, 1)[0];
    let changed = false;
    if (!rooms.isEncrypted(roomId) && newest?.eventId === eventId)
      changed = rooms.setServerCounts(roomId, { notificationCount: 0, highlightCount: 0 });
    changed = this.#refresh(roomId) || changed;
    if (changed) {
      this.#persist();
      this.#options.onRoomsChanged(rooms.summaries());
    }
    try {
      await http.request('POST', `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/read_markers`, {
        schema: anyObject,
        body: { 'm.fully_read': eventId, [type]: eventId },
        retries: 2,
      });
    } catch (error) {
      throw asMembershipError(error, 'mark the room as read');
    }
    return null;
  }

  async setTyping(roomId: string, typing: boolean): Promise<null> {
    if (!this.#options.rooms.has(roomId))
      throw new EngineError('room_not_found', 'This room is not in your room list');
    await this.typing.set(roomId, typing);
    return null;
  }

  /** Recomputes a room's preview and local counts; true when its summary changed. */
  #refresh(roomId: string): boolean {
    const { db, rooms, userId } = this.#options;
    if (!rooms.has(roomId)) return false;
    const lastMessage = latestMessagePreview(
      (function* () {
        for (const event of newestEvents(db, roomId, PREVIEW_SCAN_LIMIT))
          yield { item: toItem(event), unsigned: event.unsigned };
      })(),
    );
    const localCounts = rooms.isEncrypted(roomId)
      ? countUnread(db, roomId, { userId, displayName: this.#options.displayName() })
      : null;
    return rooms.setActivity(roomId, { lastMessage, localCounts });
  }

  /** Writes the rooms changed outside a sync batch (a batch writes its own). */
  #persist(): void {
    const { db, rooms } = this.#options;
    const changes = rooms.takeChanges();
    db.transaction(() => {
      if (changes.rooms.length > 0) db.rooms.upsertMany(changes.rooms);
      for (const [roomId, members] of changes.members) db.members.upsertMany(roomId, members);
      for (const roomId of changes.removed) db.rooms.remove(roomId);
    });
  }
}

/** The open session's room activity, or not_signed_in. */
export function activityOf(session: { activity: RoomActivity } | null): RoomActivity {
  if (!session) throw new EngineError('not_signed_in', 'Sign in first');
  return session.activity;
}
