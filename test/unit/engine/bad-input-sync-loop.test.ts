// The sync loop under bad input (issue 4): a response that cannot be read or a failing server
// makes it go offline and retry, skipped items are logged as a count only, and a refused token
// stops it and is handed on with the soft-logout flag intact.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SyncState } from '../../../src-preload/contract.ts';
import { EngineError } from '../../../src-main/engine/errors.ts';
import { MatrixApiError } from '../../../src-main/engine/http/matrix-api-error.ts';
import type { SyncBatch } from '../../../src-main/engine/sync/sync-batch.ts';
import { SyncLoop } from '../../../src-main/engine/sync/sync-loop.ts';
import type { SyncSource } from '../../../src-main/engine/sync/sync-source.ts';

type Step = SyncBatch | Error;

/** Plays the given outcomes in order, then waits until aborted. */
function scriptedSource(steps: Step[]): SyncSource & { calls: number } {
  const source = {
    api: 'v3' as const,
    position: undefined,
    calls: 0,
    reset() {},
    next(signal: AbortSignal): Promise<SyncBatch> {
      source.calls += 1;
      const step = steps.shift();
      if (step instanceof Error) return Promise.reject(step);
      if (step) return Promise.resolve(step);
      return new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
    },
  };
  return source;
}

function recorder() {
  const states: SyncState[] = [];
  const logs: string[] = [];
  const batches: SyncBatch[] = [];
  const refused: MatrixApiError[] = [];
  return {
    states,
    logs,
    batches,
    refused,
    handlers: {
      onBatch: (batch: SyncBatch) => void batches.push(batch),
      onState: (state: SyncState) => void states.push(state),
      onUnauthorized: (error: MatrixApiError) => void refused.push(error),
      log: (_level: string, message: string) => void logs.push(message),
    },
  };
}

const batch = (skippedEvents = 0): SyncBatch => ({ rooms: [], skippedEvents });

afterEach(() => {
  vi.useRealTimers();
});

describe('sync loop under bad input', () => {
  it('goes offline on an unreadable response, a 5xx and a 429, backs off, and comes back live', async () => {
    vi.useFakeTimers();
    const source = scriptedSource([
      batch(),
      new EngineError('invalid_response', 'server sent a response that is not JSON'),
      new MatrixApiError(502, 'M_UNKNOWN', 'bad gateway'),
      new EngineError('rate_limited', 'slow down'),
      batch(3),
    ]);
    const seen = recorder();
    const loop = new SyncLoop(source, seen.handlers);
    loop.start();
    await vi.waitFor(async () => {
      await vi.advanceTimersByTimeAsync(5_000);
      expect(seen.batches).toHaveLength(2);
    });
    expect(seen.states).toEqual(['live', 'offline', 'live']);
    expect(seen.logs.filter((line) => line.includes('request failed'))).toHaveLength(3);
    expect(seen.logs).toContain('sync: skipped 3 malformed item(s)');
    expect(loop.state).toBe('live');
    await loop.stop();
  });

  it('stops on a refused token and passes the soft-logout flag on', async () => {
    const source = scriptedSource([
      batch(),
      new MatrixApiError(401, 'M_UNKNOWN_TOKEN', 'expired', undefined, true),
      batch(),
    ]);
    const seen = recorder();
    const loop = new SyncLoop(source, seen.handlers);
    loop.start();
    await vi.waitFor(() => expect(seen.refused).toHaveLength(1));
    expect(seen.refused[0]?.softLogout).toBe(true);
    await loop.stop();
    expect(source.calls).toBe(2);
    expect(seen.batches).toHaveLength(1);
  });
});
