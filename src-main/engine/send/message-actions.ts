// What the person does to a room's timeline that becomes an event: a message (maybe a reply),
// an edit of their own message, a reaction. Each is checked against the stored timeline, then
// queued like any message (stored, retried, sent once, encrypted in encrypted rooms).
import { EngineError } from '../errors.ts';
import type { AccountDatabase } from '../store/account-database.ts';
import type { SendQueue } from './send-queue.ts';
import { toItem } from '../timeline/decrypted-timeline.ts';
import type { RelationIndex } from '../timeline/relation-index.ts';
import { isObject, isRedacted, relationOf, tallyReactions } from '../timeline/relations.ts';
import { editContent, messageContent, reactionContent } from './message-content.ts';

const EDITABLE_MSGTYPES = new Set(['m.text', 'm.emote', 'm.notice']);

export interface MessageActionsContext {
  db: AccountDatabase;
  queue: Pick<SendQueue, 'send'>;
  relations: RelationIndex;
  userId: string;
}

function eventNotFound(): EngineError {
  return new EngineError('event_not_found', 'That event is not in this room’s timeline');
}

export function sendMessage(
  context: MessageActionsContext,
  roomId: string,
  body: string,
  replyTo?: string,
): { transactionId: string } {
  let target: { eventId: string; sender: string } | undefined;
  if (replyTo !== undefined) {
    const event = context.db.timeline.get(roomId, replyTo);
    if (!event) throw eventNotFound();
    target = { eventId: event.eventId, sender: event.sender };
  }
  const content = messageContent(body, target, context.userId);
  return { transactionId: context.queue.send(roomId, 'm.room.message', content) };
}

export function editMessage(
  context: MessageActionsContext,
  roomId: string,
  eventId: string,
  body: string,
): { transactionId: string } {
  const event = context.db.timeline.get(roomId, eventId);
  if (!event) throw eventNotFound();
  const clear = toItem(event);
  const msgtype = clear.content.msgtype;
  const editable =
    event.sender === context.userId &&
    !isRedacted(event) &&
    event.stateKey === null &&
    clear.type === 'm.room.message' &&
    typeof msgtype === 'string' &&
    EDITABLE_MSGTYPES.has(msgtype) &&
    relationOf(event)?.relType !== 'm.replace';
  if (!editable || typeof msgtype !== 'string')
    throw new EngineError('not_editable', 'Only your own text messages can be edited');
  return { transactionId: context.queue.send(roomId, 'm.room.message', editContent(eventId, body, msgtype)) };
}

/** Reacting again with the same key returns our existing (or queued) reaction instead. */
export function react(
  context: MessageActionsContext,
  roomId: string,
  eventId: string,
  key: string,
): { transactionId: string } {
  const { db, userId } = context;
  const event = db.timeline.get(roomId, eventId);
  if (!event || isRedacted(event)) throw eventNotFound();
  const queued = db.outgoing.unstoredInRoom(roomId).find((message) => {
    const relatesTo = isObject(message.content['m.relates_to']) ? message.content['m.relates_to'] : null;
    return (
      message.state !== 'failed' &&
      message.eventType === 'm.reaction' &&
      relatesTo?.event_id === eventId &&
      relatesTo.key === key
    );
  });
  if (queued) return { transactionId: queued.txnId };
  const related = context.relations.relatedTo(roomId, eventId);
  const ownId = tallyReactions(related)
    .find((tally) => tally.key === key)
    ?.senders.get(userId);
  if (ownId) {
    const own = related.find((candidate) => candidate.eventId === ownId);
    const transactionId = isObject(own?.unsigned) ? own.unsigned.transaction_id : undefined;
    // Sent from another device: there is no transaction id here, the event id stands for it.
    return { transactionId: typeof transactionId === 'string' ? transactionId : ownId };
  }
  return { transactionId: context.queue.send(roomId, 'm.reaction', reactionContent(eventId, key)) };
}
