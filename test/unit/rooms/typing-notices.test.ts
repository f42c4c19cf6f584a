// Typing: others' typing is emitted when it changes (us left out); ours is sent only when the
// setting allows, repeated at most once per interval, and "stopped" only after "typing".
import { describe, expect, it } from 'vitest';
import type { TypingChange } from '../../../src-preload/contract.ts';
import { TYPING_REPEAT_MS, TypingNotices } from '../../../src-main/engine/rooms/typing-notices.ts';

function setup(enabled = true) {
  const requests: { method: string; path: string; body: unknown }[] = [];
  const changes: TypingChange[] = [];
  let now = 1_000;
  const state = { enabled };
  const typing = new TypingNotices({
    http: {
      request: async (method: string, path: string, options: { body?: unknown }) => {
        requests.push({ method, path, body: options.body });
        return {};
      },
    } as never,
    userId: '@me:x',
    sendEnabled: () => state.enabled,
    onChange: (change) => changes.push(change),
    log: () => {},
    now: () => now,
  });
  return { typing, requests, changes, state, advance: (ms: number) => (now += ms) };
}

describe('TypingNotices', () => {
  it('emits who types, without us, only when it changes', () => {
    const { typing, changes } = setup();
    typing.receive('!r:x', ['@me:x', '@bob:x']);
    typing.receive('!r:x', ['@bob:x']);
    typing.receive('!r:x', []);
    typing.receive('!r:x', ['@me:x']);
    expect(changes).toEqual([
      { roomId: '!r:x', userIds: ['@bob:x'] },
      { roomId: '!r:x', userIds: [] },
    ]);
  });

  it('sends typing with a timeout, throttles repeats, and sends stopped once', async () => {
    const { typing, requests, advance } = setup();
    await typing.set('!r:x', true);
    advance(1_000);
    await typing.set('!r:x', true);
    expect(requests).toEqual([
      {
        method: 'PUT',
        path: '/_matrix/client/v3/rooms/!r%3Ax/typing/%40me%3Ax',
        body: { typing: true, timeout: 30_000 },
      },
    ]);
    advance(TYPING_REPEAT_MS);
    await typing.set('!r:x', true);
    expect(requests).toHaveLength(2);
    await typing.set('!r:x', false);
    await typing.set('!r:x', false);
    expect(requests.slice(2)).toEqual([
      { method: 'PUT', path: '/_matrix/client/v3/rooms/!r%3Ax/typing/%40me%3Ax', body: { typing: false } },
    ]);
  });

  it('sends nothing while the setting is off', async () => {
    const { typing, requests, state } = setup(false);
    await typing.set('!r:x', true);
    await typing.set('!r:x', false);
    expect(requests).toEqual([]);
    state.enabled = true;
    await typing.set('!r:x', true);
    expect(requests).toHaveLength(1);
  });
});
