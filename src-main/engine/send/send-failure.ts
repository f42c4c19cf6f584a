// Whether a failed send is worth another try. Network trouble, timeouts, 5xx, 429 and a refused
// token (the session may come back) are retried; any other 4xx, and anything Tessera cannot make
// sense of, fails the message with a code the person can read.
import type { ErrorCode } from '../../../src-preload/contract.ts';
import { EngineError } from '../errors.ts';
import { MatrixApiError } from '../http/matrix-api-error.ts';

export type SendFailure = { kind: 'retry'; code: ErrorCode } | { kind: 'permanent'; error: EngineError };

const retriedCodes: ReadonlySet<ErrorCode> = new Set([
  'unreachable',
  'timeout',
  'rate_limited',
  'tls_failure',
]);

export function classifySendFailure(error: unknown): SendFailure {
  if (error instanceof MatrixApiError) {
    if (error.status === 429) return { kind: 'retry', code: 'rate_limited' };
    if (error.status >= 500) return { kind: 'retry', code: 'server_error' };
    if (error.status === 401) return { kind: 'retry', code: 'not_signed_in' };
    return {
      kind: 'permanent',
      error: new EngineError('message_refused', `The server refused this message (${error.errcode})`),
    };
  }
  if (error instanceof EngineError) {
    if (retriedCodes.has(error.code)) return { kind: 'retry', code: error.code };
    return { kind: 'permanent', error };
  }
  return {
    kind: 'permanent',
    error: new EngineError('encryption_failed', 'Tessera could not encrypt this message'),
  };
}
