// What a matrix: link leads to, once its room is known: open a room we are in (at the linked
// event, if any), or ask before joining one we are not in, or before starting a chat. Pure, so
// the rules are tested without a DOM (test/unit/renderer/link-plan.test.ts). An alias is
// resolved by the engine (rooms.resolveAlias) before this decides: a room we are in is matched
// by its id, whatever address the link used.
import type { OpenedLink, RoomAliasTarget, RoomSummary } from '../../src-preload/contract.ts';

export type LinkPlan =
  | { kind: 'open'; roomId: string; eventId: string | null }
  | {
      kind: 'join';
      /** The address the link used, as the question shows it. */
      address: string;
      /** What rooms.join gets: the resolved room id when there is one. */
      roomIdOrAlias: string;
      via: string[];
      eventId: string | null;
    }
  | { kind: 'chat'; userId: string };

/** rooms.join takes at most this many servers. */
const MAX_VIA = 20;

/** Whether the link's room must be looked up (rooms.resolveAlias) before deciding. */
export function aliasToResolve(link: OpenedLink): string | null {
  return link.kind === 'room' && link.roomIdOrAlias.startsWith('#') ? link.roomIdOrAlias : null;
}

/**
 * The plan for a link; `resolved` is rooms.resolveAlias's answer for an alias link (null for a
 * room id). Rooms we are in or are invited to open at once (an invite shows its own choice).
 */
export function planLink(
  link: OpenedLink,
  resolved: RoomAliasTarget | null,
  rooms: readonly RoomSummary[],
): LinkPlan {
  if (link.kind === 'user') return { kind: 'chat', userId: link.userId };
  const roomId = resolved?.roomId ?? (link.roomIdOrAlias.startsWith('!') ? link.roomIdOrAlias : null);
  const eventId = link.eventId ?? null;
  const known = rooms.find(
    (room) => room.roomId === roomId && (room.membership === 'join' || room.membership === 'invite'),
  );
  if (known)
    return { kind: 'open', roomId: known.roomId, eventId: known.membership === 'join' ? eventId : null };
  const via = [...new Set([...link.via, ...(resolved?.servers ?? [])])].slice(0, MAX_VIA);
  return {
    kind: 'join',
    address: link.roomIdOrAlias,
    roomIdOrAlias: roomId ?? link.roomIdOrAlias,
    via,
    eventId,
  };
}
