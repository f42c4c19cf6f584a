// Sends one request the OlmMachine produced for the send path (a keys/claim, a to-device room key)
// and hands the response back. Same HTTP mapping as the outgoing request loop; the barrier runs
// first, so nothing the server sees refers to keys a crash could take back.
import type { RequestType } from '@matrix-org/matrix-sdk-crypto-wasm';
import { z } from 'zod';
import { httpCallFor, type OutgoingRequestLike } from '../crypto/outgoing-request-http.ts';
import type { MatrixHttp } from '../http/matrix-http.ts';

export interface RequestMarker {
  markRequestAsSent(requestId: string, requestType: RequestType, response: string): Promise<unknown>;
}

const responseSchema = z.record(z.string(), z.unknown());

export interface CryptoRequestSenderOptions {
  machine: RequestMarker;
  http: Pick<MatrixHttp, 'request'>;
  barrier(): void;
}

export class CryptoRequestSender {
  readonly #options: CryptoRequestSenderOptions;

  constructor(options: CryptoRequestSenderOptions) {
    this.#options = options;
  }

  /** Throws the HTTP failure; the send queue decides whether to try again. */
  async send(request: OutgoingRequestLike, signal?: AbortSignal): Promise<void> {
    const call = httpCallFor(request);
    this.#options.barrier();
    const response = await this.#options.http.request(call.method, call.path, {
      schema: responseSchema,
      body: call.body,
      ...(call.query ? { query: call.query } : {}),
      // to-device and claims are idempotent enough to resend (see outgoing-request-http.ts).
      retries: 2,
      ...(signal ? { signal } : {}),
    });
    if (request.id !== undefined) {
      await this.#options.machine.markRequestAsSent(request.id, request.type, JSON.stringify(response));
    }
  }
}
