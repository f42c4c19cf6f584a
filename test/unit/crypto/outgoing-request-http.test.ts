// Each kind of OlmMachine request goes to its client-server endpoint with the machine's body.
import {
  KeysBackupRequest,
  KeysClaimRequest,
  KeysQueryRequest,
  KeysUploadRequest,
  RoomMessageRequest,
  SignatureUploadRequest,
  ToDeviceRequest,
} from '@matrix-org/matrix-sdk-crypto-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCryptoWasm } from '../../../src-main/engine/crypto/crypto-wasm.ts';
import { httpCallFor } from '../../../src-main/engine/crypto/outgoing-request-http.ts';

beforeAll(() => loadCryptoWasm());

const body = { some: ['json', 1] };
const text = JSON.stringify(body);

describe('outgoing request → HTTP call', () => {
  it.each([
    ['keys upload', () => new KeysUploadRequest('r1', text), 'POST', '/_matrix/client/v3/keys/upload'],
    ['keys query', () => new KeysQueryRequest('r2', text), 'POST', '/_matrix/client/v3/keys/query'],
    ['keys claim', () => new KeysClaimRequest('r3', text), 'POST', '/_matrix/client/v3/keys/claim'],
    [
      'signature upload',
      () => new SignatureUploadRequest('r4', text),
      'POST',
      '/_matrix/client/v3/keys/signatures/upload',
    ],
  ] as const)('%s', (_name, make, method, path) => {
    const call = httpCallFor(make());
    expect(call).toMatchObject({ method, path, body });
    expect(call.query).toBeUndefined();
  });

  it('to-device: PUT with the event type and transaction id in the path, escaped', () => {
    const call = httpCallFor(new ToDeviceRequest('t/1', 'm.room.encrypted', 't/1', text));
    expect(call).toMatchObject({
      method: 'PUT',
      path: '/_matrix/client/v3/sendToDevice/m.room.encrypted/t%2F1',
      body,
    });
  });

  it('room message: PUT into the room with the transaction id', () => {
    const call = httpCallFor(
      new RoomMessageRequest('r5', '!room:x', 'txn5', 'm.key.verification.ready', text),
    );
    expect(call).toMatchObject({
      method: 'PUT',
      path: '/_matrix/client/v3/rooms/!room%3Ax/send/m.key.verification.ready/txn5',
      body,
    });
  });

  it('keys backup: PUT with the backup version as a query parameter', () => {
    const call = httpCallFor(new KeysBackupRequest('r6', text, '7'));
    expect(call).toMatchObject({
      method: 'PUT',
      path: '/_matrix/client/v3/room_keys/keys',
      query: { version: '7' },
      body,
    });
  });

  it('labels calls without ids or bodies, for the log', () => {
    const call = httpCallFor(
      new RoomMessageRequest('r5', '!secret-room:x', 'txn5', 'm.room.encrypted', text),
    );
    expect(call.label).not.toContain('secret-room');
    expect(call.label).not.toContain('json');
  });

  it('refuses an unknown request type', () => {
    expect(() => httpCallFor({ type: 99 as never, body: '{}' })).toThrow(/unknown outgoing request type/);
  });
});
