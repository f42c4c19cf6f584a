// EngineHost carries media requests to the worker and the answers back, by request id; a worker
// that goes away answers `unavailable`.
import { describe, expect, it } from 'vitest';
import { EngineHost } from '../../src-main/engine-host.ts';

const workerUrl = new URL('./fixtures/media-worker.mjs', import.meta.url);

describe('EngineHost media requests', () => {
  it('are answered by the worker, each by its own id', async () => {
    const host = await EngineHost.start({ workerUrl, engineOptions: { profileDir: '/nonexistent' } });
    const [first, second] = await Promise.all([
      host.fetchMedia({ kind: 'content', serverName: 'example.org', mediaId: 'first' }),
      host.fetchMedia({ kind: 'content', serverName: 'example.org', mediaId: 'second' }),
    ]);
    expect(first).toEqual({ ok: true, contentType: 'image/png', bytes: new TextEncoder().encode('first') });
    expect(second).toEqual({ ok: true, contentType: 'image/png', bytes: new TextEncoder().encode('second') });
    await host.stop();
  });

  it('answer unavailable when the worker exits, and after', async () => {
    const host = await EngineHost.start({ workerUrl, engineOptions: { profileDir: '/nonexistent' } });
    expect(await host.fetchMedia({ kind: 'content', serverName: 'example.org', mediaId: 'exit' })).toEqual({
      ok: false,
      reason: 'unavailable',
    });
    expect(await host.fetchMedia({ kind: 'content', serverName: 'example.org', mediaId: 'again' })).toEqual({
      ok: false,
      reason: 'unavailable',
    });
  });
});
