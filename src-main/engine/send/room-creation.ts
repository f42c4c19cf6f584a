// Creates a room, encrypted unless asked otherwise (m.room.encryption in the initial state, so no
// message is ever sent before encryption is on). A direct chat is flagged is_direct and recorded
// in the m.direct account data, read back from the server first so other clients' entries stay.
import { z } from 'zod';
import type { MatrixHttp } from '../http/matrix-http.ts';
import { EngineError } from '../errors.ts';
import { MatrixApiError } from '../http/matrix-api-error.ts';
import { MEGOLM_ALGORITHM } from './room-encryption.ts';

export interface RoomCreationRequest {
  name?: string | undefined;
  invite: readonly string[];
  direct: boolean;
  encrypted: boolean;
}

const createdSchema = z.object({ room_id: z.string().startsWith('!') });
const directSchema = z.record(z.string(), z.unknown());
const anyObject = z.looseObject({});

export function createRoomBody(request: RoomCreationRequest): Record<string, unknown> {
  return {
    preset: request.direct ? 'trusted_private_chat' : 'private_chat',
    ...(request.name ? { name: request.name } : {}),
    invite: [...request.invite],
    is_direct: request.direct,
    initial_state: request.encrypted
      ? [{ type: 'm.room.encryption', state_key: '', content: { algorithm: MEGOLM_ALGORITHM } }]
      : [],
  };
}

/** Adds the room under each of the other users in an m.direct content, keeping the rest. */
export function withDirectRoom(
  content: Record<string, unknown>,
  roomId: string,
  users: readonly string[],
): Record<string, string[]> {
  const next: Record<string, string[]> = {};
  for (const [userId, rooms] of Object.entries(content)) {
    if (Array.isArray(rooms)) next[userId] = rooms.filter((room): room is string => typeof room === 'string');
  }
  for (const userId of users) {
    const rooms = next[userId] ?? [];
    if (!rooms.includes(roomId)) next[userId] = [...rooms, roomId];
  }
  return next;
}

export async function createRoom(
  http: Pick<MatrixHttp, 'request'>,
  ownUserId: string,
  request: RoomCreationRequest,
): Promise<string> {
  let created: z.output<typeof createdSchema>;
  try {
    created = await http.request('POST', '/_matrix/client/v3/createRoom', {
      schema: createdSchema,
      body: createRoomBody(request),
    });
  } catch (error) {
    throw asCreationError(error);
  }
  if (request.direct && request.invite.length > 0) {
    const path = `/_matrix/client/v3/user/${encodeURIComponent(ownUserId)}/account_data/m.direct`;
    let current: Record<string, unknown> = {};
    try {
      current = await http.request('GET', path, { schema: directSchema });
    } catch (error) {
      // No m.direct yet.
      if (!(error instanceof MatrixApiError && error.status === 404)) throw error;
    }
    await http.request('PUT', path, {
      schema: anyObject,
      body: withDirectRoom(current, created.room_id, request.invite),
      retries: 2,
    });
  }
  return created.room_id;
}

/** The server's refusal as a typed error; its own text is not passed on. */
function asCreationError(error: unknown): unknown {
  if (!(error instanceof MatrixApiError)) return error;
  if (error.status === 429)
    return new EngineError('rate_limited', 'The server asks Tessera to slow down; try again shortly');
  if (error.status >= 500)
    return new EngineError('server_error', 'The server could not create the room; try again later');
  return new EngineError('room_refused', `The server refused to create the room (${error.errcode})`, {
    cause: error,
  });
}
