// Where each kind of OlmMachine outgoing request goes on the homeserver (client-server API).
// The machine hands over the body as a JSON string; the path and query come from its fields.
import { RequestType } from '@matrix-org/matrix-sdk-crypto-wasm';
import type { HttpMethod } from '../http/matrix-http.ts';

/** The parts of an outgoing request the HTTP mapping reads (every request class has `type` and `body`). */
export interface OutgoingRequestLike {
  readonly id?: string | undefined;
  readonly type: RequestType;
  readonly body: string;
  readonly event_type?: string;
  readonly txn_id?: string;
  readonly room_id?: string;
  readonly version?: string;
}

export interface HttpCall {
  method: HttpMethod;
  path: string;
  query?: Record<string, string>;
  body: unknown;
  /** For logs: the endpoint without ids. */
  label: string;
}

/**
 * Every kind is safe to send again after a failure whose outcome we did not see (a timeout, a
 * 5xx, a dropped connection):
 * - keys/upload: the server accepts a key it already holds under the same id with the same
 *   content; it refuses only a different key under a used id, which a resend never is;
 * - keys/query: a read;
 * - keys/claim: a resend may claim a second one-time key of the same device, wasting one;
 * - sendToDevice and rooms/send: the transaction id makes the server drop the duplicate;
 * - keys/signatures/upload and room_keys/keys: the same data again replaces itself.
 */
export const RETRIES_PER_REQUEST = 4;

const CLIENT = '/_matrix/client/v3';
const enc = encodeURIComponent;

function required(value: string | undefined, field: string): string {
  if (value === undefined || value.length === 0) throw new Error(`outgoing request without ${field}`);
  return value;
}

export function httpCallFor(request: OutgoingRequestLike): HttpCall {
  const body = JSON.parse(request.body) as unknown;
  switch (request.type) {
    case RequestType.KeysUpload:
      return { method: 'POST', path: `${CLIENT}/keys/upload`, body, label: 'keys/upload' };
    case RequestType.KeysQuery:
      return { method: 'POST', path: `${CLIENT}/keys/query`, body, label: 'keys/query' };
    case RequestType.KeysClaim:
      return { method: 'POST', path: `${CLIENT}/keys/claim`, body, label: 'keys/claim' };
    case RequestType.ToDevice: {
      const eventType = required(request.event_type, 'event_type');
      const txnId = required(request.txn_id, 'txn_id');
      return {
        method: 'PUT',
        path: `${CLIENT}/sendToDevice/${enc(eventType)}/${enc(txnId)}`,
        body,
        label: `sendToDevice ${eventType}`,
      };
    }
    case RequestType.SignatureUpload:
      return {
        method: 'POST',
        path: `${CLIENT}/keys/signatures/upload`,
        body,
        label: 'keys/signatures/upload',
      };
    case RequestType.RoomMessage: {
      const roomId = required(request.room_id, 'room_id');
      const eventType = required(request.event_type, 'event_type');
      const txnId = required(request.txn_id, 'txn_id');
      return {
        method: 'PUT',
        path: `${CLIENT}/rooms/${enc(roomId)}/send/${enc(eventType)}/${enc(txnId)}`,
        body,
        label: `rooms/send ${eventType}`,
      };
    }
    case RequestType.KeysBackup:
      return {
        method: 'PUT',
        path: `${CLIENT}/room_keys/keys`,
        query: { version: required(request.version, 'version') },
        body,
        label: 'room_keys/keys',
      };
    default:
      throw new Error(`unknown outgoing request type ${String(request.type)}`);
  }
}
