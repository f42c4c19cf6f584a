// Key sharing runs its steps in order, sends what the machine asks with the barrier before each
// request, and refuses to go on while the recipients' device lists are unknown.
import {
  CollectStrategy,
  DeviceId,
  EncryptionSettings,
  HistoryVisibility,
  OlmMachine,
  RequestType,
  RoomId,
  UserId,
} from '@matrix-org/matrix-sdk-crypto-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCryptoWasm } from '../../../src-main/engine/crypto/crypto-wasm.ts';
import { encryptionSettings, RoomKeySharing } from '../../../src-main/engine/send/room-key-sharing.ts';
import type { MemberRecord } from '../../../src-main/engine/store/member-store.ts';

beforeAll(() => loadCryptoWasm());

function setup(
  options: {
    pendingQuery?: boolean;
    historyVisibility?: string;
    crossSignedOnly?: boolean;
    shareFails?: Error;
  } = {},
) {
  const steps: string[] = [];
  let sharedWith: string[] = [];
  let strategy: CollectStrategy | undefined;
  const machine = {
    updateTrackedUsers: async (users: UserId[]) => {
      steps.push(`track ${users.map((user) => user.toString()).join(',')}`);
    },
    getMissingSessions: async () => {
      steps.push('missing sessions');
      return { id: 'claim-1', type: RequestType.KeysClaim, body: '{"one_time_keys":{}}' } as never;
    },
    shareRoomKey: async (_room: unknown, users: UserId[], settings: EncryptionSettings) => {
      strategy = settings.sharingStrategy;
      if (options.shareFails) throw options.shareFails;
      sharedWith = users.map((user) => user.toString());
      steps.push('share');
      return [
        {
          id: 'td-1',
          type: RequestType.ToDevice,
          body: '{"messages":{}}',
          event_type: 'm.room.encrypted',
          txn_id: 't1',
        },
      ] as never;
    },
    outgoingRequests: async () =>
      options.pendingQuery
        ? [{ id: 'q', type: RequestType.KeysQuery, body: '{"device_keys":{"@bob:x":[]}}' }]
        : [],
    markRequestAsSent: async (id: string) => {
      steps.push(`marked ${id}`);
    },
  };
  const stored: MemberRecord[] = [];
  const http = {
    request: async (method: string, path: string) => {
      steps.push(`${method} ${path.replace('/_matrix/client/v3', '')}`);
      if (path.endsWith('/members')) {
        return {
          chunk: [
            { type: 'm.room.member', state_key: '@bob:x', content: { membership: 'join' } },
            { type: 'm.room.member', state_key: '@carol:x', content: { membership: 'invite' } },
            { type: 'm.room.member', state_key: '@dave:x', content: { membership: 'leave' } },
          ],
        };
      }
      return {};
    },
  };
  const sharing = new RoomKeySharing({
    machine,
    http: http as never,
    db: {
      members: { list: () => stored, upsertMany: (_room, members) => void stored.push(...members) },
      rooms: { get: () => ({}) as never },
      roomState: {
        get: (_room, type) =>
          type === 'm.room.history_visibility' && options.historyVisibility
            ? {
                type,
                stateKey: '',
                eventId: null,
                sender: '@bob:x',
                content: { history_visibility: options.historyVisibility },
              }
            : null,
      },
    },
    userId: '@me:x',
    barrier: () => steps.push('barrier'),
    refreshDeviceLists: async () => {
      steps.push('refresh');
    },
    ...(options.crossSignedOnly !== undefined
      ? { crossSignedOnly: () => options.crossSignedOnly ?? false }
      : {}),
    log: () => {},
  });
  return { sharing, steps, stored, sharedWith: () => sharedWith, strategy: () => strategy };
}

describe('RoomKeySharing', () => {
  it('fetches members, tracks them, queries, claims, then shares, with the barrier before each send', async () => {
    const { sharing, steps, stored, sharedWith } = setup();
    await sharing.prepare('!r:x', { algorithm: 'm.megolm.v1.aes-sha2' });
    expect(steps).toEqual([
      'GET /rooms/!r%3Ax/members',
      'track @bob:x,@carol:x,@me:x',
      'refresh',
      'missing sessions',
      'barrier',
      'POST /keys/claim',
      'marked claim-1',
      'share',
      'barrier',
      'PUT /sendToDevice/m.room.encrypted/t1',
      'marked td-1',
    ]);
    expect(sharedWith()).toEqual(['@bob:x', '@carol:x', '@me:x']);
    expect(stored.map((member) => member.userId)).toEqual(['@bob:x', '@carol:x', '@dave:x']);
  });

  it('leaves invited members out when history is for joined members only', async () => {
    const { sharing, sharedWith } = setup({ historyVisibility: 'joined' });
    await sharing.prepare('!r:x', { algorithm: 'm.megolm.v1.aes-sha2' });
    expect(sharedWith()).toEqual(['@bob:x', '@me:x']);
  });

  it('asks the server for the member list once, then uses the stored one', async () => {
    const { sharing, steps } = setup();
    await sharing.prepare('!r:x', { algorithm: 'm.megolm.v1.aes-sha2' });
    await sharing.prepare('!r:x', { algorithm: 'm.megolm.v1.aes-sha2' });
    expect(steps.filter((step) => step.endsWith('/members'))).toHaveLength(1);
  });

  it('shares nothing while a recipient’s device list is still unknown', async () => {
    const { sharing, steps } = setup({ pendingQuery: true });
    await expect(sharing.prepare('!r:x', { algorithm: 'm.megolm.v1.aes-sha2' })).rejects.toMatchObject({
      code: 'unreachable',
    });
    expect(steps).not.toContain('share');
  });

  it('runs one preparation per room at a time', async () => {
    const { sharing, steps } = setup();
    await Promise.all([
      sharing.prepare('!r:x', { algorithm: 'm.megolm.v1.aes-sha2' }),
      sharing.prepare('!r:x', { algorithm: 'm.megolm.v1.aes-sha2' }),
    ]);
    const shares = steps.map((step, index) => (step === 'share' ? index : -1)).filter((index) => index >= 0);
    const secondTrack = steps.lastIndexOf('track @bob:x,@carol:x,@me:x');
    expect(shares).toHaveLength(2);
    expect(secondTrack).toBeGreaterThan(shares[0] ?? Infinity);
  });
});

describe('MSC4153: sharing only with cross-signed devices', () => {
  it('uses the identity-based strategy when the setting is on, and every device otherwise', async () => {
    const on = setup({ crossSignedOnly: true });
    await on.sharing.prepare('!r:x', { algorithm: 'm.megolm.v1.aes-sha2' });
    expect(on.strategy()?.eq(CollectStrategy.identityBasedStrategy())).toBe(true);

    for (const off of [setup({ crossSignedOnly: false }), setup()]) {
      await off.sharing.prepare('!r:x', { algorithm: 'm.megolm.v1.aes-sha2' });
      expect(off.strategy()?.eq(CollectStrategy.identityBasedStrategy())).toBe(false);
      expect(off.strategy()?.eq(CollectStrategy.allDevices())).toBe(true);
    }
  });

  it('fails closed with a clear error when this device is not cross-signed (the real machine’s refusal)', async () => {
    // What crypto-wasm says when the identity-based strategy meets a device without cross-signing.
    const machine = await OlmMachine.initialize(new UserId('@me:x'), new DeviceId('DEVICE'));
    const refusal = await machine
      .shareRoomKey(
        new RoomId('!r:x'),
        [new UserId('@me:x')],
        encryptionSettings({ algorithm: 'm.megolm.v1.aes-sha2' }, HistoryVisibility.Shared, {
          crossSignedOnly: true,
        }),
      )
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    machine.close();
    expect(refusal).toBeInstanceOf(Error);

    const { sharing, steps } = setup({ crossSignedOnly: true, shareFails: refusal as Error });
    await expect(sharing.prepare('!r:x', { algorithm: 'm.megolm.v1.aes-sha2' })).rejects.toMatchObject({
      code: 'encryption_failed',
      message: expect.stringContaining('not cross-signed'),
    });
    expect(steps.some((step) => step.startsWith('PUT /sendToDevice'))).toBe(false);
  });

  it('passes other sharing failures on unchanged', async () => {
    const failure = new Error('store closed');
    const { sharing } = setup({ crossSignedOnly: true, shareFails: failure });
    await expect(sharing.prepare('!r:x', { algorithm: 'm.megolm.v1.aes-sha2' })).rejects.toBe(failure);
  });
});
