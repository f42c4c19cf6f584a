// Tessera and matrix-js-sdk (Rust crypto) exchange encrypted messages through the real Synapse,
// over both sync APIs Tessera speaks.
import { describe, expect, inject, it } from 'vitest';
import type { JsSdkPeer } from './js-sdk-peer.ts';
import {
  directChat,
  interopFixture,
  peerSeesTesseraDevice,
  secretText,
  tesseraSends,
} from './interop-fixture.ts';
import { waitForTesseraText, type TesseraAccount } from './tessera-side.ts';

const fixture = interopFixture(inject('homeserver'));

/** A room of three: alice (creator), bob and Tessera's user, all joined. */
async function groupRoom(account: TesseraAccount, alice: JsSdkPeer, bob: JsSdkPeer): Promise<string> {
  await Promise.all([peerSeesTesseraDevice(alice, account), peerSeesTesseraDevice(bob, account)]);
  const roomId = await alice.createEncryptedRoom({
    name: 'Three of us',
    invite: [bob.userId, account.user.userId],
  });
  await Promise.all([bob.join(roomId), account.elsewhere.join(roomId)]);
  await account.recorded.waitForRooms((rooms) =>
    rooms.some((room) => room.roomId === roomId && room.membership === 'join'),
  );
  return roomId;
}

describe.each([
  { api: 'Simplified Sliding Sync', forceSyncV3: false },
  { api: '/v3/sync', forceSyncV3: true },
])('interop with matrix-js-sdk (Rust crypto) over $api', ({ forceSyncV3 }) => {
  const tessera = () => fixture.tessera({ forceSyncV3 });

  it("publishes Tessera's device keys so that the js-sdk sees its ed25519 key", async () => {
    const [account, sdk] = await Promise.all([tessera(), fixture.peer()]);

    const device = await peerSeesTesseraDevice(sdk, account);

    expect(device.ed25519).toBe(account.session.crypto.identityKeys.ed25519);
    expect(device.curve25519).toBe(account.session.crypto.identityKeys.curve25519);
  });

  it('peer → Tessera in an encrypted DM', async () => {
    const [account, sdk] = await Promise.all([tessera(), fixture.peer()]);
    const roomId = await directChat(account, sdk);

    const text = secretText('the DM text');
    const eventId = await sdk.sendText(roomId, text);

    const read = await waitForTesseraText(account.session, roomId, text);
    expect(read).toMatchObject({ eventId, sender: sdk.userId, senderDeviceId: sdk.deviceId });
    expect(JSON.stringify(account.recorded.logs)).not.toContain(text);
  });

  it('peer → Tessera in an encrypted group room of three users', async () => {
    const [account, alice, bob] = await Promise.all([tessera(), fixture.peer(), fixture.peer()]);
    const roomId = await groupRoom(account, alice, bob);

    const fromAlice = secretText("alice's text");
    const aliceEventId = await alice.sendText(roomId, fromAlice);
    await bob.waitForDecryptedText(roomId, fromAlice);
    const fromBob = secretText("bob's text");
    const bobEventId = await bob.sendText(roomId, fromBob);

    const readAlice = await waitForTesseraText(account.session, roomId, fromAlice);
    expect(readAlice).toMatchObject({ eventId: aliceEventId, sender: alice.userId });
    const readBob = await waitForTesseraText(account.session, roomId, fromBob);
    expect(readBob).toMatchObject({ eventId: bobEventId, sender: bob.userId });
    // The peers read each other too: the room works for clients we did not write.
    await alice.waitForDecryptedText(roomId, fromBob);
  });

  it('Tessera → peer in an encrypted DM', async () => {
    const [account, sdk] = await Promise.all([tessera(), fixture.peer()]);
    const roomId = await directChat(account, sdk);

    const text = secretText("Tessera's DM text");
    const eventId = await tesseraSends(account, roomId, text);

    const read = await sdk.waitForDecryptedText(roomId, text);
    expect(read).toMatchObject({ eventId, sender: account.user.userId, body: text });
    expect(JSON.stringify(account.recorded.logs)).not.toContain(text);
  });

  it('Tessera → peers in an encrypted group room of three users', async () => {
    const [account, alice, bob] = await Promise.all([tessera(), fixture.peer(), fixture.peer()]);
    const roomId = await groupRoom(account, alice, bob);

    const text = secretText("Tessera's group text");
    const eventId = await tesseraSends(account, roomId, text);

    const [readAlice, readBob] = await Promise.all([
      alice.waitForDecryptedText(roomId, text),
      bob.waitForDecryptedText(roomId, text),
    ]);
    expect(readAlice).toMatchObject({ eventId, sender: account.user.userId, body: text });
    expect(readBob).toMatchObject({ eventId, sender: account.user.userId, body: text });
  });
});
