// MSC4153 (exclude insecure devices): with 'pref.shareKeysWithCrossSignedOnly' on, Tessera shares
// room keys only with devices their owner cross-signed. Bob has two matrix-js-sdk devices: one
// that bootstrapped cross-signing (so it is signed by Bob's self-signing key) and one that is not
// signed. Only the first can read what Tessera sends; with the setting off again, both can.
// MSC4153 also needs the sending device cross-signed: Tessera cannot do that itself yet
// (verification is later work), so the test bootstraps it through Tessera's own OlmMachine.
import { DeviceId, UserId } from '@matrix-org/matrix-sdk-crypto-wasm';
import { describe, expect, inject, it } from 'vitest';
import type { MessageStatus } from '../../src-preload/contract.ts';
import { settingStorageKeys } from '../../src-main/engine/settings/account-settings.ts';
import { registerUser } from '../homeserver/synapse.ts';
import type { JsSdkPeer } from './js-sdk-peer.ts';
import {
  interopFixture,
  peerSeesTesseraDevice,
  secretText,
  tesseraJoins,
  tesseraSends,
  waitFor,
} from './interop-fixture.ts';
import { olmMachineOf, type TesseraAccount } from './tessera-side.ts';

const homeserver = inject('homeserver');
const fixture = interopFixture(homeserver);

/** Signs the peer's own device with new cross-signing keys (password for the upload's auth). */
async function bootstrapCrossSigning(peer: JsSdkPeer, password: string): Promise<void> {
  const crypto = peer.client.getCrypto();
  if (!crypto) throw new Error('the peer has no crypto');
  await crypto.bootstrapCrossSigning({
    setupNewCrossSigning: true,
    authUploadDeviceSigningKeys: async (makeRequest) => {
      await makeRequest({
        type: 'm.login.password',
        identifier: { type: 'm.id.user', user: peer.userId },
        password,
      });
    },
  });
  await waitFor('the peer never became cross-signed', async () =>
    (await crypto.getDeviceVerificationStatus(peer.userId, peer.deviceId))?.signedByOwner ? true : undefined,
  );
}

/** Gives Tessera's user cross-signing keys and signs Tessera's device with them (test setup). */
async function crossSignTessera(account: TesseraAccount): Promise<void> {
  const olm = olmMachineOf(account.session);
  const token = account.session.db.session.get()?.accessToken ?? '';
  const post = async (path: string, body: Record<string, unknown>) => {
    const response = await fetch(`${homeserver.baseUrl}/_matrix/client/v3${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${path} failed: HTTP ${response.status}`);
  };
  const requests = await olm.bootstrapCrossSigning(true);
  await post('/keys/device_signing/upload', {
    ...(JSON.parse(requests.uploadSigningKeysRequest.body) as Record<string, unknown>),
    auth: {
      type: 'm.login.password',
      identifier: { type: 'm.id.user', user: account.user.userId },
      password: account.user.password,
    },
  });
  await post(
    '/keys/signatures/upload',
    JSON.parse(requests.uploadSignaturesRequest.body) as Record<string, unknown>,
  );
  await waitFor('Tessera never saw its own device cross-signed', async () => {
    const own = await olm.getDevice(new UserId(account.user.userId), new DeviceId(account.deviceId));
    const signed = own?.isCrossSignedByOwner() ?? false;
    own?.free();
    return signed ? true : undefined;
  });
}

/** Waits until Tessera's OlmMachine knows the device, and whether its owner signed it. */
async function tesseraSeesDevice(account: TesseraAccount, peer: JsSdkPeer, signed: boolean): Promise<void> {
  const olm = olmMachineOf(account.session);
  await waitFor(`Tessera never saw ${peer.deviceId} as ${signed ? '' : 'not '}cross-signed`, async () => {
    const device = await olm.getDevice(new UserId(peer.userId), new DeviceId(peer.deviceId));
    const matches = device !== undefined && device.isCrossSignedByOwner() === signed;
    device?.free();
    return matches ? true : undefined;
  });
}

describe('MSC4153: room keys only for cross-signed devices', () => {
  it('an unsigned device gets no room key while the setting is on, and gets one when it is off', async () => {
    const bob = await registerUser(homeserver);
    const account = await fixture.tessera();
    await crossSignTessera(account);
    const signed = await fixture.peer(bob);
    await bootstrapCrossSigning(signed, bob.password);
    const unsigned = await fixture.peerOnNewDevice(bob);

    await peerSeesTesseraDevice(signed, account);
    const roomId = await signed.createEncryptedRoom({ invite: [account.user.userId] });
    await tesseraJoins(account, roomId);
    await unsigned.waitForEncryptedRoom(roomId);
    await tesseraSeesDevice(account, signed, true);
    await tesseraSeesDevice(account, unsigned, false);

    account.session.db.settings.set(settingStorageKeys.shareKeysWithCrossSignedOnly, true);
    const guarded = secretText('cross-signed only');
    const guardedId = await tesseraSends(account, roomId, guarded);
    await signed.waitForDecryptedText(roomId, guarded);
    const raw = await signed.rawEvent(roomId, guardedId);
    expect(await unsigned.tryDecrypt(raw)).toBeUndefined();

    // The control: the same unsigned device reads Tessera's next message once the setting is off.
    account.session.db.settings.set(settingStorageKeys.shareKeysWithCrossSignedOnly, false);
    const open = secretText('every device');
    await tesseraSends(account, roomId, open);
    await unsigned.waitForDecryptedText(roomId, open);
    await signed.waitForDecryptedText(roomId, open);
    // It still holds nothing that opens the guarded one.
    expect(await unsigned.tryDecrypt(raw)).toBeUndefined();
  });

  it('fails closed while Tessera’s own device is not cross-signed; retried with the setting off, it lands', async () => {
    const account = await fixture.tessera();
    const peer = await fixture.peer();
    await peerSeesTesseraDevice(peer, account);
    const roomId = await peer.createEncryptedRoom({ invite: [account.user.userId] });
    await tesseraJoins(account, roomId);

    account.session.db.settings.set(settingStorageKeys.shareKeysWithCrossSignedOnly, true);
    const text = secretText('held back');
    const outcome = await account.recorded.invoke('message.send', { roomId, body: text });
    if (!outcome.ok) throw new Error(outcome.error.code);
    const { transactionId } = outcome.value as { transactionId: string };
    const failed = await waitFor('the send never failed', () =>
      account.recorded.events
        .filter((event) => event.name === 'message.status')
        .map((event) => event.payload as MessageStatus)
        .find((status) => status.transactionId === transactionId && status.state === 'failed'),
    );
    expect(failed.error).toMatchObject({
      code: 'encryption_failed',
      message: expect.stringContaining('cross-signed'),
    });

    account.session.db.settings.set(settingStorageKeys.shareKeysWithCrossSignedOnly, false);
    expect(await account.recorded.invoke('message.retry', { transactionId })).toEqual({
      ok: true,
      value: null,
    });
    await peer.waitForDecryptedText(roomId, text);
  });
});
