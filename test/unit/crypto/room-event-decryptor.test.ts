// Decryption results and failure reasons, with real OlmMachines in memory (no homeserver): a
// sender machine encrypts, and a receiver gets the room key by import or not at all.
import {
  EncryptionSettings,
  MegolmDecryptionError,
  OlmMachine,
  RoomId,
  UserId,
  DeviceId,
} from '@matrix-org/matrix-sdk-crypto-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCryptoWasm } from '../../../src-main/engine/crypto/crypto-wasm.ts';
import { RoomEventDecryptor } from '../../../src-main/engine/crypto/room-event-decryptor.ts';

const ROOM = '!room:x';
const SECRET = 'the meeting moves to Thursday';
let encrypted: Record<string, unknown>;
let withKey: OlmMachine;
let withoutKey: OlmMachine;

beforeAll(async () => {
  await loadCryptoWasm();
  const sender = await OlmMachine.initialize(new UserId('@bob:x'), new DeviceId('BOBDEVICE'));
  await sender.shareRoomKey(new RoomId(ROOM), [], new EncryptionSettings());
  const content = await sender.encryptRoomEvent(
    new RoomId(ROOM),
    'm.room.message',
    JSON.stringify({ msgtype: 'm.text', body: SECRET }),
  );
  encrypted = {
    type: 'm.room.encrypted',
    event_id: '$e1',
    sender: '@bob:x',
    origin_server_ts: 1,
    room_id: ROOM,
    content: JSON.parse(content) as unknown,
  };
  withKey = await OlmMachine.initialize(new UserId('@alice:x'), new DeviceId('ALICEDEVICE'));
  await withKey.importExportedRoomKeys(await sender.exportRoomKeys(() => true), () => {});
  withoutKey = await OlmMachine.initialize(new UserId('@alice:x'), new DeviceId('OTHERDEVICE'));
  sender.close();
});

describe('RoomEventDecryptor', () => {
  it('decrypts an event whose room key it holds, with the sender key and a shield', async () => {
    const result = await new RoomEventDecryptor(withKey).decrypt(ROOM, encrypted);
    expect(result).toMatchObject({
      ok: true,
      clearEvent: { type: 'm.room.message', content: { msgtype: 'm.text', body: SECRET } },
      senderCurve25519: expect.stringMatching(/^[A-Za-z0-9+/]{43}$/),
      shield: { color: expect.stringMatching(/^(red|grey|none)$/) },
    });
    // An imported key cannot prove who made it.
    if (result.ok)
      expect(result.shield).toMatchObject({ color: 'grey', code: 'authenticity_not_guaranteed' });
  });

  it('accepts the event as JSON text too', async () => {
    const result = await new RoomEventDecryptor(withKey).decrypt(ROOM, JSON.stringify(encrypted));
    expect(result.ok).toBe(true);
  });

  it('reports a missing room key', async () => {
    const result = await new RoomEventDecryptor(withoutKey).decrypt(ROOM, encrypted);
    expect(result).toEqual({ ok: false, reason: 'missing_room_key', message: expect.any(String) });
    expect(JSON.stringify(result)).not.toContain(SECRET);
  });

  it('never vouches for a sender it cannot link to the room key', async () => {
    // With an imported key the owner's device is unknown, so the mismatch cannot be proven
    // (the homeserver test covers a known device); the shield still warns.
    const result = await new RoomEventDecryptor(withKey).decrypt(ROOM, {
      ...encrypted,
      sender: '@mallory:x',
    });
    expect(result.ok && result.shield.color).not.toBe('none');
  });

  it.each([
    ['not an object', 'junk'],
    ['not encrypted', { ...encrypted, type: 'm.room.message' }],
    ['no event id', { ...encrypted, event_id: undefined }],
    ['content without algorithm', { ...encrypted, content: {} }],
    [
      'ciphertext that is not megolm',
      { ...encrypted, content: { algorithm: 'm.megolm.v1.aes-sha2', ciphertext: 7 } },
    ],
  ])('calls an event malformed: %s', async (_name, event) => {
    const result = await new RoomEventDecryptor(withKey).decrypt(ROOM, event);
    expect(result).toMatchObject({ ok: false, reason: expect.stringMatching(/^(malformed|unknown)$/) });
  });

  it('calls a room id that is not one malformed', async () => {
    expect(await new RoomEventDecryptor(withKey).decrypt('not a room', encrypted)).toMatchObject({
      ok: false,
      reason: 'malformed',
    });
  });

  it('maps the crypto layer’s generic failure to unknown', async () => {
    const machine = {
      decryptRoomEvent: async () => {
        throw MegolmDecryptionError.unable_to_decrypt('internal detail');
      },
    };
    const result = await new RoomEventDecryptor(machine).decrypt(ROOM, encrypted);
    expect(result).toEqual({ ok: false, reason: 'unknown', message: expect.any(String) });
    expect(JSON.stringify(result)).not.toContain('internal detail');
  });
});
