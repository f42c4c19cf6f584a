// Shared steps of the receipts, typing and room-details tests: raw client-server calls as another
// user (no SDK, no Tessera code), polling, and a signed-in Tessera in a room with a peer.
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import type { EventName, SessionView } from '../../src-preload/contract.ts';
import { MatrixPeer } from '../homeserver/matrix-peer.ts';
import { registerUser, type RegisteredUser } from '../homeserver/synapse.ts';
import { startEngine, type RecordedEngine } from './engine-harness.ts';

const enc = encodeURIComponent;

export async function call(
  user: RegisteredUser,
  method: 'GET' | 'POST' | 'PUT',
  path: string,
  body?: unknown,
): Promise<Record<string, unknown>> {
  const homeserver = inject('homeserver');
  const response = await fetch(`${homeserver.baseUrl}/_matrix/client/v3${path}`, {
    method,
    headers: {
      authorization: `Bearer ${user.accessToken}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  if (!response.ok) throw new Error(`${method} ${path.split('?')[0]}: HTTP ${response.status}`);
  return (await response.json()) as Record<string, unknown>;
}

export function sendState(
  user: RegisteredUser,
  roomId: string,
  type: string,
  content: Record<string, unknown>,
) {
  return call(user, 'PUT', `/rooms/${enc(roomId)}/state/${enc(type)}/`, content);
}

export async function sendMessage(
  user: RegisteredUser,
  roomId: string,
  content: Record<string, unknown>,
): Promise<string> {
  const txn = `t-${randomBytes(6).toString('hex')}`;
  const sent = await call(user, 'PUT', `/rooms/${enc(roomId)}/send/m.room.message/${txn}`, content);
  return String(sent.event_id);
}

/**
 * The room's ephemeral events in a fresh /v3/sync of `user` (the latest receipts and typing).
 * Synapse caches identical sync requests for a while, so each filter carries a nonce.
 */
export async function ephemeralSeenBy(
  user: RegisteredUser,
  roomId: string,
): Promise<{ type: string; content: Record<string, unknown> }[]> {
  const nonce = `org.example.nonce.${randomBytes(6).toString('hex')}`;
  const filter = JSON.stringify({ room: { rooms: [roomId], timeline: { limit: 1, not_types: [nonce] } } });
  const body = (await call(user, 'GET', `/sync?timeout=0&filter=${enc(filter)}`)) as {
    rooms?: {
      join?: Record<
        string,
        { ephemeral?: { events?: { type: string; content: Record<string, unknown> }[] } }
      >;
    };
  };
  return body.rooms?.join?.[roomId]?.ephemeral?.events ?? [];
}

export async function until<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  attempts = 300,
): Promise<T> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`never happened: ${what}`);
}

export function eventsNamed<T>(tessera: RecordedEngine, name: EventName): T[] {
  return tessera.events.filter((event) => event.name === name).map((event) => event.payload as T);
}

export async function ok<T>(
  tessera: RecordedEngine,
  command: Parameters<RecordedEngine['invoke']>[0],
  args: unknown = {},
): Promise<T> {
  const outcome = await tessera.invoke(command, args);
  if (!outcome.ok) throw new Error(`${command} failed: ${outcome.error.code}`);
  return outcome.value as T;
}

export interface SignedIn {
  tessera: RecordedEngine;
  alice: RegisteredUser;
  deviceId: string;
}

/** Tessera signed in as a new user. */
export async function signIn(
  cleanup: (() => unknown)[],
  options: { forceSyncV3?: boolean } = {},
): Promise<SignedIn> {
  const homeserver = inject('homeserver');
  const alice = await registerUser(homeserver, { displayName: 'Alice' });
  const tessera = startEngine(options);
  cleanup.push(() => tessera.dispose());
  const login = await tessera.invoke('session.login', {
    homeserver: homeserver.baseUrl,
    user: alice.localpart,
    password: alice.password,
  });
  if (!login.ok) throw new Error(`sign-in failed: ${login.error.code}`);
  return { tessera, alice, deviceId: (login.value as SessionView).deviceId };
}

/** `bob` creates a plain room with alice in it; Tessera lists it. */
export async function plainRoom(signedIn: SignedIn, bob: RegisteredUser, name: string): Promise<string> {
  const homeserver = inject('homeserver');
  const peer = new MatrixPeer({ baseUrl: homeserver.baseUrl, ...bob });
  const roomId = await peer.createRoom({ name, invite: [signedIn.alice.userId], preset: 'private_chat' });
  await new MatrixPeer({ baseUrl: homeserver.baseUrl, ...signedIn.alice }).join(roomId);
  await signedIn.tessera.waitForRooms((rooms) =>
    rooms.some((room) => room.roomId === roomId && room.membership === 'join'),
  );
  return roomId;
}
