// Both sync APIs carry the e2ee part of a response into the batch; sliding sync keeps the
// to-device extension's own position beside `pos`.
import { describe, expect, it } from 'vitest';
import { MatrixHttp } from '../../../src-main/engine/http/matrix-http.ts';
import { SlidingSync, translateSliding } from '../../../src-main/engine/sync/sliding-sync.ts';
import { translateV3 } from '../../../src-main/engine/sync/v3-sync.ts';

const toDeviceEvent = {
  type: 'm.room.encrypted',
  sender: '@bob:x',
  content: { algorithm: 'm.olm.v1.curve25519-aes-sha2', ciphertext: {} },
};

describe('e2ee part of /v3/sync', () => {
  it('carries to-device events, device lists, key counts and fallback key types', () => {
    const batch = translateV3({
      next_batch: 's1',
      to_device: { events: [toDeviceEvent] },
      device_lists: { changed: ['@bob:x'], left: ['@carol:x'] },
      device_one_time_keys_count: { signed_curve25519: 12 },
      device_unused_fallback_key_types: ['signed_curve25519'],
    });
    expect(batch.e2ee).toEqual({
      toDevice: [toDeviceEvent],
      changedDevices: ['@bob:x'],
      leftDevices: ['@carol:x'],
      oneTimeKeyCounts: { signed_curve25519: 12 },
      unusedFallbackKeys: ['signed_curve25519'],
    });
    expect(batch.skippedEvents).toBe(0);
  });

  it('is present even when the response says nothing (a missing count means zero keys)', () => {
    expect(translateV3({ next_batch: 's1' }).e2ee).toEqual({
      toDevice: [],
      changedDevices: [],
      leftDevices: [],
      oneTimeKeyCounts: {},
    });
  });

  it('drops and counts malformed entries without losing the rest', () => {
    const batch = translateV3({
      next_batch: 's1',
      to_device: { events: [toDeviceEvent, 'junk', { type: 'x' }] },
      device_lists: { changed: ['@bob:x', 7], left: 'nope' },
      device_one_time_keys_count: { signed_curve25519: 3, bad: -1, worse: 'x' },
      device_unused_fallback_key_types: 'signed_curve25519',
    });
    expect(batch.e2ee).toEqual({
      toDevice: [toDeviceEvent],
      changedDevices: [],
      leftDevices: [],
      oneTimeKeyCounts: { signed_curve25519: 3 },
    });
    // 2 bad to-device events, the device_lists object, 2 bad counts, the fallback list.
    expect(batch.skippedEvents).toBe(6);
  });
});

describe('e2ee part of Simplified Sliding Sync', () => {
  it('reads the to_device and e2ee extensions', () => {
    const batch = translateSliding({
      pos: 'p1',
      extensions: {
        to_device: { next_batch: 't1', events: [toDeviceEvent] },
        e2ee: {
          device_lists: { changed: ['@bob:x'], left: [] },
          device_one_time_keys_count: { signed_curve25519: 50 },
          device_unused_fallback_key_types: [],
        },
      },
    });
    expect(batch.e2ee).toEqual({
      toDevice: [toDeviceEvent],
      changedDevices: ['@bob:x'],
      leftDevices: [],
      oneTimeKeyCounts: { signed_curve25519: 50 },
      unusedFallbackKeys: [],
    });
  });

  it('has no e2ee part when neither extension answered', () => {
    expect(translateSliding({ pos: 'p1' }).e2ee).toBeUndefined();
  });

  it('asks for both extensions and sends the to-device position it was given, then the next one', async () => {
    const bodies: Record<string, unknown>[] = [];
    let call = 0;
    const fetchStub: typeof fetch = async (_url, init) => {
      bodies.push(JSON.parse(String(init?.body)) as Record<string, unknown>);
      call++;
      const response = {
        pos: `p${call}`,
        lists: { all: { count: 0 } },
        extensions: { to_device: { next_batch: `t${call + 1}`, events: [] } },
      };
      return new Response(JSON.stringify(response), { headers: { 'content-type': 'application/json' } });
    };
    const http = new MatrixHttp({
      baseUrl: new URL('http://127.0.0.1:1'),
      accessToken: 'tok',
      fetch: fetchStub,
    });
    const sync = new SlidingSync(http, 1000, { pos: 'p0', toDeviceSince: 't1' });
    expect(sync.toDeviceSince).toBe('t1');
    const signal = new AbortController().signal;
    await sync.next(signal);
    expect(bodies[0]).toMatchObject({
      extensions: { e2ee: { enabled: true }, to_device: { enabled: true, since: 't1' } },
    });
    expect(sync.toDeviceSince).toBe('t2');
    // An expired pos does not lose the to-device position.
    sync.reset();
    expect(sync.position).toBeUndefined();
    expect(sync.toDeviceSince).toBe('t2');
    await sync.next(signal);
    expect(bodies[1]).toMatchObject({ extensions: { to_device: { since: 't2' } } });
  });

  it('sends no to-device position on a fresh start', async () => {
    let body: Record<string, unknown> = {};
    const fetchStub: typeof fetch = async (_url, init) => {
      body = JSON.parse(String(init?.body)) as Record<string, unknown>;
      return new Response(JSON.stringify({ pos: 'p1' }));
    };
    const http = new MatrixHttp({ baseUrl: new URL('http://127.0.0.1:1'), fetch: fetchStub });
    await new SlidingSync(http, 1000).next(new AbortController().signal);
    expect(body).toMatchObject({ extensions: { to_device: { enabled: true } } });
    expect((body.extensions as { to_device: Record<string, unknown> }).to_device).not.toHaveProperty('since');
  });
});
