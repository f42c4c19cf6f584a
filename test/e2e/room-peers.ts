// People and rooms for the room view's e2e tests: Alice signs in through the UI; Bob is another
// user on the same Synapse, with real end-to-end encryption (OlmPeer) for encrypted rooms and
// raw HTTP for what OlmPeer and MatrixPeer do not offer (formatted bodies, typing, power levels).
import { randomBytes } from 'node:crypto';
import type { Page } from '@playwright/test';
import { MatrixPeer } from '../homeserver/matrix-peer.ts';
import { OlmPeer } from '../homeserver/olm-peer.ts';
import { registerUser, type HomeserverInfo, type RegisteredUser } from '../homeserver/synapse.ts';
import { expect, signIn } from './fixtures.ts';

export interface RoomPeers {
  alice: RegisteredUser;
  bob: RegisteredUser;
  /** Alice's registration session (not Tessera's device), for joining rooms as her. */
  aliceRaw: MatrixPeer;
  bobRaw: MatrixPeer;
}

export async function registerPeers(homeserver: HomeserverInfo): Promise<RoomPeers> {
  const alice = await registerUser(homeserver, { displayName: 'Alice' });
  const bob = await registerUser(homeserver, { displayName: 'Bob' });
  return {
    alice,
    bob,
    aliceRaw: new MatrixPeer({
      baseUrl: homeserver.baseUrl,
      userId: alice.userId,
      accessToken: alice.accessToken,
    }),
    bobRaw: new MatrixPeer({ baseUrl: homeserver.baseUrl, userId: bob.userId, accessToken: bob.accessToken }),
  };
}

export function startOlmBob(homeserver: HomeserverInfo, bob: RegisteredUser): Promise<OlmPeer> {
  return OlmPeer.start({
    baseUrl: homeserver.baseUrl,
    userId: bob.userId,
    accessToken: bob.accessToken,
    deviceId: bob.deviceId,
  });
}

async function call(
  homeserver: HomeserverInfo,
  user: RegisteredUser,
  method: 'GET' | 'POST' | 'PUT',
  path: string,
  body?: unknown,
): Promise<unknown> {
  const response = await fetch(`${homeserver.baseUrl}/_matrix/client/v3${path}`, {
    method,
    headers: { authorization: `Bearer ${user.accessToken}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok) throw new Error(`${method} ${path.split('?')[0]} failed: HTTP ${response.status}`);
  return (await response.json()) as unknown;
}

/** Sends an unencrypted room event; returns its id. */
export async function sendRaw(
  homeserver: HomeserverInfo,
  user: RegisteredUser,
  roomId: string,
  type: string,
  content: Record<string, unknown>,
): Promise<string> {
  const txn = `e2e-${randomBytes(6).toString('hex')}`;
  const body = (await call(
    homeserver,
    user,
    'PUT',
    `/rooms/${encodeURIComponent(roomId)}/send/${encodeURIComponent(type)}/${txn}`,
    content,
  )) as { event_id: string };
  return body.event_id;
}

export async function setTyping(
  homeserver: HomeserverInfo,
  user: RegisteredUser,
  roomId: string,
  typing: boolean,
): Promise<void> {
  await call(
    homeserver,
    user,
    'PUT',
    `/rooms/${encodeURIComponent(roomId)}/typing/${encodeURIComponent(user.userId)}`,
    typing ? { typing: true, timeout: 30_000 } : { typing: false },
  );
}

/** Waits until the server has device keys for `count` of the user's devices (Tessera's included). */
export async function waitForDeviceKeys(
  homeserver: HomeserverInfo,
  asUser: RegisteredUser,
  userId: string,
  count: number,
): Promise<void> {
  await expect
    .poll(
      async () => {
        const body = (await call(homeserver, asUser, 'POST', '/keys/query', {
          device_keys: { [userId]: [] },
        })) as {
          device_keys?: Record<string, Record<string, unknown>>;
        };
        return Object.keys(body.device_keys?.[userId] ?? {}).length;
      },
      { timeout: 30_000 },
    )
    .toBeGreaterThanOrEqual(count);
}

export async function signInAlice(
  page: Page,
  homeserver: HomeserverInfo,
  alice: RegisteredUser,
): Promise<void> {
  await signIn(page, { homeserver: homeserver.baseUrl, user: alice.localpart, password: alice.password });
  await expect(page.getByRole('navigation', { name: 'Rooms' })).toBeVisible();
}

/** Opens a room from the list and waits for its header. */
export async function openRoom(page: Page, name: string): Promise<void> {
  const item = page.getByRole('navigation', { name: 'Rooms' }).getByRole('listitem', { name });
  await item.getByRole('button').click();
  await expect(page.getByRole('heading', { level: 2, name })).toBeVisible();
}

/** Records every send state text an element ever showed, to see a pending state that passes fast. */
export async function watchSendStates(page: Page): Promise<() => Promise<string[]>> {
  // A string, because it runs in the page (this project's Node types have no DOM).
  await page.evaluate(`(() => {
    const seen = new Set();
    window.__sendStates = seen;
    const record = () => {
      for (const element of document.querySelectorAll('.send-state')) {
        seen.add(element.getAttribute('aria-label') ?? element.textContent.trim());
      }
    };
    new MutationObserver(record).observe(document.body, { subtree: true, childList: true, characterData: true });
  })()`);
  return () => page.evaluate<string[]>('[...window.__sendStates]');
}
