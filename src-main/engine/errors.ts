// Typed engine errors. Every failure that reaches the UI carries a code from the contract and a
// plain-language message that never contains a token, a password or message content.
import type { ErrorCode, ErrorView } from '../../src-preload/contract.ts';

export class EngineError extends Error {
  readonly code: ErrorCode;
  readonly field: string | undefined;

  constructor(code: ErrorCode, message: string, options?: { field?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'EngineError';
    this.code = code;
    this.field = options?.field;
  }

  toView(): ErrorView {
    return { code: this.code, message: this.message, ...(this.field ? { field: this.field } : {}) };
  }
}

export function toErrorView(error: unknown): ErrorView {
  if (error instanceof EngineError) return error.toView();
  // Anything else is a bug; its message may carry data we must not show, so it is not passed on.
  return { code: 'internal', message: 'Something went wrong inside Tessera' };
}
