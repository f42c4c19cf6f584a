// The sync feed: the right OlmMachine call per sync API, members of encrypted rooms tracked,
// then a kick of the request loop, then the barrier.
import { initAsync, type DeviceLists, type UserId } from '@matrix-org/matrix-sdk-crypto-wasm';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { CryptoSyncFeed, type CryptoSyncMachine } from '../../../src-main/engine/crypto/crypto-sync-feed.ts';
import type { RoomUpdate, SyncBatch } from '../../../src-main/engine/sync/sync-batch.ts';

beforeAll(() => initAsync());

interface Received {
  api: 'v3' | 'sliding';
  toDevice: unknown[];
  changed: string[];
  left: string[];
  counts: Record<string, number>;
  fallback: string[] | undefined;
}

function fakeMachine() {
  const received: Received[] = [];
  const tracked: string[][] = [];
  const order: string[] = [];
  const record =
    (api: 'v3' | 'sliding') =>
    async (toDevice: string, lists: DeviceLists, counts: Map<string, number>, fallback?: Set<string>) => {
      order.push(`receive ${api}`);
      received.push({
        api,
        toDevice: JSON.parse(toDevice) as unknown[],
        changed: lists.changed.map((user) => user.toString()),
        left: lists.left.map((user) => user.toString()),
        counts: Object.fromEntries(counts),
        fallback: fallback ? [...fallback] : undefined,
      });
      return [];
    };
  const machine = {
    receiveSyncChanges: vi.fn(record('v3')),
    receiveSyncChangesMsc4186: vi.fn(record('sliding')),
    updateTrackedUsers: vi.fn(async (users: UserId[]) => {
      order.push('track');
      tracked.push(users.map((user) => user.toString()));
    }),
  } as unknown as CryptoSyncMachine;
  return { machine, received, tracked, order };
}

function feedWith(fake: ReturnType<typeof fakeMachine>) {
  return new CryptoSyncFeed({
    machine: fake.machine,
    userId: '@me:x',
    kick: () => void fake.order.push('kick'),
    barrier: () => void fake.order.push('barrier'),
    log: () => {},
  });
}

const e2ee = {
  toDevice: [{ type: 'm.room_key_request', sender: '@bob:x', content: {} }],
  changedDevices: ['@bob:x', 'not a user id'],
  leftDevices: ['@carol:x'],
  oneTimeKeyCounts: { signed_curve25519: 4 },
  unusedFallbackKeys: ['signed_curve25519'],
};

const room = (roomId: string, state: RoomUpdate['state']): RoomUpdate => ({
  roomId,
  replaceState: false,
  state,
});
const member = (userId: string, membership: string) => ({
  type: 'm.room.member',
  stateKey: userId,
  sender: userId,
  content: { membership },
});
const encryption = {
  type: 'm.room.encryption',
  stateKey: '',
  sender: '@me:x',
  content: { algorithm: 'm.megolm.v1.aes-sha2' },
};

describe('CryptoSyncFeed', () => {
  it.each(['v3', 'sliding'] as const)(
    'hands a %s batch to the matching OlmMachine call, then kicks, then flushes',
    async (api) => {
      const fake = fakeMachine();
      const batch: SyncBatch = { rooms: [], skippedEvents: 0, e2ee };
      await feedWith(fake).receive(batch, api);
      expect(fake.received).toEqual([
        {
          api,
          toDevice: e2ee.toDevice,
          changed: ['@bob:x'],
          left: ['@carol:x'],
          counts: { signed_curve25519: 4 },
          fallback: ['signed_curve25519'],
        },
      ]);
      expect(fake.order).toEqual([`receive ${api}`, 'track', 'kick', 'barrier']);
    },
  );

  it('tracks our own user once, and joined members of encrypted rooms', async () => {
    const fake = fakeMachine();
    const feed = feedWith(fake);
    await feed.receive(
      {
        rooms: [
          room('!enc:x', [
            encryption,
            member('@me:x', 'join'),
            member('@bob:x', 'join'),
            member('@dan:x', 'invite'),
          ]),
          room('!plain:x', [member('@eve:x', 'join')]),
        ],
        skippedEvents: 0,
      },
      'sliding',
    );
    // A later batch brings a new member of the room known to be encrypted.
    await feed.receive(
      { rooms: [room('!enc:x', [member('@bob:x', 'join'), member('@frank:x', 'join')])], skippedEvents: 0 },
      'sliding',
    );
    expect(fake.tracked).toEqual([['@me:x', '@bob:x'], ['@frank:x']]);
    expect(fake.received).toEqual([]); // no e2ee part: nothing to hand to the machine
  });

  it('does not flush when the machine refused the batch (the position must not be saved)', async () => {
    const fake = fakeMachine();
    (fake.machine.receiveSyncChanges as ReturnType<typeof vi.fn>).mockRejectedValueOnce(new Error('refused'));
    const feed = feedWith(fake);
    await expect(feed.receive({ rooms: [], skippedEvents: 0, e2ee }, 'v3')).rejects.toThrow('refused');
    expect(fake.order).not.toContain('barrier');
    // The feed goes on with the next batch.
    await feed.receive({ rooms: [], skippedEvents: 0, e2ee }, 'v3');
    expect(fake.order.at(-1)).toBe('barrier');
  });
});
