// Builds the contract's TimelineItem view models from stored events and the send queue: the
// clear content (decrypted form, latest valid edit, reply fallback removed), reactions,
// redactions, the sender's shield and what we may do with the item. Reads the store only.
import {
  errorCodes,
  type ErrorCode,
  type ErrorView,
  type ReactionView,
  type ShieldView,
  type TimelineContent,
  type TimelineItem,
} from '../../../src-preload/contract.ts';
import type { SenderShield } from '../crypto/sender-shield.ts';
import type { AccountDatabase } from '../store/account-database.ts';
import type { JsonObject } from '../store/json-column.ts';
import type { OutgoingMessage } from '../store/outgoing-queue.ts';
import type { TimelineEventRecord } from '../store/timeline-store.ts';
import { toItem } from './decrypted-timeline.ts';
import type { RelationIndex } from './relation-index.ts';
import type { Redactions } from './redactions.ts';
import { canRedactOthers } from './redactions.ts';
import {
  isAggregatedIntoTarget,
  isObject,
  isRedacted,
  latestEdit,
  relationOf,
  replyTargetOf,
  stripHtmlReplyFallback,
  stripReplyFallback,
  tallyReactions,
} from './relations.ts';
import { stateEventText } from './state-event-text.ts';
import { imageView } from './image-view.ts';

/** Local echoes sort after every stored event (orderings stay far below 2^52). */
export const ECHO_POSITION_BASE = 2 ** 52;

const EDITABLE_MSGTYPES = new Set(['m.text', 'm.emote', 'm.notice']);
const PREVIEW_LENGTH = 200;

export const echoKey = (transactionId: string): string => `txn:${transactionId}`;

export interface TimelineViewOptions {
  db: AccountDatabase;
  relations: RelationIndex;
  redactions: Redactions;
  userId: string;
  /** Receipts: who (not us) has read up to each event. */
  readersAt?(roomId: string, eventIds: readonly string[]): Map<string, string[]>;
  /** Whether a message's clear content mentions us. */
  /** Whether this event (its clear content, from `sender` in `roomId`) mentions us. */
  mentionsMe?(clearContent: JsonObject, sender: string, roomId: string): boolean;
}

/** What one build reads once per room: names and our power to redact. */
interface RoomContext {
  roomId: string;
  names: Map<string, string>;
  canRedactOthers: boolean;
  encrypted: boolean;
  /** Our relations (reactions, edits) still in the send queue. */
  queued: OutgoingMessage[];
}

export class TimelineView {
  readonly #options: TimelineViewOptions;

  constructor(options: TimelineViewOptions) {
    this.#options = options;
  }

  /** Whether a stored event shows as an item of its own (relations show inside their target). */
  isShown(event: TimelineEventRecord): boolean {
    return !isAggregatedIntoTarget(event);
  }

  /** The items of these stored events (hidden ones left out), in their order. */
  items(roomId: string, events: readonly TimelineEventRecord[]): TimelineItem[] {
    const room = this.#room(roomId);
    const shown = events.filter((event) => this.isShown(event));
    const readers = this.#options.readersAt?.(
      roomId,
      shown.map((event) => event.eventId),
    );
    return shown.map((event) => this.#item(room, event, readers?.get(event.eventId) ?? []));
  }

  /** Our messages of the room not yet stored as events: pending, failed, or sent but not synced. */
  echoes(roomId: string): TimelineItem[] {
    const room = this.#room(roomId);
    return this.#options.db.outgoing
      .unstoredInRoom(roomId)
      .filter((message) => isEchoShown(message))
      .map((message) => this.#echo(room, message));
  }

  /** One echo by transaction id, or null when it is not (or no longer) shown as one. */
  echo(roomId: string, transactionId: string): TimelineItem | null {
    const message = this.#options.db.outgoing.get(transactionId);
    if (!message || message.roomId !== roomId || !isEchoShown(message)) return null;
    if (message.eventId !== null && this.#options.db.timeline.get(roomId, message.eventId)) return null;
    return this.#echo(this.#room(roomId), message);
  }

  #room(roomId: string): RoomContext {
    const { db, userId } = this.#options;
    return {
      roomId,
      names: new Map(),
      canRedactOthers: canRedactOthers(db, roomId, userId),
      encrypted: db.rooms.get(roomId)?.isEncrypted ?? false,
      queued: db.outgoing
        .unstoredInRoom(roomId)
        .filter((message) => message.state !== 'failed' && !isEchoShown(message)),
    };
  }

  #nameOf(room: RoomContext, userId: string): string {
    let name = room.names.get(userId);
    if (name === undefined) {
      const member = this.#options.db.members.get(room.roomId, userId);
      name = member?.displayName?.trim() ? member.displayName : userId;
      room.names.set(userId, name);
    }
    return name;
  }

  #item(room: RoomContext, stored: TimelineEventRecord, readBy: string[]): TimelineItem {
    const { db, relations, redactions, userId } = this.#options;
    let event = stored;
    let related = isRedacted(event) ? [] : relations.relatedTo(room.roomId, event.eventId);
    // A redaction stored but not applied yet (it came first, or the process stopped in between).
    if (redactions.applyPending(room.roomId, event, related)) {
      event = db.timeline.get(room.roomId, event.eventId) ?? event;
      related = [];
    }
    const clear = toItem(event);
    const own = event.sender === userId;
    const content = this.#content(room, event, related);
    const transactionId =
      own && isObject(event.unsigned) && typeof event.unsigned.transaction_id === 'string'
        ? event.unsigned.transaction_id
        : null;
    return {
      key: event.eventId,
      eventId: event.eventId,
      position: event.ordering,
      transactionId,
      sender: event.sender,
      senderName: this.#nameOf(room, event.sender),
      timestamp: event.originServerTs,
      content,
      encrypted: clear.encrypted,
      shield: shieldView(
        clear.shield,
        clear.encrypted && clear.decryption === 'decrypted',
        clear.strictShield,
      ),
      replyTo: content.kind === 'message' ? this.#replyTo(room, replyTargetOf(clear.content)) : null,
      reactions: this.#reactions(room, event.eventId, related),
      sendState: own ? 'sent' : null,
      sendError: null,
      canEdit: own && content.kind === 'message' && EDITABLE_MSGTYPES.has(content.msgtype),
      canRedact: content.kind !== 'redacted' && (own || room.canRedactOthers),
      readBy: readBy.filter((reader) => reader !== userId),
      highlight:
        !own &&
        content.kind === 'message' &&
        (this.#options.mentionsMe?.(clear.content, event.sender, event.roomId) ?? false),
    };
  }

  #content(
    room: RoomContext,
    event: TimelineEventRecord,
    related: readonly TimelineEventRecord[],
  ): TimelineContent {
    if (isRedacted(event)) {
      const because = (event.unsigned as JsonObject).redacted_because as JsonObject;
      const reason = isObject(because.content) ? because.content.reason : undefined;
      return { kind: 'redacted', reason: typeof reason === 'string' ? reason : null };
    }
    const clear = toItem(event);
    if (clear.encrypted && clear.decryption === 'pending')
      return {
        kind: 'undecryptable',
        reason: 'waiting_for_key',
        message: 'Waiting for the key to decrypt this message',
        waitingForKey: true,
      };
    if (clear.encrypted && clear.decryption !== 'decrypted')
      return {
        kind: 'undecryptable',
        reason: clear.failure?.reason ?? 'unknown',
        message: clear.failure?.message ?? 'This message could not be decrypted',
        waitingForKey: false,
      };
    if (event.stateKey !== null) {
      const prevContent =
        isObject(event.unsigned) && isObject(event.unsigned.prev_content)
          ? event.unsigned.prev_content
          : null;
      const text = stateEventText(
        {
          type: clear.type,
          stateKey: event.stateKey,
          sender: event.sender,
          content: clear.content,
          prevContent,
        },
        (userId) => this.#nameOf(room, userId),
      );
      return text === null ? { kind: 'unsupported', type: clear.type } : { kind: 'state', text };
    }
    if (clear.type !== 'm.room.message') return { kind: 'unsupported', type: clear.type };
    const edit = latestEdit(event, [...related, ...this.#queuedEdits(room, event)]);
    const message = messageContent(edit?.newContent ?? null, clear.content);
    if (message === null) return { kind: 'unsupported', type: clear.type };
    // The original's attachment: the media URL names this event, whose content the engine reads.
    const image = imageView(room.roomId, event.eventId, clear.content);
    return image && message.kind === 'message' ? { ...message, image } : message;
  }

  /** Our own edit still being sent shows at once, as the newest edit. */
  #queuedEdits(room: RoomContext, target: TimelineEventRecord): TimelineEventRecord[] {
    if (target.sender !== this.#options.userId) return [];
    return room.queued
      .filter((message) => {
        const relatesTo = isObject(message.content['m.relates_to']) ? message.content['m.relates_to'] : null;
        return (
          message.eventType === 'm.room.message' &&
          relatesTo?.rel_type === 'm.replace' &&
          relatesTo.event_id === target.eventId
        );
      })
      .map((message) => queuedAsEvent(room.roomId, message, this.#options.userId));
  }

  #reactions(room: RoomContext, targetId: string, related: readonly TimelineEventRecord[]): ReactionView[] {
    const { userId } = this.#options;
    const queued = room.queued
      .filter((message) => {
        const relation = relationOf(queuedAsEvent(room.roomId, message, userId));
        return message.eventType === 'm.reaction' && relation?.eventId === targetId;
      })
      .map((message) => queuedAsEvent(room.roomId, message, userId));
    return tallyReactions([...related, ...queued]).map((tally) => {
      const own = tally.senders.get(userId);
      return {
        key: tally.key,
        count: tally.senders.size,
        ownEventId: own && !own.startsWith('txn:') ? own : null,
        senders: [...tally.senders.keys()],
      };
    });
  }

  #replyTo(room: RoomContext, eventId: string | null): TimelineItem['replyTo'] {
    if (eventId === null) return null;
    const target = this.#options.db.timeline.get(room.roomId, eventId);
    if (!target) return null;
    const clear = toItem(target);
    let preview: string | null = null;
    if (!isRedacted(target) && clear.type === 'm.room.message') {
      const edit = latestEdit(target, this.#options.relations.relatedTo(room.roomId, eventId));
      const message = messageContent(edit?.newContent ?? null, clear.content);
      if (message?.kind === 'message') preview = message.body.slice(0, PREVIEW_LENGTH);
    }
    return { eventId, sender: target.sender, senderName: this.#nameOf(room, target.sender), preview };
  }

  #echo(room: RoomContext, message: OutgoingMessage): TimelineItem {
    const { userId } = this.#options;
    const content = messageContent(null, message.content) ?? {
      kind: 'unsupported' as const,
      type: message.eventType,
    };
    return {
      key: echoKey(message.txnId),
      eventId: message.eventId,
      position: ECHO_POSITION_BASE + message.createdAt,
      transactionId: message.txnId,
      sender: userId,
      senderName: this.#nameOf(room, userId),
      timestamp: message.createdAt,
      content,
      encrypted: room.encrypted,
      shield: { level: 'none', message: null },
      replyTo: this.#replyTo(room, replyTargetOf(message.content)),
      reactions: [],
      sendState: message.state,
      sendError: message.state === 'failed' ? sendErrorView(message.lastError) : null,
      canEdit: false,
      canRedact: false,
      readBy: [],
      highlight: false,
    };
  }
}

/** Messages show as echoes; our reactions and edits show inside their targets instead. */
export function isEchoShown(message: OutgoingMessage): boolean {
  if (message.eventType !== 'm.room.message') return false;
  const relatesTo = message.content['m.relates_to'];
  return !(isObject(relatesTo) && typeof relatesTo.rel_type === 'string');
}

/** A queued relation seen as the event it will become, for the aggregation. */
function queuedAsEvent(roomId: string, message: OutgoingMessage, userId: string): TimelineEventRecord {
  return {
    roomId,
    ordering: ECHO_POSITION_BASE,
    eventId: message.eventId ?? echoKey(message.txnId),
    sender: userId,
    type: message.eventType,
    stateKey: null,
    originServerTs: Number.MAX_SAFE_INTEGER,
    content: message.content,
    unsigned: null,
    decryption: 'none',
    decrypted: null,
  };
}

/**
 * A message's text: the edit's m.new_content when there is a valid one, else the content
 * with any reply fallback removed. Null when the content has no text body.
 */
export function messageContent(newContent: JsonObject | null, original: JsonObject): TimelineContent | null {
  const source = newContent && typeof newContent.body === 'string' ? newContent : original;
  const edited = source === newContent;
  if (typeof source.body !== 'string') return null;
  const isReply = !edited && replyTargetOf(original) !== null;
  const html =
    source.format === 'org.matrix.custom.html' && typeof source.formatted_body === 'string'
      ? source.formatted_body
      : null;
  return {
    kind: 'message',
    msgtype: typeof source.msgtype === 'string' ? source.msgtype : 'm.text',
    body: isReply ? stripReplyFallback(source.body) : source.body,
    formattedBody: html !== null && isReply ? stripHtmlReplyFallback(html) : html,
    edited,
  };
}

/**
 * The OlmMachine's verdicts as the contract's shield. The lax verdict says whether the key and
 * device can be trusted at all; the strict one also says whether we verified the sender. Only
 * both clean is `verified`; an event stored without a strict verdict is never shown as verified.
 */
export function shieldView(
  shield: SenderShield | undefined,
  decrypted: boolean,
  strict?: SenderShield,
): ShieldView {
  if (!decrypted) return { level: 'none', message: null };
  if (!shield) return { level: 'insecure', message: 'The sender of this message could not be checked' };
  const message = shield.message ?? null;
  switch (shield.code) {
    case 'authenticity_not_guaranteed':
    case 'unknown_device':
    case 'mismatched_sender':
      return { level: 'insecure', message: message ?? 'The sender of this message cannot be confirmed' };
    case 'unsigned_device':
    case 'unverified_identity':
    case 'verification_violation':
      return { level: 'unverified', message: message ?? 'Sent from a device that is not verified' };
    case undefined:
      if (shield.color !== 'none')
        return { level: shield.color === 'red' ? 'insecure' : 'unverified', message };
      // The device is its owner's (cross-signed); whether the owner is verified is the strict check.
      if (strict && strict.color === 'none') return { level: 'verified', message: null };
      return {
        level: 'unverified',
        message: strict?.message ?? 'You have not verified this person',
      };
  }
}

function sendErrorView(code: string | null): ErrorView {
  const known = (errorCodes as readonly string[]).includes(code ?? '') ? (code as ErrorCode) : 'internal';
  return { code: known, message: 'The message could not be sent' };
}
