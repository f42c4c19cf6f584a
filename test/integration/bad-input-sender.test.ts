// An encrypted event whose sender does not own the megolm session it was encrypted with (issue 4):
// a proxy in front of Synapse rewrites the `sender` of the peer's encrypted room events to
// another member, so the session's device and the claimed sender disagree. The stored result
// must not present the message as coming from a trusted sender.
import { randomBytes } from 'node:crypto';
import { afterEach, expect, inject, it } from 'vitest';
import type { SessionView } from '../../src-preload/contract.ts';
import type { TimelineItem } from '../../src-main/engine/timeline/decrypted-timeline.ts';
import { MatrixPeer } from '../homeserver/matrix-peer.ts';
import { OlmPeer } from '../homeserver/olm-peer.ts';
import { registerUser } from '../homeserver/synapse.ts';
import { BadInputProxy } from './bad-input-proxy.ts';
import { publishedKeys } from './crypto-fixture.ts';
import { startEngine } from './engine-harness.ts';
import { until } from '../support/until.ts';

const homeserver = inject('homeserver');
const cleanup: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

it('marks a message whose sender does not match its megolm session as not trusted', async () => {
  const proxy = await BadInputProxy.start(homeserver.baseUrl);
  cleanup.push(() => proxy.stop());
  const [alice, bob, mallory] = await Promise.all([
    registerUser(homeserver),
    registerUser(homeserver),
    registerUser(homeserver),
  ]);
  const tessera = startEngine();
  cleanup.push(() => tessera.dispose());
  const login = await tessera.invoke('session.login', {
    homeserver: proxy.baseUrl,
    user: alice.localpart,
    password: alice.password,
  });
  if (!login.ok) throw new Error(`sign-in failed: ${login.error.code}`);
  const deviceId = (login.value as SessionView).deviceId;
  const peer = await OlmPeer.start({ baseUrl: homeserver.baseUrl, ...bob });
  cleanup.push(() => peer.close());
  const roomId = await peer.createEncryptedRoom({
    name: 'Who sent this',
    invite: [alice.userId, mallory.userId],
  });
  await new MatrixPeer({ baseUrl: homeserver.baseUrl, ...alice }).join(roomId);
  await new MatrixPeer({ baseUrl: homeserver.baseUrl, ...mallory }).join(roomId);
  await tessera.waitForRooms((rooms) => rooms.some((room) => room.roomId === roomId));
  await until(
    'device keys published',
    async () => (await publishedKeys(homeserver.baseUrl, bob.accessToken, alice.userId, deviceId)).curve25519,
  );

  // Bob's device encrypts; the event reaches Tessera claiming to come from Mallory.
  proxy.rewriteEncryptedSender(bob.userId, mallory.userId);
  const text = `not from mallory ${randomBytes(4).toString('hex')}`;
  const eventId = await peer.sendEncryptedText(roomId, text, [alice.userId, bob.userId, mallory.userId]);

  const stored = await until('event stored and handled', () => {
    const found: TimelineItem | undefined = tessera.engine.session
      ?.timeline(roomId, 50)
      .find((event) => event.eventId === eventId);
    return found && found.decryption !== 'pending' ? found : undefined;
  });
  // crypto-wasm decrypts it but reports the mismatch as a red shield, which is stored with it.
  expect(stored).toMatchObject({
    sender: mallory.userId,
    decryption: 'decrypted',
    shield: { color: 'red', code: 'mismatched_sender' },
  });
  expect(JSON.stringify(tessera.logs)).not.toContain(text);
});
