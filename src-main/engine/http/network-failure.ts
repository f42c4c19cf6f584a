// Classifies what `fetch` throws (undici wraps the socket error in `cause`) into the
// contract's error codes, so the UI can tell "cannot reach" from "certificate refused".
import { EngineError } from '../errors.ts';
import { PinMismatchError } from './certificate-pins.ts';

const tlsCodes = new Set([
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'EPROTO',
  'HOSTNAME_MISMATCH',
]);

const unreachableCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
]);

function causeChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
    chain.push(current);
    current = (current as { cause?: unknown }).cause;
  }
  return chain;
}

function causeCodes(error: unknown): string[] {
  const codes: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    const message = (current as { message?: unknown }).message;
    if (typeof message === 'string' && /SSL|TLS|certificate/i.test(message)) codes.push('EPROTO');
    current = (current as { cause?: unknown }).cause;
  }
  return codes;
}

export function isAbortError(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}

/** Turns a thrown fetch failure into a typed EngineError. `host` is shown; nothing else is. */
export function classifyNetworkFailure(error: unknown, host: string): EngineError {
  if (error instanceof Error && error.name === 'TimeoutError') {
    return new EngineError('timeout', `${host} did not answer in time`, { cause: error });
  }
  if (causeChain(error).some((cause) => cause instanceof PinMismatchError)) {
    return new EngineError(
      'tls_failure',
      `The certificate of ${host} does not carry a key your organization's policy pins for it, so Tessera did not connect. Ask your IT department`,
      { cause: error },
    );
  }
  const codes = causeCodes(error);
  if (codes.some((code) => code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'ETIMEDOUT')) {
    return new EngineError('timeout', `${host} did not answer in time`, { cause: error });
  }
  if (codes.some((code) => tlsCodes.has(code) || code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL'))) {
    return new EngineError(
      'tls_failure',
      `The secure connection to ${host} could not be verified (its certificate was refused), so Tessera did not connect`,
      { cause: error },
    );
  }
  if (codes.some((code) => unreachableCodes.has(code))) {
    return new EngineError(
      'unreachable',
      `Tessera cannot reach ${host}. Check the address and your connection`,
      {
        cause: error,
      },
    );
  }
  return new EngineError('unreachable', `Tessera cannot reach ${host}`, { cause: error });
}
