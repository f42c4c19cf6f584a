// Who gets which room keys, between Tessera and matrix-js-sdk: a late member reads only what
// was sent after it joined, a member who left reads nothing sent after, and the room key
// rotates after the room's rotation_period_msgs.
import { describe, expect, inject, it } from 'vitest';
import { DeviceId, UserId } from '@matrix-org/matrix-sdk-crypto-wasm';
import { RoomEventDecryptor } from '../../src-main/engine/crypto/room-event-decryptor.ts';
import { registerUser } from '../homeserver/synapse.ts';
import type { JsSdkPeer } from './js-sdk-peer.ts';
import {
  directChat,
  interopFixture,
  peerSeesTesseraDevice,
  secretText,
  tesseraJoins,
  tesseraSends,
  waitFor,
} from './interop-fixture.ts';
import {
  olmMachineOf,
  tesseraDecryptedTexts,
  waitForTesseraText,
  type TesseraAccount,
} from './tessera-side.ts';

const homeserver = inject('homeserver');
const fixture = interopFixture(homeserver);

/** Waits until Tessera's OlmMachine knows the peer's device (its device list changed by sync). */
async function tesseraKnowsDevice(account: TesseraAccount, sdk: JsSdkPeer): Promise<void> {
  const olm = olmMachineOf(account.session);
  await waitFor("Tessera never learned the peer's new device", async () => {
    const user = new UserId(sdk.userId);
    const device = await olm.getDevice(user, new DeviceId(sdk.deviceId));
    const known = device !== undefined;
    device?.free();
    return known ? true : undefined;
  });
}

/** Waits until Tessera's room list counts that many joined members in the room. */
async function tesseraSeesJoined(account: TesseraAccount, roomId: string, joined: number): Promise<void> {
  await account.recorded.waitForRooms((rooms) =>
    rooms.some((room) => room.roomId === roomId && room.joinedMemberCount === joined),
  );
}

describe('room keys between Tessera and matrix-js-sdk', () => {
  it('a member invited later reads what Tessera sent after it joined, not before (history visibility joined)', async () => {
    const [account, alice, bob] = await Promise.all([fixture.tessera(), fixture.peer(), fixture.peer()]);
    await peerSeesTesseraDevice(alice, account);
    const roomId = await alice.createEncryptedRoom({
      invite: [account.user.userId],
      historyVisibility: 'joined',
    });
    await tesseraJoins(account, roomId);

    const before = secretText('before bob');
    const beforeId = await tesseraSends(account, roomId, before);
    await alice.waitForDecryptedText(roomId, before);

    await alice.invite(roomId, bob.userId);
    await bob.join(roomId);
    await tesseraSeesJoined(account, roomId, 3);
    const after = secretText('after bob');
    const afterId = await tesseraSends(account, roomId, after);

    await bob.waitForDecryptedText(roomId, after);
    // Bob holds no key that opens the earlier message, even given the event itself.
    expect(await bob.tryDecrypt(await alice.rawEvent(roomId, beforeId))).toBeUndefined();
    expect(await bob.tryDecrypt(await alice.rawEvent(roomId, afterId))).toBe(after);
  });

  it('Tessera invited later reads what a peer sent after it joined, not before (history visibility joined)', async () => {
    const [account, alice, bob] = await Promise.all([fixture.tessera(), fixture.peer(), fixture.peer()]);
    await peerSeesTesseraDevice(alice, account);
    const roomId = await alice.createEncryptedRoom({ invite: [bob.userId], historyVisibility: 'joined' });
    await bob.join(roomId);

    const before = secretText('before Tessera');
    const beforeId = await alice.sendText(roomId, before);
    await bob.waitForDecryptedText(roomId, before);

    await alice.invite(roomId, account.user.userId);
    await tesseraJoins(account, roomId);
    await alice.waitForMembership(roomId, account.user.userId, 'join');
    const after = secretText('after Tessera');
    const afterId = await alice.sendText(roomId, after);

    await waitForTesseraText(account.session, roomId, after);
    expect(tesseraDecryptedTexts(account.session, roomId)).not.toContain(before);
    // Given the earlier event itself, Tessera holds no key that opens it; the later one opens.
    const decryptor = new RoomEventDecryptor(olmMachineOf(account.session));
    const earlier = await decryptor.decrypt(roomId, await alice.rawEvent(roomId, beforeId));
    expect(earlier).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^(missing_room_key|unknown_message_index)$/),
    });
    const later = await decryptor.decrypt(roomId, await alice.rawEvent(roomId, afterId));
    expect(later).toMatchObject({ ok: true, clearEvent: { content: { body: after } } });
  });

  it('a member who left cannot decrypt what Tessera sends afterwards: the room key rotated', async () => {
    const [account, alice, bob] = await Promise.all([fixture.tessera(), fixture.peer(), fixture.peer()]);
    await Promise.all([peerSeesTesseraDevice(alice, account), peerSeesTesseraDevice(bob, account)]);
    const roomId = await alice.createEncryptedRoom({ invite: [bob.userId, account.user.userId] });
    await Promise.all([bob.join(roomId), tesseraJoins(account, roomId)]);
    await tesseraSeesJoined(account, roomId, 3);

    const first = secretText('while bob is here');
    await tesseraSends(account, roomId, first);
    const [aliceFirst, bobFirst] = await Promise.all([
      alice.waitForDecryptedText(roomId, first),
      bob.waitForDecryptedText(roomId, first),
    ]);
    expect(bobFirst.sessionId).toBe(aliceFirst.sessionId);

    await bob.leave(roomId);
    await tesseraSeesJoined(account, roomId, 2);
    const second = secretText('after bob left');
    const secondId = await tesseraSends(account, roomId, second);

    const aliceSecond = await alice.waitForDecryptedText(roomId, second);
    expect(aliceSecond.sessionId).not.toBe(aliceFirst.sessionId);
    const secondRaw = await alice.rawEvent(roomId, secondId);
    expect(await bob.tryDecrypt(secondRaw)).toBeUndefined();
    expect(await alice.tryDecrypt(secondRaw)).toBe(second);
  });

  it("a member's new device gets the keys of what Tessera sends afterwards, not before", async () => {
    const aliceUser = await registerUser(homeserver);
    const [account, alice] = await Promise.all([fixture.tessera(), fixture.peer(aliceUser)]);
    const roomId = await directChat(account, alice);
    const before = secretText('before the new device');
    const beforeId = await tesseraSends(account, roomId, before);
    await alice.waitForDecryptedText(roomId, before);

    const laptop = await fixture.peerOnNewDevice(aliceUser);
    await laptop.waitForEncryptedRoom(roomId);
    await tesseraKnowsDevice(account, laptop);
    const after = secretText('after the new device');
    const afterId = await tesseraSends(account, roomId, after);

    await laptop.waitForDecryptedText(roomId, after);
    await alice.waitForDecryptedText(roomId, after);
    expect(await laptop.tryDecrypt(await alice.rawEvent(roomId, beforeId))).toBeUndefined();
    expect(await laptop.tryDecrypt(await alice.rawEvent(roomId, afterId))).toBe(after);
  });

  it('Tessera rotates the room key after rotation_period_msgs messages', async () => {
    const [account, alice] = await Promise.all([fixture.tessera(), fixture.peer()]);
    await peerSeesTesseraDevice(alice, account);
    const roomId = await alice.createEncryptedRoom({
      invite: [account.user.userId],
      encryption: { rotation_period_msgs: 2 },
    });
    await tesseraJoins(account, roomId);

    const texts = [secretText('one'), secretText('two'), secretText('three')];
    for (const text of texts) await tesseraSends(account, roomId, text);
    const sessions = await Promise.all(
      texts.map(async (text) => (await alice.waitForDecryptedText(roomId, text)).sessionId),
    );

    // The peer read all three: the new key after rotation was shared with it too.
    expect(sessions.every((id) => id.length > 0)).toBe(true);
    expect(sessions[1]).toBe(sessions[0]);
    expect(sessions[2]).not.toBe(sessions[1]);
  });
});
