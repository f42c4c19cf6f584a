// Shared steps of the timeline tests: Tessera signed in, rooms with a peer, raw events sent as
// any user, and waiting for the engine's timeline.changed events.
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import type { SessionView, TimelineChange, TimelineItem, TimelinePage } from '../../src-preload/contract.ts';
import type { RegisteredUser } from '../homeserver/synapse.ts';
import { startEngine, type RecordedEngine } from './engine-harness.ts';

const homeserver = inject('homeserver');

export async function until<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
): Promise<T> {
  for (let attempt = 0; attempt < 300; attempt++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`never happened: ${what}`);
}

export async function signIn(
  user: RegisteredUser,
): Promise<{ tessera: RecordedEngine; session: SessionView }> {
  const tessera = startEngine({ forceSyncV3: true });
  const login = await tessera.invoke('session.login', {
    homeserver: homeserver.baseUrl,
    user: user.localpart,
    password: user.password,
  });
  if (!login.ok) throw new Error(`sign-in failed: ${login.error.code}`);
  return { tessera, session: login.value as SessionView };
}

/** Sends any event as `user` (bad input included); returns its event id. */
export async function sendRaw(
  user: RegisteredUser,
  roomId: string,
  type: string,
  content: Record<string, unknown>,
): Promise<string> {
  const enc = encodeURIComponent;
  const txnId = `raw-${randomBytes(6).toString('hex')}`;
  const response = await fetch(
    `${homeserver.baseUrl}/_matrix/client/v3/rooms/${enc(roomId)}/send/${enc(type)}/${txnId}`,
    {
      method: 'PUT',
      headers: { authorization: `Bearer ${user.accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(content),
    },
  );
  if (!response.ok) throw new Error(`send ${type} failed: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { event_id: string }).event_id;
}

export async function redactRaw(user: RegisteredUser, roomId: string, eventId: string): Promise<string> {
  const enc = encodeURIComponent;
  const response = await fetch(
    `${homeserver.baseUrl}/_matrix/client/v3/rooms/${enc(roomId)}/redact/${enc(eventId)}/raw-${randomBytes(6).toString('hex')}`,
    {
      method: 'PUT',
      headers: { authorization: `Bearer ${user.accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'test' }),
    },
  );
  if (!response.ok) throw new Error(`redact failed: ${response.status}`);
  return ((await response.json()) as { event_id: string }).event_id;
}

export async function openTimeline(
  tessera: RecordedEngine,
  roomId: string,
  limit = 50,
): Promise<TimelinePage> {
  const opened = await tessera.invoke('timeline.open', { roomId, limit });
  if (!opened.ok) throw new Error(`timeline.open failed: ${opened.error.code}`);
  return opened.value as TimelinePage;
}

export function changes(tessera: RecordedEngine, roomId: string): TimelineChange[] {
  return tessera.events
    .filter((event) => event.name === 'timeline.changed')
    .map((event) => event.payload as TimelineChange)
    .filter((change) => change.roomId === roomId);
}

/** The renderer's view of an open room: the opened page with every later change applied. */
export function applied(page: TimelinePage, later: readonly TimelineChange[]): TimelineItem[] {
  const items = new Map(page.items.map((item) => [item.key, item]));
  for (const change of later) {
    for (const key of change.removed) items.delete(key);
    for (const item of change.upserted) items.set(item.key, item);
  }
  return [...items.values()].sort((a, b) => a.position - b.position);
}

/** Waits until the open room, as the renderer sees it, matches. */
export function untilView(
  tessera: RecordedEngine,
  page: TimelinePage,
  what: string,
  predicate: (items: TimelineItem[]) => boolean,
): Promise<TimelineItem[]> {
  return until(what, () => {
    const items = applied(page, changes(tessera, page.roomId));
    return predicate(items) ? items : undefined;
  });
}

export const messageBody = (item: TimelineItem | undefined): string | undefined =>
  item?.content.kind === 'message' ? item.content.body : undefined;
