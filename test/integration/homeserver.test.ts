// The test homeserver itself: reachable, speaks Simplified Sliding Sync, and lets two
// registered users see each other's rooms and invites.
import { describe, expect, inject, it } from 'vitest';
import { MatrixPeer } from '../homeserver/matrix-peer.ts';
import { registerUser } from '../homeserver/synapse.ts';

const homeserver = inject('homeserver');

describe('test homeserver', () => {
  it('answers /versions and advertises Simplified Sliding Sync', async () => {
    const response = await fetch(`${homeserver.baseUrl}/_matrix/client/versions`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      versions: string[];
      unstable_features?: Record<string, boolean>;
    };
    expect(body.versions.length).toBeGreaterThan(0);
    expect(body.unstable_features?.['org.matrix.simplified_msc3575']).toBe(true);
  });

  it('lets one user create a room and invite another', async () => {
    const [alice, bob] = await Promise.all([registerUser(homeserver), registerUser(homeserver)]);
    expect(alice.userId).toMatch(new RegExp(`^@u-[0-9a-f]+:${homeserver.serverName}$`));
    expect(bob.userId).not.toBe(alice.userId);

    const peer = await MatrixPeer.login(homeserver.baseUrl, alice.localpart, alice.password);
    const roomId = await peer.createRoom({
      name: 'Fixture room',
      invite: [bob.userId],
      preset: 'private_chat',
    });
    expect(await peer.getJoinedRooms()).toContain(roomId);

    const invitee = new MatrixPeer({ baseUrl: homeserver.baseUrl, ...bob });
    expect(await invitee.getInvitedRooms()).toContain(roomId);
    expect(await invitee.join(roomId)).toBe(roomId);
    expect(await invitee.getJoinedRooms()).toContain(roomId);
  });
});
