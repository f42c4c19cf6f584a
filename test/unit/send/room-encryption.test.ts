// Encryption pinning: once a room has been seen encrypted, nothing the server says later makes
// Tessera send plaintext into it.
import { DeviceId, OlmMachine, RoomId, UserId } from '@matrix-org/matrix-sdk-crypto-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCryptoWasm } from '../../../src-main/engine/crypto/crypto-wasm.ts';
import { MatrixApiError } from '../../../src-main/engine/http/matrix-api-error.ts';
import {
  decideEncryption,
  MEGOLM_ALGORITHM,
  parseRoomEncryption,
} from '../../../src-main/engine/send/room-encryption.ts';
import { RoomEncryptionPins } from '../../../src-main/engine/send/room-encryption-pins.ts';
import type { StateEventRecord } from '../../../src-main/engine/store/room-state-store.ts';

const megolm = { algorithm: MEGOLM_ALGORITHM };

describe('parseRoomEncryption', () => {
  it('reads the algorithm and the rotation periods', () => {
    expect(
      parseRoomEncryption({
        algorithm: MEGOLM_ALGORITHM,
        rotation_period_ms: 3_600_000,
        rotation_period_msgs: 5,
      }),
    ).toEqual({ algorithm: MEGOLM_ALGORITHM, rotationPeriodMs: 3_600_000, rotationPeriodMessages: 5 });
  });

  it('ignores rotation values of the wrong shape', () => {
    expect(
      parseRoomEncryption({ algorithm: MEGOLM_ALGORITHM, rotation_period_ms: '1', rotation_period_msgs: -2 }),
    ).toEqual(megolm);
  });

  it.each([[null], [{}], [{ algorithm: '' }], [{ algorithm: 7 }]])(
    'is null without an algorithm: %j',
    (content) => {
      expect(parseRoomEncryption(content)).toBeNull();
    },
  );
});

describe('decideEncryption', () => {
  it('sends plaintext only into a room never seen encrypted', () => {
    expect(decideEncryption({ state: null, pinned: null, seenEncrypted: false })).toEqual({
      kind: 'plaintext',
    });
  });

  it('uses the state when it says Megolm', () => {
    const state = { ...megolm, rotationPeriodMessages: 10 };
    expect(decideEncryption({ state, pinned: null, seenEncrypted: true })).toEqual({
      kind: 'megolm',
      settings: state,
    });
  });

  it('keeps Megolm with the pinned settings when the state event is gone', () => {
    const pinned = { ...megolm, rotationPeriodMessages: 10 };
    expect(decideEncryption({ state: null, pinned, seenEncrypted: false })).toEqual({
      kind: 'megolm',
      settings: pinned,
    });
  });

  it('keeps Megolm with default settings when only the sticky flag is left', () => {
    expect(decideEncryption({ state: null, pinned: null, seenEncrypted: true })).toEqual({
      kind: 'megolm',
      settings: megolm,
    });
  });

  it('refuses to send into a room with an algorithm it does not speak', () => {
    expect(decideEncryption({ state: { algorithm: 'm.other' }, pinned: null, seenEncrypted: true })).toEqual({
      kind: 'unsupported',
    });
  });

  it('keeps the pinned Megolm when the state switches to an unknown algorithm', () => {
    expect(
      decideEncryption({ state: { algorithm: 'm.other' }, pinned: megolm, seenEncrypted: true }),
    ).toEqual({
      kind: 'megolm',
      settings: megolm,
    });
  });
});

describe('RoomEncryptionPins on a real OlmMachine', () => {
  beforeAll(() => loadCryptoWasm());

  function setup() {
    const state = new Map<string, StateEventRecord>();
    const encrypted = new Set<string>();
    const db = {
      roomState: { get: (roomId: string, type: string) => state.get(`${roomId}|${type}`) ?? null },
      rooms: { get: (roomId: string) => (encrypted.has(roomId) ? { isEncrypted: true } : null) },
    };
    const putEncryption = (roomId: string, content: Record<string, unknown>) =>
      state.set(`${roomId}|m.room.encryption`, {
        type: 'm.room.encryption',
        stateKey: '',
        eventId: null,
        sender: '@a:x',
        content,
      });
    return { state, encrypted, db, putEncryption };
  }

  it('pins the room, and a room that loses its state event stays Megolm', async () => {
    const machine = await OlmMachine.initialize(new UserId('@me:x'), new DeviceId('DEV'));
    const { state, db, putEncryption } = setup();
    const pins = new RoomEncryptionPins({ machine, db: db as never, log: () => {} });
    putEncryption('!r:x', { algorithm: MEGOLM_ALGORITHM, rotation_period_msgs: 10 });
    expect(await pins.decide('!r:x')).toEqual({
      kind: 'megolm',
      settings: { ...megolm, rotationPeriodMessages: 10 },
    });
    const settings = await machine.getRoomSettings(new RoomId('!r:x'));
    expect(settings?.sessionRotationPeriodMessages).toBe(10);

    // The server "forgets" the room is encrypted: neither the state row nor the sticky flag is left.
    state.clear();
    expect(await pins.decide('!r:x')).toEqual({
      kind: 'megolm',
      settings: { ...megolm, rotationPeriodMessages: 10 },
    });
    machine.close();
  });

  it('keeps the pinned settings when the state asks for a weaker rotation', async () => {
    const machine = await OlmMachine.initialize(new UserId('@me:x'), new DeviceId('DEV'));
    const { db, putEncryption } = setup();
    const logs: string[] = [];
    const pins = new RoomEncryptionPins({ machine, db: db as never, log: (_l, m) => logs.push(m) });
    putEncryption('!r:x', { algorithm: MEGOLM_ALGORITHM, rotation_period_msgs: 10 });
    await pins.decide('!r:x');
    putEncryption('!r:x', { algorithm: MEGOLM_ALGORITHM, rotation_period_msgs: 1000 });
    const decision = await pins.decide('!r:x');
    expect(decision).toEqual({ kind: 'megolm', settings: { ...megolm, rotationPeriodMessages: 10 } });
    expect(logs).toHaveLength(1);
    machine.close();
  });

  it('sends plaintext into a room it never saw encrypted', async () => {
    const machine = await OlmMachine.initialize(new UserId('@me:x'), new DeviceId('DEV'));
    const { db, encrypted } = setup();
    const pins = new RoomEncryptionPins({ machine, db: db as never, log: () => {} });
    expect(await pins.decide('!plain:x')).toEqual({ kind: 'plaintext' });
    encrypted.add('!sticky:x');
    expect(await pins.decide('!sticky:x')).toEqual({ kind: 'megolm', settings: megolm });
    machine.close();
  });

  it('asks the server before the first plaintext message into a room, once', async () => {
    const machine = await OlmMachine.initialize(new UserId('@me:x'), new DeviceId('DEV'));
    const { db } = setup();
    const asked: string[] = [];
    const serverSays: Record<string, Record<string, unknown> | null> = {
      '!plain:x': null,
      '!joined-just-now:x': { algorithm: MEGOLM_ALGORITHM },
    };
    const http = {
      request: async (_method: string, path: string) => {
        const roomId = decodeURIComponent(path.split('/')[5] ?? '');
        asked.push(roomId);
        const content = serverSays[roomId];
        if (!content) throw new MatrixApiError(404, 'M_NOT_FOUND', '');
        return content;
      },
    };
    const pins = new RoomEncryptionPins({ machine, db: db as never, http: http as never, log: () => {} });
    expect(await pins.decide('!plain:x')).toEqual({ kind: 'plaintext' });
    expect(await pins.decide('!plain:x')).toEqual({ kind: 'plaintext' });
    expect(await pins.decide('!joined-just-now:x')).toEqual({ kind: 'megolm', settings: megolm });
    expect(asked).toEqual(['!plain:x', '!joined-just-now:x']);
    // Pinned: the next decision needs no server.
    expect(await pins.decide('!joined-just-now:x')).toEqual({ kind: 'megolm', settings: megolm });
    expect(asked).toHaveLength(2);
    machine.close();
  });
});
