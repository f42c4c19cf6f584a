// What every interop test sets up: js-sdk peers, a signed-in Tessera, rooms between them, and
// Tessera's send with its acknowledgement. Everything started is stopped after each test.
import { randomBytes } from 'node:crypto';
import { afterEach } from 'vitest';
import type { MessageStatus } from '../../src-preload/contract.ts';
import type { EngineOptions } from '../../src-main/engine/protocol.ts';
import { registerUser, type HomeserverInfo, type RegisteredUser } from '../homeserver/synapse.ts';
import { JsSdkPeer, type PeerDevice } from './js-sdk-peer.ts';
import { signInTessera, waitForMembership, type TesseraAccount } from './tessera-side.ts';

const POLL_MS = 100;

export interface InteropFixture {
  /** A js-sdk client on a new user's registration device, or on that of `user`. */
  peer(user?: RegisteredUser): Promise<JsSdkPeer>;
  /** Another device of an existing user (password sign-in), with its own js-sdk client. */
  peerOnNewDevice(user: Pick<RegisteredUser, 'localpart' | 'password'>): Promise<JsSdkPeer>;
  tessera(options?: Partial<EngineOptions>): Promise<TesseraAccount>;
  /** Runs `step` after the test (last registered, first run). */
  onCleanup(step: () => Promise<void> | void): void;
}

/** Registers an afterEach that stops what the test started. Call once per test file. */
export function interopFixture(homeserver: HomeserverInfo): InteropFixture {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });
  return {
    async peer(user) {
      const started = await JsSdkPeer.start(homeserver.baseUrl, user ?? (await registerUser(homeserver)));
      cleanup.push(() => started.stop());
      return started;
    },
    async peerOnNewDevice(user) {
      const started = await JsSdkPeer.start(
        homeserver.baseUrl,
        await loginNewDevice(homeserver.baseUrl, user),
      );
      cleanup.push(() => started.stop());
      return started;
    },
    async tessera(options = {}) {
      const account = await signInTessera(homeserver, options);
      cleanup.push(() => account.recorded.dispose());
      return account;
    },
    onCleanup(step) {
      cleanup.push(step);
    },
  };
}

async function loginNewDevice(
  baseUrl: string,
  user: Pick<RegisteredUser, 'localpart' | 'password'>,
): Promise<{ userId: string; accessToken: string; deviceId: string }> {
  const response = await fetch(`${baseUrl}/_matrix/client/v3/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      type: 'm.login.password',
      identifier: { type: 'm.id.user', user: user.localpart },
      password: user.password,
    }),
  });
  if (!response.ok) throw new Error(`login failed: HTTP ${response.status}`);
  const body = (await response.json()) as { user_id: string; access_token: string; device_id: string };
  return { userId: body.user_id, accessToken: body.access_token, deviceId: body.device_id };
}

/** Waits until the peer sees Tessera's device with its keys: only then can it share a room key with it. */
export async function peerSeesTesseraDevice(sdk: JsSdkPeer, account: TesseraAccount): Promise<PeerDevice> {
  return waitFor("the peer never saw Tessera's device", async () =>
    (await sdk.deviceKeysOf(account.user.userId)).find((device) => device.deviceId === account.deviceId),
  );
}

/** A DM the peer started with Tessera's user, accepted and seen as joined by Tessera. */
export async function directChat(account: TesseraAccount, sdk: JsSdkPeer): Promise<string> {
  await peerSeesTesseraDevice(sdk, account);
  const roomId = await sdk.createEncryptedRoom({ invite: [account.user.userId], isDirect: true });
  await tesseraJoins(account, roomId);
  return roomId;
}

/** Tessera's user accepts an invite (from its registration device); Tessera sees itself joined. */
export async function tesseraJoins(account: TesseraAccount, roomId: string): Promise<void> {
  await waitForMembership(account, roomId, 'invite');
  await account.elsewhere.join(roomId);
  await waitForMembership(account, roomId, 'join');
}

/** Sends through Tessera's send queue and waits for the server to acknowledge it; the event id. */
export async function tesseraSends(account: TesseraAccount, roomId: string, body: string): Promise<string> {
  const outcome = await account.recorded.invoke('message.send', { roomId, body });
  if (!outcome.ok) throw new Error(`message.send failed: ${outcome.error.code}`);
  const { transactionId } = outcome.value as { transactionId: string };
  return waitFor("Tessera's send never completed", () => {
    const status = account.recorded.events
      .filter((event) => event.name === 'message.status')
      .map((event) => event.payload as MessageStatus)
      .findLast((payload) => payload.transactionId === transactionId);
    if (status?.state === 'failed')
      throw new Error(`Tessera's send failed: ${status.error?.code ?? 'unknown'}`);
    return status?.state === 'sent' ? status.eventId : undefined;
  });
}

/** Message text no log may contain. */
export const secretText = (label: string): string => `${label} ${randomBytes(6).toString('hex')}`;

export async function waitFor<T>(
  failure: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() >= deadline) throw new Error(failure);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
