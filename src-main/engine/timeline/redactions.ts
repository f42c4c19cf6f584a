// Applies m.room.redaction events to the stored events they target: the content is cut down
// to what the spec's redaction algorithm keeps, the decrypted form is dropped (secure_delete
// overwrites the old bytes), and unsigned.redacted_because records the redaction. A redaction
// that arrives before its target (back-pagination, a gap) stays stored and is applied when the
// target is stored (or read). A redaction of someone else's event by a sender of another server
// without the power to redact is ignored (room versions 3+ leave that check to clients).
import type { AccountDatabase } from '../store/account-database.ts';
import type { JsonObject } from '../store/json-column.ts';
import type { TimelineEventRecord } from '../store/timeline-store.ts';
import { privilegedCreators, userLevel } from '../rooms/membership-power.ts';
import type { RelationIndex } from './relation-index.ts';
import { isObject, isRedacted, redactionTarget } from './relations.ts';

/** Content keys that survive redaction, per event type (room version 11 rules). */
const KEPT_KEYS: Record<string, readonly string[]> = {
  'm.room.member': ['membership', 'join_authorised_via_users_server'],
  'm.room.join_rules': ['join_rule', 'allow'],
  'm.room.power_levels': [
    'ban',
    'events',
    'events_default',
    'invite',
    'kick',
    'redact',
    'state_default',
    'users',
    'users_default',
  ],
  'm.room.history_visibility': ['history_visibility'],
  'm.room.redaction': ['redacts'],
};

export function redactedContent(type: string, content: JsonObject): JsonObject {
  if (type === 'm.room.create') return { ...content };
  const kept: JsonObject = {};
  for (const key of KEPT_KEYS[type] ?? []) if (Object.hasOwn(content, key)) kept[key] = content[key];
  if (type === 'm.room.member' && isObject(content.third_party_invite)) {
    const signed = content.third_party_invite.signed;
    if (signed !== undefined) kept.third_party_invite = { signed };
  }
  return kept;
}

const serverOf = (userId: string): string => userId.slice(userId.indexOf(':') + 1);

/** Whether `redaction` may remove `target`: the same sender or server, or the power to redact. */
export function redactionAllowed(
  db: AccountDatabase,
  roomId: string,
  redaction: TimelineEventRecord,
  target: TimelineEventRecord,
): boolean {
  if (redaction.sender === target.sender) return true;
  if (serverOf(redaction.sender) === serverOf(target.sender)) return true;
  return canRedactOthers(db, roomId, redaction.sender);
}

/** Whether `userId` may redact other people's events, per the room's power levels. */
export function canRedactOthers(db: AccountDatabase, roomId: string, userId: string): boolean {
  const powerLevels = db.roomState.get(roomId, 'm.room.power_levels', '');
  const create = db.roomState.get(roomId, 'm.room.create', '');
  const creators = privilegedCreators(create ? { sender: create.sender, content: create.content } : null);
  if (!powerLevels) return creators.has(userId) || create?.sender === userId;
  const mine = userLevel(powerLevels.content, userId, creators);
  const needed = typeof powerLevels.content.redact === 'number' ? powerLevels.content.redact : 50;
  return mine >= needed;
}

export class Redactions {
  readonly #db: AccountDatabase;
  readonly #relations: RelationIndex;

  constructor(db: AccountDatabase, relations: RelationIndex) {
    this.#db = db;
    this.#relations = relations;
  }

  /**
   * Applies what the stored events `eventIds` settle: each redaction to its target, and the
   * stored redactions of each event to it. Returns the ids of the events redacted now.
   */
  applyFor(roomId: string, eventIds: readonly string[]): string[] {
    const redacted: string[] = [];
    for (const eventId of eventIds) {
      const event = this.#db.timeline.get(roomId, eventId);
      if (!event) continue;
      const targetId = redactionTarget(event);
      if (targetId !== null) {
        const target = this.#db.timeline.get(roomId, targetId);
        if (target && this.#apply(roomId, event, target)) redacted.push(targetId);
      } else if (this.applyPending(roomId, event)) redacted.push(eventId);
    }
    return redacted;
  }

  /**
   * Applies a stored redaction of `event` that was not applied yet; true when it was. `related`:
   * the events pointing at it, when the caller has read them already.
   */
  applyPending(
    roomId: string,
    event: TimelineEventRecord,
    related: readonly TimelineEventRecord[] = this.#relations.relatedTo(roomId, event.eventId),
  ): boolean {
    if (isRedacted(event)) return false;
    for (const candidate of related) {
      if (redactionTarget(candidate) !== event.eventId) continue;
      if (this.#apply(roomId, candidate, event)) return true;
    }
    return false;
  }

  #apply(roomId: string, redaction: TimelineEventRecord, target: TimelineEventRecord): boolean {
    if (isRedacted(target) || (target.type === 'm.room.redaction' && target.eventId === redaction.eventId))
      return false;
    if (!redactionAllowed(this.#db, roomId, redaction, target)) return false;
    const reason = typeof redaction.content.reason === 'string' ? redaction.content.reason : undefined;
    const unsigned: JsonObject = {
      redacted_because: {
        event_id: redaction.eventId,
        sender: redaction.sender,
        origin_server_ts: redaction.originServerTs,
        content: reason === undefined ? {} : { reason },
      },
    };
    this.#db.transaction(() => {
      this.#db.timeline.redact(
        roomId,
        target.eventId,
        redactedContent(target.type, target.content),
        unsigned,
      );
      // Nothing is left to decrypt: a pending decryption would only fail on the empty content.
      if (target.decryption !== 'none') this.#db.timeline.setDecryption(roomId, target.eventId, 'none', null);
    });
    return true;
  }
}
