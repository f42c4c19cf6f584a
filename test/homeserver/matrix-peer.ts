// A minimal raw-HTTP Matrix client that plays "another user" in tests. Deliberately no SDK:
// it should exercise the homeserver, not share code or bugs with the client under test.
import { randomBytes } from 'node:crypto';

export class MatrixRequestError extends Error {
  readonly status: number;
  readonly errcode: string | undefined;

  constructor(what: string, status: number, errcode: string | undefined, error: string | undefined) {
    super(`${what} failed: HTTP ${status}${errcode ? ` ${errcode}` : ''}${error ? `: ${error}` : ''}`);
    this.name = 'MatrixRequestError';
    this.status = status;
    this.errcode = errcode;
  }
}

export type CreateRoomOptions = {
  name?: string;
  invite?: string[];
  isDirect?: boolean;
  preset?: 'private_chat' | 'public_chat' | 'trusted_private_chat';
  initialState?: { type: string; state_key?: string; content: Record<string, unknown> }[];
};

export type PeerCredentials = { baseUrl: string; userId: string; accessToken: string; deviceId?: string };

export class MatrixPeer {
  readonly baseUrl: string;
  readonly userId: string;
  readonly deviceId: string | undefined;
  readonly #accessToken: string;
  #txnCounter = 0;

  constructor(credentials: PeerCredentials) {
    this.baseUrl = credentials.baseUrl.replace(/\/+$/, '');
    this.userId = credentials.userId;
    this.deviceId = credentials.deviceId;
    this.#accessToken = credentials.accessToken;
  }

  /** Password login; `user` is a localpart or a full user id. */
  static async login(baseUrl: string, user: string, password: string): Promise<MatrixPeer> {
    const body = await request<{ user_id: string; access_token: string; device_id: string }>(
      baseUrl.replace(/\/+$/, ''),
      undefined,
      'POST',
      '/_matrix/client/v3/login',
      { type: 'm.login.password', identifier: { type: 'm.id.user', user }, password },
      'login',
    );
    return new MatrixPeer({
      baseUrl,
      userId: body.user_id,
      accessToken: body.access_token,
      deviceId: body.device_id,
    });
  }

  async createRoom(options: CreateRoomOptions = {}): Promise<string> {
    const body = await this.#call<{ room_id: string }>('POST', '/_matrix/client/v3/createRoom', {
      ...(options.name !== undefined ? { name: options.name } : {}),
      ...(options.invite ? { invite: options.invite } : {}),
      ...(options.isDirect !== undefined ? { is_direct: options.isDirect } : {}),
      ...(options.preset ? { preset: options.preset } : {}),
      ...(options.initialState ? { initial_state: options.initialState } : {}),
    });
    return body.room_id;
  }

  async invite(roomId: string, userId: string): Promise<void> {
    await this.#call('POST', `/_matrix/client/v3/rooms/${enc(roomId)}/invite`, { user_id: userId });
  }

  /** Joins by room id or alias; returns the room id. */
  async join(roomIdOrAlias: string): Promise<string> {
    const body = await this.#call<{ room_id: string }>(
      'POST',
      `/_matrix/client/v3/join/${enc(roomIdOrAlias)}`,
      {},
    );
    return body.room_id;
  }

  async leave(roomId: string): Promise<void> {
    await this.#call('POST', `/_matrix/client/v3/rooms/${enc(roomId)}/leave`, {});
  }

  async setDisplayName(displayName: string): Promise<void> {
    await this.#call('PUT', `/_matrix/client/v3/profile/${enc(this.userId)}/displayname`, {
      displayname: displayName,
    });
  }

  /** Sends an m.text message; returns the event id. */
  async sendText(roomId: string, text: string): Promise<string> {
    const txnId = `peer-${Date.now()}-${++this.#txnCounter}-${randomBytes(3).toString('hex')}`;
    const body = await this.#call<{ event_id: string }>(
      'PUT',
      `/_matrix/client/v3/rooms/${enc(roomId)}/send/m.room.message/${enc(txnId)}`,
      { msgtype: 'm.text', body: text },
    );
    return body.event_id;
  }

  async setAccountData(type: string, content: Record<string, unknown>): Promise<void> {
    await this.#call('PUT', `/_matrix/client/v3/user/${enc(this.userId)}/account_data/${enc(type)}`, content);
  }

  async getJoinedRooms(): Promise<string[]> {
    const body = await this.#call<{ joined_rooms: string[] }>('GET', '/_matrix/client/v3/joined_rooms');
    return body.joined_rooms;
  }

  /** Rooms this user is invited to, from one non-blocking /sync that skips timelines. */
  async getInvitedRooms(): Promise<string[]> {
    const filter = JSON.stringify({ room: { timeline: { limit: 0 }, state: { lazy_load_members: true } } });
    const body = await this.#call<{ rooms?: { invite?: Record<string, unknown> } }>(
      'GET',
      `/_matrix/client/v3/sync?timeout=0&filter=${enc(filter)}`,
    );
    return Object.keys(body.rooms?.invite ?? {});
  }

  #call<T>(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<T> {
    return request<T>(this.baseUrl, this.#accessToken, method, path, body, `${method} ${path.split('?')[0]}`);
  }
}

async function request<T>(
  baseUrl: string,
  accessToken: string | undefined,
  method: 'GET' | 'POST' | 'PUT',
  path: string,
  body: unknown,
  what: string,
): Promise<T> {
  const headers: Record<string, string> = {};
  if (accessToken) headers['authorization'] = `Bearer ${accessToken}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers,
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  const parsed = parseJson(text);
  if (!response.ok) {
    const errcode = typeof parsed?.['errcode'] === 'string' ? parsed['errcode'] : undefined;
    const error = typeof parsed?.['error'] === 'string' ? parsed['error'] : undefined;
    throw new MatrixRequestError(what, response.status, errcode, error);
  }
  if (parsed === undefined) throw new Error(`${what}: response is not a JSON object`);
  return parsed as T;
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

const enc = encodeURIComponent;
