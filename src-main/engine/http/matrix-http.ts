// The engine's only door to a homeserver: fetch with a timeout per request, retries with
// backoff for idempotent requests, 429 handling with `retry_after_ms` / Retry-After, and every
// response body validated before the engine sees it.
import type { z } from 'zod';
import { EngineError } from '../errors.ts';
import { MatrixApiError } from './matrix-api-error.ts';
import { classifyNetworkFailure, isAbortError } from './network-failure.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface RequestOptions<S extends z.ZodType> {
  schema: S;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  /** Send the access token (default true when one is set). */
  authenticated?: boolean;
  timeoutMs?: number;
  /** How many times to retry a failed idempotent request (network error or 5xx). */
  retries?: number;
  signal?: AbortSignal;
}

export interface MatrixHttpOptions {
  baseUrl: URL;
  accessToken?: string;
  fetch?: typeof fetch;
  defaultTimeoutMs?: number;
  /** Longest 429 wait that is honoured silently; longer ones surface as rate_limited. */
  maxRateLimitWaitMs?: number;
  /** Base of the exponential backoff between retries. */
  backoffBaseMs?: number;
}

/**
 * Keeps an expiring access token fresh (refresh tokens; access-token-refresh.ts). MatrixHttp asks
 * it before each authenticated request, and once when the server refuses the token.
 */
export interface AccessTokenRenewal {
  /** Refreshes first when the token is about to expire; never throws (the request then decides). */
  beforeRequest(): Promise<void>;
  /**
   * The server refused `staleToken` (401 M_UNKNOWN_TOKEN). Resolves once a newer token is set, or
   * rejects with the refusal (or a network failure) when there is none to be had.
   */
  renew(staleToken: string, refusal: MatrixApiError): Promise<void>;
}

const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Parses Retry-After (seconds or an HTTP date) into milliseconds. */
export function parseRetryAfter(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export class MatrixHttp {
  readonly baseUrl: URL;
  #accessToken: string | undefined;
  readonly #fetch: typeof fetch;
  readonly #defaultTimeoutMs: number;
  readonly #maxRateLimitWaitMs: number;
  readonly #backoffBaseMs: number;
  #renewal: AccessTokenRenewal | undefined;

  constructor(options: MatrixHttpOptions) {
    this.baseUrl = options.baseUrl;
    this.#accessToken = options.accessToken;
    this.#fetch = options.fetch ?? fetch;
    this.#defaultTimeoutMs = options.defaultTimeoutMs ?? 30_000;
    this.#maxRateLimitWaitMs = options.maxRateLimitWaitMs ?? 30_000;
    this.#backoffBaseMs = options.backoffBaseMs ?? 500;
  }

  /** The fetch this client uses (media downloads share it, and with it the certificate pins). */
  get fetch(): typeof fetch {
    return this.#fetch;
  }

  get host(): string {
    return this.baseUrl.host;
  }

  setAccessToken(token: string | undefined): void {
    this.#accessToken = token;
  }

  /** Renews the access token when it expires; undefined for a token that does not expire. */
  setTokenRenewal(renewal: AccessTokenRenewal | undefined): void {
    this.#renewal = renewal;
  }

  get hasAccessToken(): boolean {
    return this.#accessToken !== undefined;
  }

  url(path: string, query?: RequestOptions<z.ZodType>['query']): URL {
    const url = new URL(
      path.replace(/^\//, ''),
      this.baseUrl.href.endsWith('/') ? this.baseUrl : `${this.baseUrl.href}/`,
    );
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    return url;
  }

  async request<S extends z.ZodType>(
    method: HttpMethod,
    path: string,
    options: RequestOptions<S>,
  ): Promise<z.output<S>> {
    const retries = options.retries ?? (method === 'GET' ? 2 : 0);
    const authenticated = options.authenticated ?? true;
    let renewed = false;
    for (let attempt = 0; ; attempt++) {
      const renewal = authenticated ? this.#renewal : undefined;
      if (renewal) await renewal.beforeRequest();
      const token = authenticated ? this.#accessToken : undefined;
      try {
        return await this.#attempt(method, path, options, token);
      } catch (error) {
        if (options.signal?.aborted) throw error;
        // An expired access token: refresh it once (all requests share one refresh), then replay.
        if (
          renewal &&
          token !== undefined &&
          !renewed &&
          error instanceof MatrixApiError &&
          error.status === 401 &&
          error.errcode === 'M_UNKNOWN_TOKEN'
        ) {
          renewed = true;
          await renewal.renew(token, error);
          attempt--;
          continue;
        }
        if (error instanceof MatrixApiError && error.status === 429) {
          const wait = error.retryAfterMs ?? this.#backoff(attempt);
          if (wait > this.#maxRateLimitWaitMs || attempt >= 5) {
            throw new EngineError(
              'rate_limited',
              `${this.host} asks Tessera to slow down; try again shortly`,
              {
                cause: error,
              },
            );
          }
          await sleep(wait, options.signal);
          continue;
        }
        const retryable =
          (error instanceof MatrixApiError && error.status >= 500) ||
          (error instanceof EngineError && (error.code === 'unreachable' || error.code === 'timeout'));
        if (!retryable || attempt >= retries) throw error;
        await sleep(this.#backoff(attempt), options.signal);
      }
    }
  }

  #backoff(attempt: number): number {
    const jitter = 0.5 + Math.random() / 2;
    return Math.min(30_000, this.#backoffBaseMs * 2 ** attempt * jitter);
  }

  async #attempt<S extends z.ZodType>(
    method: HttpMethod,
    path: string,
    options: RequestOptions<S>,
    token: string | undefined,
  ): Promise<z.output<S>> {
    const url = this.url(path, options.query);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    let body: string | undefined;
    if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.body);
    }
    const timeout = AbortSignal.timeout(options.timeoutMs ?? this.#defaultTimeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;

    let response: Response;
    let text: string;
    try {
      response = await this.#fetch(url, { method, headers, body, signal, redirect: 'error' });
      text = await readLimited(response, MAX_RESPONSE_BYTES);
    } catch (error) {
      if (isAbortError(error) && options.signal?.aborted) throw error;
      if (error instanceof EngineError) throw error;
      throw classifyNetworkFailure(timeout.aborted ? timeout.reason : error, this.host);
    }

    const json = parseJson(text);
    if (!response.ok) {
      const errcode =
        readString(json, 'errcode') ?? (response.status === 404 ? 'M_UNRECOGNIZED' : 'M_UNKNOWN');
      const retryAfterMs =
        readNumber(json, 'retry_after_ms') ?? parseRetryAfter(response.headers.get('retry-after'));
      const softLogout = isRecord(json) && json.soft_logout === true;
      throw new MatrixApiError(
        response.status,
        errcode,
        readString(json, 'error') ?? '',
        retryAfterMs,
        softLogout,
      );
    }
    if (json === undefined) {
      throw new EngineError('invalid_response', `${this.host} sent a response that is not JSON`);
    }
    const parsed = options.schema.safeParse(json);
    if (!parsed.success) {
      const where = parsed.error.issues[0]?.path.join('.') ?? '';
      throw new EngineError(
        'invalid_response',
        `${this.host} sent a response Tessera does not understand${where ? ` (${where})` : ''}`,
      );
    }
    return parsed.data;
  }
}

async function readLimited(response: Response, limit: number): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > limit) {
    await response.body?.cancel();
    throw new EngineError('invalid_response', 'The server sent a response that is too large');
  }
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel();
      throw new EngineError('invalid_response', 'The server sent a response that is too large');
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): unknown {
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readString(value: unknown, key: string): string | undefined {
  return isRecord(value) && typeof value[key] === 'string' ? value[key] : undefined;
}

function readNumber(value: unknown, key: string): number | undefined {
  return isRecord(value) && typeof value[key] === 'number' && Number.isFinite(value[key])
    ? value[key]
    : undefined;
}
