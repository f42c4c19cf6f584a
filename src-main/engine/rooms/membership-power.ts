// Whether the room's power levels (m.room.power_levels, per the spec's defaults) let a user
// invite, kick or ban. Checked before the request so the person gets a clear refusal; the server
// checks again, and its M_FORBIDDEN is mapped to the same error.
import type { JsonObject } from '../store/json-column.ts';

export type MembershipAction = 'invite' | 'kick' | 'ban';

/** The spec's defaults when m.room.power_levels exists but omits a key. */
const actionDefaults: Record<MembershipAction, number> = { invite: 0, kick: 50, ban: 50 };

function level(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isInteger(value) ? value : fallback;
}

/** Room versions before 12 list creators in the power levels like anyone else. */
const versionsWithoutCreatorPower = new Set(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11']);

/**
 * The room's creators when they outrank everyone (room version 12, MSC4289): the sender of
 * m.room.create and its `additional_creators`. Empty for older versions or without the event.
 */
export function privilegedCreators(create: { sender: string; content: JsonObject } | null): Set<string> {
  if (!create) return new Set();
  const version = typeof create.content.room_version === 'string' ? create.content.room_version : '1';
  if (versionsWithoutCreatorPower.has(version)) return new Set();
  const additional = Array.isArray(create.content.additional_creators)
    ? create.content.additional_creators.filter((user): user is string => typeof user === 'string')
    : [];
  return new Set([create.sender, ...additional]);
}

export function userLevel(
  powerLevels: JsonObject,
  userId: string,
  creators: ReadonlySet<string> = new Set(),
): number {
  if (creators.has(userId)) return Number.POSITIVE_INFINITY;
  const users = powerLevels.users;
  const own =
    typeof users === 'object' && users !== null && !Array.isArray(users)
      ? (users as Record<string, unknown>)[userId]
      : undefined;
  return level(own, level(powerLevels.users_default, 0));
}

export type PowerVerdict = { allowed: true } | { allowed: false; reason: string };

/**
 * The verdict for `actor` doing `action` (to `target` for kick and ban). Without a power-levels
 * event the verdict is left to the server (the spec's no-event rules depend on the creator).
 */
export function membershipVerdict(
  powerLevels: JsonObject | null,
  action: MembershipAction,
  actor: string,
  target?: string,
  creators: ReadonlySet<string> = new Set(),
): PowerVerdict {
  if (!powerLevels) return { allowed: true };
  const mine = userLevel(powerLevels, actor, creators);
  const needed = level(powerLevels[action], actionDefaults[action]);
  if (mine < needed) {
    return { allowed: false, reason: `${action} needs power level ${needed}; yours is ${mine}` };
  }
  if (action !== 'invite' && target !== undefined && target !== actor) {
    const theirs = userLevel(powerLevels, target, creators);
    if (theirs >= mine) {
      const described = Number.isFinite(theirs) ? String(theirs) : 'a room creator';
      return { allowed: false, reason: `${action} needs a power level above the member’s (${described})` };
    }
  }
  return { allowed: true };
}
