// rooms.resolveAlias: which room a `#alias:server` names, for a matrix: link. The room directory
// (GET /directory/room/{alias}) is the authority; when the server cannot be reached, a room we
// are in whose stored m.room.canonical_alias (alias or alt_aliases) names it is the answer, so a
// link to a room we know still opens offline.
import { z } from 'zod';
import type { RoomAliasTarget } from '../../../src-preload/contract.ts';
import { EngineError } from '../errors.ts';
import { MatrixApiError } from '../http/matrix-api-error.ts';
import type { MatrixHttp } from '../http/matrix-http.ts';
import type { RoomStateStore } from '../store/room-state-store.ts';
import type { RoomStore } from '../store/room-store.ts';
import { asMembershipError } from './membership.ts';

export interface AliasResolutionContext {
  http: Pick<MatrixHttp, 'request'>;
  rooms: Pick<RoomStore, 'list'>;
  roomState: Pick<RoomStateStore, 'get'>;
}

/** Servers a join may go through; the contract's rooms.join takes at most 20. */
const MAX_SERVERS = 20;

// Room ids are opaque (room v12 has no `:server`); a server name is what rooms.join accepts as via.
const serverName = z
  .string()
  .max(255)
  .regex(/^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/);
const directorySchema = z.looseObject({
  room_id: z.string().startsWith('!').max(255),
  // A server the person could not use as via is dropped, not a reason to refuse the answer.
  servers: z.array(z.unknown()).max(1000).optional(),
});

export async function resolveRoomAlias(
  context: AliasResolutionContext,
  alias: string,
): Promise<RoomAliasTarget> {
  try {
    const found = await context.http.request(
      'GET',
      `/_matrix/client/v3/directory/room/${encodeURIComponent(alias)}`,
      { schema: directorySchema },
    );
    const servers = (found.servers ?? []).filter((server) => serverName.safeParse(server).success);
    return { roomId: found.room_id, servers: [...new Set(servers as string[])].slice(0, MAX_SERVERS) };
  } catch (error) {
    if (isOffline(error)) {
      const local = localRoomFor(context, alias);
      if (local !== null) return { roomId: local, servers: [] };
    }
    if (error instanceof MatrixApiError && (error.errcode === 'M_NOT_FOUND' || error.status === 404))
      throw new EngineError('room_not_found', `No room has the address ${alias}`, { cause: error });
    throw asMembershipError(error, 'look up the room address');
  }
}

function isOffline(error: unknown): boolean {
  return error instanceof EngineError && (error.code === 'unreachable' || error.code === 'timeout');
}

/** A room we are in (or invited to) that names the alias in its stored canonical alias event. */
function localRoomFor(context: AliasResolutionContext, alias: string): string | null {
  for (const room of context.rooms.list()) {
    if (room.membership !== 'join' && room.membership !== 'invite') continue;
    if (room.canonicalAlias === alias) return room.roomId;
    const content = context.roomState.get(room.roomId, 'm.room.canonical_alias')?.content;
    const alternatives = content?.alt_aliases;
    if (content?.alias === alias) return room.roomId;
    if (Array.isArray(alternatives) && alternatives.includes(alias)) return room.roomId;
  }
  return null;
}
