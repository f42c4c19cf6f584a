import { describe, expect, it } from 'vitest';
import { EngineError } from '../../../src-main/engine/errors.ts';
import { MatrixApiError } from '../../../src-main/engine/http/matrix-api-error.ts';
import { classifySendFailure } from '../../../src-main/engine/send/send-failure.ts';

describe('classifySendFailure', () => {
  it.each([
    ['a network failure', new EngineError('unreachable', 'x'), 'unreachable'],
    ['a timeout', new EngineError('timeout', 'x'), 'timeout'],
    ['a long rate limit', new EngineError('rate_limited', 'x'), 'rate_limited'],
    ['a 500', new MatrixApiError(500, 'M_UNKNOWN', ''), 'server_error'],
    ['a 503', new MatrixApiError(503, 'M_UNKNOWN', ''), 'server_error'],
    ['a 429', new MatrixApiError(429, 'M_LIMIT_EXCEEDED', ''), 'rate_limited'],
    ['a refused token', new MatrixApiError(401, 'M_UNKNOWN_TOKEN', ''), 'not_signed_in'],
  ])('retries %s', (_label, error, code) => {
    expect(classifySendFailure(error)).toEqual({ kind: 'retry', code });
  });

  it.each([
    ['a 400', new MatrixApiError(400, 'M_BAD_JSON', ''), 'message_refused'],
    ['a 403', new MatrixApiError(403, 'M_FORBIDDEN', ''), 'message_refused'],
    ['a 413', new MatrixApiError(413, 'M_TOO_LARGE', ''), 'message_refused'],
    ['an unsupported encryption', new EngineError('encryption_unsupported', 'x'), 'encryption_unsupported'],
    ['a response Tessera cannot read', new EngineError('invalid_response', 'x'), 'invalid_response'],
    ['an error from the crypto library', new Error('wasm trouble'), 'encryption_failed'],
  ])('fails %s for good', (_label, error, code) => {
    const failure = classifySendFailure(error);
    expect(failure.kind).toBe('permanent');
    if (failure.kind === 'permanent') expect(failure.error.code).toBe(code);
  });
});
