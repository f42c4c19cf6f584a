// An error response from a homeserver: HTTP status plus the spec's errcode.
export class MatrixApiError extends Error {
  readonly status: number;
  readonly errcode: string;
  /** From `retry_after_ms` or the Retry-After header, for 429 responses. */
  readonly retryAfterMs: number | undefined;
  /** True when the server marked a 401 as a soft logout. */
  readonly softLogout: boolean;

  constructor(
    status: number,
    errcode: string,
    serverMessage: string,
    retryAfterMs?: number,
    softLogout = false,
  ) {
    // The server's own message is kept for diagnostics but never shown as-is to the user.
    super(`${status} ${errcode}: ${serverMessage.slice(0, 200)}`);
    this.name = 'MatrixApiError';
    this.status = status;
    this.errcode = errcode;
    this.retryAfterMs = retryAfterMs;
    this.softLogout = softLogout;
  }
}
