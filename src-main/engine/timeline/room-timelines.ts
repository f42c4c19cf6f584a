// The rooms the person has open, and what their timelines show: pages read from the store
// (timeline.open, timeline.back, with /messages only when the store runs out), and
// `timeline.changed` for open rooms as events are stored, decrypted, redacted, or as our own
// messages move through the send queue. Redactions are applied in every room, open or not.
import type {
  MessageStatus,
  TimelineChange,
  TimelineItem,
  TimelinePage,
} from '../../../src-preload/contract.ts';
import type { StoredTimelineChange } from '../account/account-session.ts';
import { EngineError } from '../errors.ts';
import type { EngineLogLevel } from '../protocol.ts';
import type { AccountDatabase } from '../store/account-database.ts';
import type { JsonObject } from '../store/json-column.ts';
import type { TimelineEventRecord } from '../store/timeline-store.ts';
import type { PaginationResult } from './pagination.ts';
import { findEvent, type EventOnServer } from './event-search.ts';
import { RelationIndex } from './relation-index.ts';
import { Redactions } from './redactions.ts';
import { toItem } from './decrypted-timeline.ts';
import { isObject, redactionTarget, relationOf, replyTargetOf } from './relations.ts';
import { TimelineView, echoKey, isEchoShown } from './timeline-view.ts';

export interface RoomTimelinesOptions {
  db: AccountDatabase;
  userId: string;
  /** The person opened the room: its waiting events and missing history go first. */
  openRoom(roomId: string): void;
  paginate(roomId: string, limit: number): Promise<PaginationResult>;
  /** Whether the server has an event we may see (a linked event that is not stored). */
  eventOnServer?(roomId: string, eventId: string): Promise<EventOnServer>;
  emit(change: TimelineChange): void;
  log(level: EngineLogLevel, message: string): void;
  readersAt?(roomId: string, eventIds: readonly string[]): Map<string, string[]>;
  mentionsMe?(clearContent: JsonObject, sender: string, roomId: string): boolean;
}

/** Pages fetched from the server for one timeline.back, at most. */
const MAX_PAGES_PER_BACK = 3;
/** Items sent when a view starts again from the newest (as many as the renderer opens with). */
const RESET_PAGE_SIZE = 50;
/**
 * A linked event opens with every stored event after it (the renderer's list reaches the newest);
 * one further back than this from the newest is not shown.
 */
const MAX_EVENTS_AFTER_LINKED = 10_000;

export class RoomTimelines {
  readonly #options: RoomTimelinesOptions;
  /** Open rooms → reply target → the replies shown, so a changed target refreshes their previews. */
  readonly #open = new Map<string, Map<string, Set<string>>>();
  readonly #redactions: Redactions;
  /** Our queued reactions and edits → their target, so a cancelled one refreshes it. */
  readonly #queuedTargets = new Map<string, { roomId: string; target: string }>();
  /** Room → how often it was closed, so a close during openAround's search is not undone. */
  readonly #closes = new Map<string, number>();
  /**
   * Per open room, the lowest ordering the renderer was given (open, openAround, back). Stored
   * events below it are not sent as changes: the renderer would show them above a stretch it has
   * not loaded, a hole that scrolling back (which continues from its oldest item) never fills.
   * They arrive with timeline.back instead. Absent: nothing older was read, all changes go.
   */
  readonly #loadedFrom = new Map<string, number>();
  readonly relations: RelationIndex;
  readonly view: TimelineView;

  constructor(options: RoomTimelinesOptions) {
    this.#options = options;
    const relations = new RelationIndex(options.db);
    this.relations = relations;
    this.#redactions = new Redactions(options.db, relations);
    this.view = new TimelineView({
      db: options.db,
      relations,
      redactions: this.#redactions,
      userId: options.userId,
      ...(options.readersAt ? { readersAt: options.readersAt } : {}),
      ...(options.mentionsMe ? { mentionsMe: options.mentionsMe } : {}),
    });
  }

  isOpen(roomId: string): boolean {
    return this.#open.has(roomId);
  }

  /** The newest `limit` items and the room's local echoes; the room is open from now on. */
  open(roomId: string, limit: number): TimelinePage {
    if (!this.#options.db.rooms.get(roomId))
      throw new EngineError('room_not_found', 'This room is not known');
    this.#open.set(roomId, new Map());
    this.#options.openRoom(roomId);
    return this.#newestPage(roomId, limit);
  }

  /** The newest `limit` items and the echoes; what the renderer holds of the room from now on. */
  #newestPage(roomId: string, limit: number): TimelinePage {
    this.#loadedFrom.delete(roomId);
    const page = this.#readBefore(roomId, null, limit);
    this.#markLoaded(roomId, page.lowest);
    return { roomId, items: [...page.items, ...this.view.echoes(roomId)], hasOlder: page.hasOlder };
  }

  #markLoaded(roomId: string, lowest: number | null): void {
    if (lowest === null) return;
    const loaded = this.#loadedFrom.get(roomId);
    if (loaded === undefined || lowest < loaded) this.#loadedFrom.set(roomId, lowest);
  }

  /**
   * Opens the room at a linked event: `limit` items before it, it, and everything after it, once
   * the event is stored (paginating back for it, bounded). The room is opened only then, so the
   * pages fetched on the way are not sent as changes. Not found (or not shown, or too far back):
   * the newest page, with `aroundEvent.found` false.
   */
  async openAround(roomId: string, eventId: string, limit: number): Promise<TimelinePage> {
    const { db } = this.#options;
    if (!db.rooms.get(roomId)) throw new EngineError('room_not_found', 'This room is not known');
    this.#options.openRoom(roomId);
    const closes = this.#closes.get(roomId) ?? 0;
    const event = await findEvent(
      {
        db,
        paginate: (room, size) => this.#options.paginate(room, size),
        ...(this.#options.eventOnServer ? { eventOnServer: this.#options.eventOnServer } : {}),
        log: (level, message) => this.#options.log(level, message),
      },
      roomId,
      eventId,
    );
    const after = event && this.view.isShown(event) ? this.#readFrom(roomId, event.ordering) : null;
    let page: TimelinePage;
    if (!event || !after) {
      page = { ...this.open(roomId, limit), aroundEvent: { eventId, found: false } };
    } else {
      this.#open.set(roomId, new Map());
      this.#loadedFrom.delete(roomId);
      const before = this.#readBefore(roomId, event.ordering, limit);
      this.#markLoaded(roomId, before.lowest ?? event.ordering);
      page = {
        roomId,
        items: [...before.items, ...this.#items(roomId, after), ...this.view.echoes(roomId)],
        hasOlder: before.hasOlder,
        aroundEvent: { eventId, found: true },
      };
    }
    if ((this.#closes.get(roomId) ?? 0) !== closes) this.#open.delete(roomId);
    return page;
  }

  close(roomId: string): void {
    this.#open.delete(roomId);
    this.#loadedFrom.delete(roomId);
    this.#closes.set(roomId, (this.#closes.get(roomId) ?? 0) + 1);
  }

  /** Up to `limit` items older than `before`: from the store, then from the server if it runs out. */
  async back(roomId: string, before: string, limit: number): Promise<TimelinePage> {
    const { db } = this.#options;
    const anchor = db.timeline.get(roomId, before);
    if (!anchor) throw new EngineError('event_not_found', 'That event is not in this room’s timeline');
    let page = this.#readBefore(roomId, anchor.ordering, limit);
    for (let pages = 0; page.items.length < limit && page.gapBelow && pages < MAX_PAGES_PER_BACK; pages++) {
      const result = await this.#options.paginate(roomId, Math.max(limit, 20));
      page = this.#readBefore(roomId, anchor.ordering, limit);
      if (result.added === 0 && result.reachedStart) break;
    }
    if (this.#open.has(roomId)) this.#markLoaded(roomId, page.lowest);
    return { roomId, items: page.items, hasOlder: page.hasOlder };
  }

  /** Events were stored or decrypted: redactions apply, and open rooms hear what changed. */
  onStored(change: StoredTimelineChange): void {
    const { db, userId } = this.#options;
    const { roomId } = change;
    const open = this.#open.has(roomId);
    // What a redacted relation pointed at, read before the redaction wipes it (a reaction's target).
    const relationTargets = open ? this.#redactedRelationTargets(roomId, change.eventIds) : [];
    const redacted = this.#redactions.applyFor(roomId, change.eventIds);
    if (!open) return;
    if (change.gapBefore === true) {
      // The room moved on while this view was away (a limited sync): what the renderer holds
      // ends above a gap it cannot see. It starts again from the newest, as the room opens.
      const page = this.#newestPage(roomId, RESET_PAGE_SIZE);
      this.#options.emit({ roomId, upserted: page.items, removed: [], reset: { hasOlder: page.hasOlder } });
      return;
    }
    const loadedFrom = this.#loadedFrom.get(roomId);
    const affected = new Set<string>([...change.eventIds, ...redacted, ...relationTargets]);
    const removed = new Set<string>();
    for (const eventId of change.eventIds) {
      const event = db.timeline.get(roomId, eventId);
      if (!event) continue;
      const target = redactionTarget(event) ?? relationOf(event)?.eventId ?? null;
      if (target !== null) affected.add(target);
      const transactionId =
        event.sender === userId && isObject(event.unsigned) ? event.unsigned.transaction_id : undefined;
      if (typeof transactionId === 'string') removed.add(echoKey(transactionId));
    }
    const events: TimelineEventRecord[] = [];
    const replies = this.#open.get(roomId);
    for (const eventId of [...affected]) for (const reply of replies?.get(eventId) ?? []) affected.add(reply);
    for (const eventId of affected) {
      const event = db.timeline.get(roomId, eventId);
      if (!event) continue;
      // An event that now shows inside its target (an encrypted reaction that opened) leaves.
      if (!this.view.isShown(event)) removed.add(eventId);
      else if (loadedFrom === undefined || event.ordering >= loadedFrom) events.push(event);
    }
    events.sort((a, b) => a.ordering - b.ordering);
    this.#emit(roomId, this.#items(roomId, events), [...removed]);
  }

  #redactedRelationTargets(roomId: string, eventIds: readonly string[]): string[] {
    const targets: string[] = [];
    for (const eventId of eventIds) {
      const event = this.#options.db.timeline.get(roomId, eventId);
      const redacts = event ? redactionTarget(event) : null;
      const target = redacts === null ? null : this.#options.db.timeline.get(roomId, redacts);
      const relation = target ? relationOf(target) : null;
      if (relation) targets.push(relation.eventId);
    }
    return targets;
  }

  /** A queued message of ours changed state: its echo (or the target of our relation) changes. */
  onStatus(status: MessageStatus): void {
    const { roomId, transactionId } = status;
    const message = this.#options.db.outgoing.get(transactionId);
    const relatesTo =
      message && isObject(message.content['m.relates_to']) ? message.content['m.relates_to'] : null;
    const target =
      message && !isEchoShown(message) && typeof relatesTo?.event_id === 'string' ? relatesTo.event_id : null;
    if (target !== null && status.state === 'pending')
      this.#queuedTargets.set(transactionId, { roomId, target });
    else this.#queuedTargets.delete(transactionId);
    if (!this.#open.has(roomId)) return;
    if (!message) {
      this.#emit(roomId, [], [echoKey(transactionId)]);
      return;
    }
    if (isEchoShown(message)) {
      const echo = this.view.echo(roomId, transactionId);
      this.#emit(roomId, echo ? [echo] : [], echo ? [] : [echoKey(transactionId)]);
      return;
    }
    const event = target === null ? null : this.#options.db.timeline.get(roomId, target);
    if (event) this.#emit(roomId, this.view.items(roomId, [event]), []);
  }

  /** A queued message was dropped (message.cancel): its echo leaves, its relation's target changes. */
  forget(roomId: string, transactionId: string): void {
    const queued = this.#queuedTargets.get(transactionId);
    this.#queuedTargets.delete(transactionId);
    const relatedTo = queued?.roomId === roomId ? queued.target : null;
    if (!this.#open.has(roomId)) return;
    const event = relatedTo === null ? null : this.#options.db.timeline.get(roomId, relatedTo);
    this.#emit(roomId, event ? this.view.items(roomId, [event]) : [], [echoKey(transactionId)]);
  }

  /** Re-reads these events of an open room and tells the renderer (receipts, mentions). */
  refresh(roomId: string, eventIds: readonly string[]): void {
    if (!this.#open.has(roomId)) return;
    const events = eventIds
      .map((eventId) => this.#options.db.timeline.get(roomId, eventId))
      .filter((event): event is TimelineEventRecord => event !== null)
      .sort((a, b) => a.ordering - b.ordering);
    this.#emit(roomId, this.view.items(roomId, events), []);
  }

  /** The items of shown events; replies among them are remembered for their target's changes. */
  #items(roomId: string, events: readonly TimelineEventRecord[]): TimelineItem[] {
    const replies = this.#open.get(roomId);
    if (replies)
      for (const event of events) {
        const target = replyTargetOf(toItem(event).content);
        if (target === null) continue;
        let set = replies.get(target);
        if (!set) replies.set(target, (set = new Set()));
        set.add(event.eventId);
      }
    return this.view.items(roomId, events);
  }

  #emit(roomId: string, upserted: TimelineItem[], removed: string[]): void {
    if (upserted.length === 0 && removed.length === 0) return;
    this.#options.emit({ roomId, upserted, removed });
  }

  /** The shown events from `ordering` up to the newest; null when there are too many. */
  #readFrom(roomId: string, ordering: number): TimelineEventRecord[] | null {
    const { db } = this.#options;
    const batchSize = 500;
    const events: TimelineEventRecord[] = [];
    let batch = db.timeline.latest(roomId, batchSize);
    while (events.length <= MAX_EVENTS_AFTER_LINKED) {
      events.unshift(...batch.filter((event) => event.ordering >= ordering));
      const lowest = batch[0]?.ordering;
      if (lowest === undefined || lowest <= ordering) break;
      batch = db.timeline.before(roomId, lowest, batchSize);
    }
    if (events.length > MAX_EVENTS_AFTER_LINKED) return null;
    return events.filter((event) => this.view.isShown(event));
  }

  /**
   * Up to `limit` shown items before `ordering` (null: the newest), reading past hidden events.
   * `gapBelow`: the store has no more events there but the server has (a gap at the bottom).
   */
  #readBefore(
    roomId: string,
    ordering: number | null,
    limit: number,
  ): { items: TimelineItem[]; hasOlder: boolean; gapBelow: boolean; lowest: number | null } {
    const { db } = this.#options;
    const gaps = db.timeline.gaps(roomId);
    // Reading stops at the first gap below the start: what lies under it is older history, and
    // showing it next to these items would hide the missing stretch (back() fills the gap first).
    let floor: number | null = null;
    for (const found of gaps)
      if ((ordering === null || found.ordering <= ordering) && (floor === null || found.ordering > floor))
        floor = found.ordering;
    const shown: TimelineEventRecord[] = [];
    let cursor = ordering;
    let exhausted = false;
    while (shown.length < limit) {
      const batch =
        cursor === null
          ? db.timeline.latest(roomId, limit * 2)
          : db.timeline.before(roomId, cursor, limit * 2);
      if (batch.length === 0) {
        exhausted = true;
        break;
      }
      cursor = batch[0]?.ordering ?? cursor;
      const reachable = floor === null ? batch : batch.filter((event) => event.ordering >= (floor ?? 0));
      const visible = reachable.filter((event) => this.view.isShown(event));
      shown.unshift(...visible.slice(Math.max(0, visible.length - (limit - shown.length))));
      if (reachable.length < batch.length || batch.length < limit * 2) {
        exhausted = true;
        break;
      }
    }
    const lowest =
      shown[0]?.ordering ?? (floor !== null && cursor !== null ? Math.max(floor, cursor) : cursor);
    // A gap at or below the lowest item: the server has history the store does not.
    const gap = floor !== null || gaps.some((found) => lowest === null || found.ordering <= lowest);
    const olderStored = lowest !== null && db.timeline.before(roomId, lowest, 1).length > 0;
    const gapBelow = exhausted && shown.length < limit && gap;
    const hasOlder = olderStored || gap;
    return { items: this.#items(roomId, shown), hasOlder, gapBelow, lowest };
  }
}
