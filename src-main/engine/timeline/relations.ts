// Relations read from stored events: which event an event points at and how (an edit, a
// reaction, a reply), and the aggregation of a target's relations into what its item shows.
// Everything here is pure; bad input (a foreign edit, a malformed m.relates_to, a redacted
// reaction) is ignored, never thrown.
import type { JsonObject } from '../store/json-column.ts';
import type { TimelineEventRecord } from '../store/timeline-store.ts';
import { toItem } from './decrypted-timeline.ts';

export interface Relation {
  relType: string;
  eventId: string;
  /** The annotation key of a reaction. */
  key?: string;
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readRelation(content: unknown): Relation | null {
  if (!isObject(content)) return null;
  const relatesTo = content['m.relates_to'];
  if (!isObject(relatesTo)) return null;
  const { rel_type: relType, event_id: eventId, key } = relatesTo;
  if (typeof relType !== 'string' || typeof eventId !== 'string' || !eventId.startsWith('$')) return null;
  return { relType, eventId, ...(typeof key === 'string' ? { key } : {}) };
}

/**
 * The event's relation: the clear m.relates_to (where an encrypted event carries it, per spec),
 * else the decrypted content's.
 */
export function relationOf(event: TimelineEventRecord): Relation | null {
  const clear = readRelation(event.content);
  if (clear) return clear;
  if (event.decryption === 'decrypted' && event.decrypted) return readRelation(event.decrypted.content);
  return null;
}

/** The event this one replies to (m.in_reply_to), from its clear content. */
export function replyTargetOf(content: JsonObject): string | null {
  const relatesTo = content['m.relates_to'];
  if (!isObject(relatesTo)) return null;
  const inReplyTo = relatesTo['m.in_reply_to'];
  if (!isObject(inReplyTo)) return null;
  const eventId = inReplyTo.event_id;
  return typeof eventId === 'string' && eventId.startsWith('$') ? eventId : null;
}

export function isRedacted(event: TimelineEventRecord): boolean {
  return isObject(event.unsigned) && isObject(event.unsigned.redacted_because);
}

/** The redaction's target: `content.redacts` (room v11; older ones are normalized on arrival). */
export function redactionTarget(event: TimelineEventRecord): string | null {
  if (event.type !== 'm.room.redaction') return null;
  const target = event.content.redacts;
  return typeof target === 'string' && target.startsWith('$') ? target : null;
}

/**
 * Events that show inside their target rather than as items: reactions, edits and redactions.
 * An encrypted event counts by its clear relation until it is decrypted.
 */
export function isAggregatedIntoTarget(event: TimelineEventRecord): boolean {
  if (event.type === 'm.room.redaction' || event.type === 'm.reaction') return true;
  const clearType = toItem(event).type;
  if (clearType === 'm.reaction') return true;
  const relation = relationOf(event);
  return relation?.relType === 'm.replace' || relation?.relType === 'm.annotation';
}

export interface EditView {
  eventId: string;
  newContent: JsonObject;
}

/** Orders by the spec's rule for edits: origin_server_ts, then event id. */
function newerFirst(a: TimelineEventRecord, b: TimelineEventRecord): number {
  if (a.originServerTs !== b.originServerTs) return b.originServerTs - a.originServerTs;
  return a.eventId < b.eventId ? 1 : a.eventId > b.eventId ? -1 : 0;
}

/**
 * The edit that applies to `target`: the newest valid m.replace from the target's own sender,
 * of the same clear type, encrypted if the target is, with an m.new_content object.
 * Undecrypted and redacted edits wait.
 */
export function latestEdit(
  target: TimelineEventRecord,
  related: readonly TimelineEventRecord[],
): EditView | null {
  const original = toItem(target);
  if (isRedacted(target) || relationOf(target)?.relType === 'm.replace') return null;
  const candidates = related
    .filter((event) => {
      if (event.sender !== target.sender || isRedacted(event)) return false;
      if (relationOf(event)?.relType !== 'm.replace') return false;
      const clear = toItem(event);
      if (clear.encrypted && clear.decryption !== 'decrypted') return false;
      // An encrypted message is only replaced by an encrypted edit (anyone could forge a clear one).
      if (original.encrypted && !clear.encrypted) return false;
      if (clear.type !== original.type) return false;
      return isObject(clear.content['m.new_content']);
    })
    .sort(newerFirst);
  const newest = candidates[0];
  if (!newest) return null;
  return { eventId: newest.eventId, newContent: toItem(newest).content['m.new_content'] as JsonObject };
}

export interface ReactionTally {
  key: string;
  /** Sender → their reaction's event id (null while ours is still being sent). */
  senders: Map<string, string | null>;
}

/**
 * Reactions per key, in order of first appearance; one per sender and key. Redacted
 * reactions are gone (their relation was wiped with the content).
 */
export function tallyReactions(related: readonly TimelineEventRecord[]): ReactionTally[] {
  const byKey = new Map<string, ReactionTally>();
  for (const event of related) {
    if (isRedacted(event)) continue;
    const clear = toItem(event);
    const relation = relationOf(event);
    if (relation?.relType !== 'm.annotation' || relation.key === undefined) continue;
    // An encrypted reaction counts once it opened as an m.reaction (or before, by its clear relation).
    if (clear.type !== 'm.reaction' && !(clear.encrypted && clear.decryption !== 'decrypted')) continue;
    let tally = byKey.get(relation.key);
    if (!tally) {
      tally = { key: relation.key, senders: new Map() };
      byKey.set(relation.key, tally);
    }
    if (!tally.senders.has(event.sender)) tally.senders.set(event.sender, event.eventId);
  }
  return [...byKey.values()];
}

/**
 * Removes the reply fallback (the spec's "> <@user> ..." quote and <mx-reply> block) that
 * older clients put before a reply's text.
 */
export function stripReplyFallback(body: string): string {
  const lines = body.split('\n');
  let index = 0;
  while (index < lines.length && lines[index]?.startsWith('>')) index += 1;
  if (index === 0) return body;
  if (lines[index] === '') index += 1;
  return lines.slice(index).join('\n');
}

export function stripHtmlReplyFallback(html: string): string {
  return html.replace(/^\s*<mx-reply>[\s\S]*?<\/mx-reply>/i, '');
}
