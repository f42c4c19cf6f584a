// A server that stops sending an encrypted room's m.room.encryption (a proxy in front of Synapse
// strips it and expires the sliding sync position, so Tessera reloads the room's full state
// without it) never makes Tessera send plaintext: what goes over the wire stays encrypted.
import { describe, expect, inject, it } from 'vitest';
import { directChat, interopFixture, secretText, tesseraSends, waitFor } from './interop-fixture.ts';
import { StrippingProxy } from './stripping-proxy.ts';
import { signInTessera } from './tessera-side.ts';

const homeserver = inject('homeserver');
const fixture = interopFixture(homeserver);

describe('a server that drops m.room.encryption', () => {
  it('does not make Tessera send plaintext into a room it saw encrypted', async () => {
    const proxy = await StrippingProxy.start(homeserver.baseUrl);
    fixture.onCleanup(() => proxy.stop());
    const [account, alice] = await Promise.all([
      signInTessera({ ...homeserver, baseUrl: proxy.baseUrl }),
      fixture.peer(),
    ]);
    fixture.onCleanup(() => account.recorded.dispose());
    const roomId = await directChat(account, alice);
    await account.recorded.waitForRooms((rooms) =>
      rooms.some((room) => room.roomId === roomId && room.isEncrypted),
    );
    const first = secretText('while the server behaves');
    await tesseraSends(account, roomId, first);
    await alice.waitForDecryptedText(roomId, first);

    proxy.dropEncryptionState();
    // Tessera has handled a full reload of the room without the event (its sync loop asks for
    // the next response only after storing the last).
    await waitFor('Tessera never reloaded the room without m.room.encryption', () =>
      proxy.syncRequestsAfterStripping > 0 ? true : undefined,
    );
    const second = secretText('after the server dropped encryption');
    await tesseraSends(account, roomId, second);

    await alice.waitForDecryptedText(roomId, second);
    const sentHere = proxy.sent.filter((event) => event.roomId === roomId);
    expect(sentHere.length).toBeGreaterThanOrEqual(2);
    for (const event of sentHere) {
      expect(event.type).toBe('m.room.encrypted');
      expect(event.body).not.toContain(first);
      expect(event.body).not.toContain(second);
    }
  });
});
