// The crypto engine against the real Synapse: our device's keys reach the server, and a room
// key another user's device shares by to-device arrives through sync and opens its message.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { OlmPeer } from '../homeserver/olm-peer.ts';
import { MatrixPeer } from '../homeserver/matrix-peer.ts';
import { registerUser } from '../homeserver/synapse.ts';
import {
  claimOneTimeKey,
  CryptoAccount,
  latestEncryptedEvent,
  publishedKeys,
  type CryptoAccountSpec,
  type SyncApi,
} from './crypto-fixture.ts';

const homeserver = inject('homeserver');
const cleanup: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function tesseraAccount(api: SyncApi) {
  const user = await registerUser(homeserver);
  const dir = mkdtempSync(join(tmpdir(), 'tessera-crypto-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  const spec: CryptoAccountSpec = {
    baseUrl: homeserver.baseUrl,
    userId: user.userId,
    deviceId: user.deviceId,
    accessToken: user.accessToken,
    dbPath: join(dir, 'account.db'),
    dbKey: randomBytes(32).toString('hex'),
    storeKey: randomBytes(32).toString('hex'),
    api,
  };
  const account = await CryptoAccount.open(spec);
  cleanup.push(() => account.close());
  return { user, account };
}

describe.each(['v3', 'sliding'] as const)('crypto over %s sync', (api) => {
  it('publishes our device keys and one-time keys after the first sync', async () => {
    const { user, account } = await tesseraAccount(api);
    const other = await registerUser(homeserver);

    const { batch } = await account.syncOnce();
    expect(batch.e2ee).toBeDefined();
    expect(account.failures()).toEqual([]);

    const published = await publishedKeys(homeserver.baseUrl, other.accessToken, user.userId, user.deviceId);
    expect(published).toEqual(account.machine.identityKeys);
    const claimed = await claimOneTimeKey(homeserver.baseUrl, other.accessToken, user.userId, user.deviceId);
    expect(Object.keys(claimed)).toEqual([expect.stringMatching(/^signed_curve25519:/)]);

    // The server now reports the keys it holds, and the machine does not upload again in error.
    const next = await account.syncOnce();
    expect(next.batch.e2ee?.oneTimeKeyCounts.signed_curve25519).toBeGreaterThan(0);
    expect(account.failures()).toEqual([]);
  });

  it('receives a room key by to-device through sync and decrypts the message it opens', async () => {
    const { user, account } = await tesseraAccount(api);
    const bob = await registerUser(homeserver);
    const peer = await OlmPeer.start({ baseUrl: homeserver.baseUrl, ...bob });
    cleanup.push(() => peer.close());

    const roomId = await peer.createEncryptedRoom({ name: 'Secret plans', invite: [user.userId] });
    await new MatrixPeer({ baseUrl: homeserver.baseUrl, ...user }).join(roomId);
    // Our keys must be on the server before the peer can open an Olm session to us.
    await account.syncOnce();

    const text = `known text ${randomBytes(4).toString('hex')}`;
    await peer.sendEncryptedText(roomId, text, [user.userId, bob.userId]);

    const { outcome } = await account.syncUntil((_batch, result) => result.processed.decrypted > 0);
    expect(outcome.processed.undecryptable).toBe(0);

    const event = await latestEncryptedEvent(homeserver.baseUrl, user.accessToken, roomId);
    const result = await account.decryptor.decrypt(roomId, event);
    expect(result).toMatchObject({
      ok: true,
      clearEvent: { type: 'm.room.message', content: { msgtype: 'm.text', body: text } },
      senderCurve25519: peer.machine.identityKeys.curve25519.toBase64(),
      senderDeviceId: bob.deviceId,
      // The peer's device is known but not cross-signed by its owner.
      shield: { color: 'red', code: 'unsigned_device' },
    });
    expect(account.failures()).toEqual([]);
    // Nothing logged carries the message.
    expect(JSON.stringify(account.logs)).not.toContain(text);
  });
});
