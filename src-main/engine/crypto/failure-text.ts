// A failure described for the log: the kind and the status, never a server's message or a body
// (a keys/upload refusal quotes the keys; a to-device body carries ciphertext).
import { EngineError } from '../errors.ts';
import { MatrixApiError } from '../http/matrix-api-error.ts';

export function describeFailure(error: unknown): string {
  if (error instanceof MatrixApiError) return `${error.status} ${error.errcode}`;
  if (error instanceof EngineError) return error.code;
  if (error instanceof Error) return error.name;
  return typeof error;
}
