// Membership changes of the signed-in user: invite, join (by id or alias), leave, kick and ban.
// Each is checked against the stored power levels first, and the server's refusals become typed
// errors (its own text is not passed on).
import { z } from 'zod';
import { EngineError } from '../errors.ts';
import { MatrixApiError } from '../http/matrix-api-error.ts';
import type { MatrixHttp } from '../http/matrix-http.ts';
import type { RoomStateStore } from '../store/room-state-store.ts';
import { membershipVerdict, privilegedCreators, type MembershipAction } from './membership-power.ts';

export interface MembershipContext {
  http: Pick<MatrixHttp, 'request'>;
  roomState: Pick<RoomStateStore, 'get'>;
  userId: string;
}

const anyObject = z.looseObject({});
const joinedSchema = z.looseObject({ room_id: z.string().startsWith('!') });
const aliasSchema = z.looseObject({ room_id: z.string().startsWith('!') });

const roomPath = (roomId: string, action: string): string =>
  `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/${action}`;

/** `#alias:server` → its room id, through the room directory; a room id is returned as is. */
export async function resolveRoom(
  context: Pick<MembershipContext, 'http'>,
  roomIdOrAlias: string,
): Promise<string> {
  if (!roomIdOrAlias.startsWith('#')) return roomIdOrAlias;
  try {
    const found = await context.http.request(
      'GET',
      `/_matrix/client/v3/directory/room/${encodeURIComponent(roomIdOrAlias)}`,
      { schema: aliasSchema },
    );
    return found.room_id;
  } catch (error) {
    throw asMembershipError(error, 'resolve the room alias');
  }
}

export async function invite(context: MembershipContext, roomId: string, userId: string): Promise<null> {
  checkPower(context, roomId, 'invite');
  await post(context, roomId, 'invite', { user_id: userId });
  return null;
}

export async function join(
  context: MembershipContext,
  roomIdOrAlias: string,
  via: readonly string[] = [],
): Promise<{ roomId: string }> {
  // `via` since spec v1.12; `server_name` for servers that predate it.
  const query = new URLSearchParams();
  for (const server of via) {
    query.append('via', server);
    query.append('server_name', server);
  }
  const suffix = via.length > 0 ? `?${query.toString()}` : '';
  try {
    const joined = await context.http.request(
      'POST',
      `/_matrix/client/v3/join/${encodeURIComponent(roomIdOrAlias)}${suffix}`,
      { schema: joinedSchema, body: {}, retries: 2 },
    );
    return { roomId: joined.room_id };
  } catch (error) {
    throw asMembershipError(error, 'join the room');
  }
}

export async function leave(context: MembershipContext, roomId: string): Promise<null> {
  await post(context, roomId, 'leave', {});
  return null;
}

export async function kick(
  context: MembershipContext,
  roomId: string,
  userId: string,
  reason?: string,
): Promise<null> {
  checkPower(context, roomId, 'kick', userId);
  await post(context, roomId, 'kick', { user_id: userId, ...(reason ? { reason } : {}) });
  return null;
}

export async function ban(
  context: MembershipContext,
  roomId: string,
  userId: string,
  reason?: string,
): Promise<null> {
  checkPower(context, roomId, 'ban', userId);
  await post(context, roomId, 'ban', { user_id: userId, ...(reason ? { reason } : {}) });
  return null;
}

function checkPower(
  context: MembershipContext,
  roomId: string,
  action: MembershipAction,
  target?: string,
): void {
  const powerLevels = context.roomState.get(roomId, 'm.room.power_levels')?.content ?? null;
  const create = context.roomState.get(roomId, 'm.room.create');
  const verdict = membershipVerdict(powerLevels, action, context.userId, target, privilegedCreators(create));
  if (!verdict.allowed)
    throw new EngineError('forbidden', `You cannot do this in this room: ${verdict.reason}`);
}

async function post(
  context: MembershipContext,
  roomId: string,
  action: string,
  body: Record<string, unknown>,
): Promise<void> {
  try {
    await context.http.request('POST', roomPath(roomId, action), { schema: anyObject, body, retries: 2 });
  } catch (error) {
    throw asMembershipError(error, `${action} in the room`);
  }
}

/** The server's refusal as a typed error. */
export function asMembershipError(error: unknown, what: string): unknown {
  if (!(error instanceof MatrixApiError)) return error;
  if (error.errcode === 'M_FORBIDDEN' || error.status === 403)
    return new EngineError('forbidden', `The server does not allow you to ${what}`, { cause: error });
  if (error.errcode === 'M_NOT_FOUND' || error.status === 404)
    return new EngineError('room_not_found', 'No such room on the server', { cause: error });
  if (error.status === 429)
    return new EngineError('rate_limited', 'The server asks Tessera to slow down; try again shortly');
  if (error.status >= 500)
    return new EngineError('server_error', `The server could not ${what}; try again later`);
  return new EngineError('room_refused', `The server refused to ${what} (${error.errcode})`, {
    cause: error,
  });
}
