// rooms.details: a room's state as its header and settings show it, from the stored state, and
// what our power level allows (m.room.power_levels with the spec's defaults; room v12 creators
// outrank everyone).
import type { HistoryVisibility, JoinRule, RoomDetails, RoomSummary } from '../../../src-preload/contract.ts';
import { EngineError } from '../errors.ts';
import type { JsonObject } from '../store/json-column.ts';
import type { RoomStateStore } from '../store/room-state-store.ts';
import { privilegedCreators, userLevel } from './membership-power.ts';

const joinRules: ReadonlySet<string> = new Set([
  'public',
  'invite',
  'knock',
  'restricted',
  'knock_restricted',
  'private',
]);
const historyVisibilities: ReadonlySet<string> = new Set(['world_readable', 'shared', 'invited', 'joined']);

/**
 * A creator's level where the contract needs a number: above any level a power-levels event can
 * hold (canonical JSON integers stop at 2^53 - 1), and it survives JSON, unlike Infinity.
 */
export const CREATOR_LEVEL = Number.MAX_SAFE_INTEGER;

function text(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}

function integer(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isInteger(value) ? value : fallback;
}

function eventLevel(powerLevels: JsonObject, type: string, fallback: number): number {
  const events = powerLevels.events;
  const own =
    typeof events === 'object' && events !== null && !Array.isArray(events)
      ? (events as Record<string, unknown>)[type]
      : undefined;
  return integer(own, fallback);
}

/** Our level and what it allows. */
export function powerOf(
  state: Pick<RoomStateStore, 'get'>,
  roomId: string,
  userId: string,
  encrypted: boolean,
): RoomDetails['power'] {
  const create = state.get(roomId, 'm.room.create');
  const creators = privilegedCreators(create);
  const stored = state.get(roomId, 'm.room.power_levels')?.content ?? null;
  let level: number;
  if (stored) level = userLevel(stored, userId, creators);
  else level = creators.has(userId) || create?.sender === userId ? 100 : 0;
  if (!Number.isFinite(level)) level = CREATOR_LEVEL;
  // Without a power-levels event: state needs 0, the rest the spec's defaults (spec, m.room.power_levels).
  const powerLevels = stored ?? {};
  const stateDefault = integer(powerLevels.state_default, stored ? 50 : 0);
  const eventsDefault = integer(powerLevels.events_default, 0);
  const messageType = encrypted ? 'm.room.encrypted' : 'm.room.message';
  return {
    level,
    canSendMessages: level >= eventLevel(powerLevels, messageType, eventsDefault),
    canInvite: level >= integer(powerLevels.invite, 0),
    canKick: level >= integer(powerLevels.kick, 50),
    canBan: level >= integer(powerLevels.ban, 50),
    canRedactOthers: level >= integer(powerLevels.redact, 50),
    canChangeName: level >= eventLevel(powerLevels, 'm.room.name', stateDefault),
    canChangeTopic: level >= eventLevel(powerLevels, 'm.room.topic', stateDefault),
  };
}

export function roomDetails(
  state: Pick<RoomStateStore, 'get'>,
  summary: RoomSummary | null,
  userId: string,
): RoomDetails {
  if (!summary) throw new EngineError('room_not_found', 'This room is not in your room list');
  const roomId = summary.roomId;
  const content = (type: string): JsonObject => state.get(roomId, type)?.content ?? {};
  const joinRule = content('m.room.join_rules').join_rule;
  const visibility = content('m.room.history_visibility').history_visibility;
  const avatar = text(content('m.room.avatar').url);
  return {
    roomId,
    name: summary.name,
    topic: text(content('m.room.topic').topic),
    avatarUrl: avatar?.startsWith('mxc://') ? avatar : summary.avatarUrl,
    canonicalAlias: text(content('m.room.canonical_alias').alias),
    membership: summary.membership,
    isDirect: summary.isDirect,
    isEncrypted: summary.isEncrypted,
    // No join rules event: only invited people can join (the auth rules allow nothing else).
    joinRule: typeof joinRule === 'string' && joinRules.has(joinRule) ? (joinRule as JoinRule) : 'invite',
    // The spec's default when the event is absent or unknown.
    historyVisibility:
      typeof visibility === 'string' && historyVisibilities.has(visibility)
        ? (visibility as HistoryVisibility)
        : 'shared',
    joinedMemberCount: summary.joinedMemberCount,
    invitedMemberCount: summary.invitedMemberCount,
    power: powerOf(state, roomId, userId, summary.isEncrypted),
  };
}
