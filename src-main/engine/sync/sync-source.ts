import type { SyncBatch } from './sync-batch.ts';

/** One sync API: each call makes one request and returns what it carried. */
export interface SyncSource {
  readonly api: 'v3' | 'sliding';
  /** The position to resume from (`since` or `pos`); undefined before the first response. */
  readonly position: string | undefined;
  next(signal: AbortSignal): Promise<SyncBatch>;
  /** Forget the position after the server refused it; the next call starts afresh. */
  reset(): void;
}
