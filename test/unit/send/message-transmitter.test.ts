// One attempt: the room's decision picks the event type on the wire, and the transaction id in the
// path is the message's own.
import { describe, expect, it } from 'vitest';
import type { RoomId } from '@matrix-org/matrix-sdk-crypto-wasm';
import { MessageTransmitter } from '../../../src-main/engine/send/message-transmitter.ts';
import type { EncryptionDecision } from '../../../src-main/engine/send/room-encryption.ts';
import { keyRecipients } from '../../../src-main/engine/send/room-key-sharing.ts';

function transmitter(decision: EncryptionDecision) {
  const puts: { path: string; body: unknown }[] = [];
  const steps: string[] = [];
  const http = {
    request: async (_method: string, path: string, options: { body?: unknown }) => {
      steps.push('put');
      puts.push({ path, body: options.body });
      return { event_id: '$sent' };
    },
  };
  const sender = new MessageTransmitter({
    http: http as never,
    pins: { decide: async () => decision },
    sharing: {
      prepare: async () => {
        steps.push('prepare');
      },
    },
    machine: {
      encryptRoomEvent: async (_room: RoomId, type: string) => {
        steps.push('encrypt');
        return JSON.stringify({ algorithm: 'm.megolm.v1.aes-sha2', ciphertext: `sealed ${type}` });
      },
    },
    barrier: () => steps.push('barrier'),
  });
  return { sender, puts, steps };
}

const message = {
  txnId: 'txn-1',
  roomId: '!room:x',
  eventType: 'm.room.message',
  content: { msgtype: 'm.text', body: 'secret words' },
};

describe('MessageTransmitter', () => {
  it('shares the key, encrypts, flushes, then PUTs m.room.encrypted in a Megolm room', async () => {
    const { sender, puts, steps } = transmitter({
      kind: 'megolm',
      settings: { algorithm: 'm.megolm.v1.aes-sha2' },
    });
    expect(await sender.transmit(message)).toBe('$sent');
    expect(steps).toEqual(['prepare', 'encrypt', 'barrier', 'put']);
    expect(puts[0]?.path).toBe('/_matrix/client/v3/rooms/!room%3Ax/send/m.room.encrypted/txn-1');
    expect(JSON.stringify(puts)).not.toContain('secret words');
  });

  it('PUTs the plain event into a room that was never encrypted', async () => {
    const { sender, puts, steps } = transmitter({ kind: 'plaintext' });
    await sender.transmit(message);
    expect(steps).toEqual(['put']);
    expect(puts[0]).toEqual({
      path: '/_matrix/client/v3/rooms/!room%3Ax/send/m.room.message/txn-1',
      body: message.content,
    });
  });

  it('sends nothing into a room with an unsupported algorithm', async () => {
    const { sender, puts } = transmitter({ kind: 'unsupported' });
    await expect(sender.transmit(message)).rejects.toMatchObject({ code: 'encryption_unsupported' });
    expect(puts).toEqual([]);
  });
});

describe('keyRecipients', () => {
  const members = [
    { userId: '@joined:x', membership: 'join' },
    { userId: '@invited:x', membership: 'invite' },
    { userId: '@left:x', membership: 'leave' },
    { userId: '@banned:x', membership: 'ban' },
    { userId: '@knocking:x', membership: 'knock' },
  ];

  it('includes joined and invited members, and our own other devices', () => {
    expect(keyRecipients(members, 'shared', '@me:x')).toEqual(['@invited:x', '@joined:x', '@me:x']);
  });

  it('leaves invited members out when history is visible to joined members only', () => {
    expect(keyRecipients(members, 'joined', '@me:x')).toEqual(['@joined:x', '@me:x']);
  });
});
