// The outgoing request loop: barrier before every send, responses handed back, failures kept
// with the machine, kicks coalesced into one more pass.
import { RequestType } from '@matrix-org/matrix-sdk-crypto-wasm';
import { describe, expect, it, vi } from 'vitest';
import {
  OutgoingRequestLoop,
  type RequestSource,
} from '../../../src-main/engine/crypto/outgoing-request-loop.ts';
import type { OutgoingRequestLike } from '../../../src-main/engine/crypto/outgoing-request-http.ts';
import { MatrixApiError } from '../../../src-main/engine/http/matrix-api-error.ts';
import type { MatrixHttp } from '../../../src-main/engine/http/matrix-http.ts';

type Http = Pick<MatrixHttp, 'request'>;

const upload = (id: string): OutgoingRequestLike => ({
  id,
  type: RequestType.KeysUpload,
  body: JSON.stringify({ one_time_keys: { [`signed_curve25519:${id}`]: { key: 'PRIVATE-LOOKING' } } }),
});
const query = (id: string): OutgoingRequestLike => ({
  id,
  type: RequestType.KeysQuery,
  body: JSON.stringify({ device_keys: { '@a:x': [] } }),
});

/** A machine that hands out each queued batch once, then nothing. */
function fakeMachine(batches: OutgoingRequestLike[][]) {
  const sent: { id: string; type: RequestType; response: string }[] = [];
  let passes = 0;
  const machine: RequestSource = {
    outgoingRequests: vi.fn(async () => {
      passes++;
      return batches.shift() ?? [];
    }),
    markRequestAsSent: vi.fn(async (id: string, type: RequestType, response: string) => {
      sent.push({ id, type, response });
      return true;
    }),
  };
  return { machine, sent, passes: () => passes };
}

function recorder() {
  const order: string[] = [];
  const logs: { level: string; message: string }[] = [];
  return {
    order,
    logs,
    barrier: vi.fn(() => void order.push('barrier')),
    log: (level: string, message: string) => void logs.push({ level, message }),
  };
}

describe('OutgoingRequestLoop', () => {
  it('flushes the store before each request and hands each response back', async () => {
    const { machine, sent } = fakeMachine([[upload('u1'), query('q1')]]);
    const rec = recorder();
    const http: Http = {
      request: vi.fn(async (method: string, path: string) => {
        rec.order.push(`${method} ${path}`);
        return { answered: path };
      }) as Http['request'],
    };
    const loop = new OutgoingRequestLoop({ machine, http, barrier: rec.barrier, log: rec.log });
    loop.kick();
    await loop.whenIdle();

    expect(rec.order).toEqual([
      'barrier',
      'POST /_matrix/client/v3/keys/upload',
      'barrier',
      'POST /_matrix/client/v3/keys/query',
    ]);
    expect(sent).toEqual([
      {
        id: 'u1',
        type: RequestType.KeysUpload,
        response: JSON.stringify({ answered: '/_matrix/client/v3/keys/upload' }),
      },
      {
        id: 'q1',
        type: RequestType.KeysQuery,
        response: JSON.stringify({ answered: '/_matrix/client/v3/keys/query' }),
      },
    ]);
  });

  it('sends the parsed body and asks MatrixHttp to retry', async () => {
    const { machine } = fakeMachine([[upload('u1')]]);
    const rec = recorder();
    const request = vi.fn(async () => ({})) as unknown as Http['request'];
    const loop = new OutgoingRequestLoop({ machine, http: { request }, barrier: rec.barrier, log: rec.log });
    loop.kick();
    await loop.whenIdle();
    expect(request).toHaveBeenCalledWith(
      'POST',
      '/_matrix/client/v3/keys/upload',
      expect.objectContaining({
        body: { one_time_keys: { 'signed_curve25519:u1': { key: 'PRIVATE-LOOKING' } } },
        retries: expect.any(Number),
      }),
    );
    const options = (request as unknown as { mock: { calls: [string, string, { retries: number }][] } }).mock
      .calls[0]![2];
    expect(options.retries).toBeGreaterThan(0);
  });

  it('keeps a failed request with the machine, logs without the body, and sends the rest', async () => {
    const { machine, sent } = fakeMachine([[upload('u1'), query('q1')]]);
    const rec = recorder();
    const http: Http = {
      request: vi.fn(async (_method: string, path: string) => {
        if (path.endsWith('/keys/upload')) {
          throw new MatrixApiError(
            400,
            'M_INVALID_PARAM',
            'One time key signed_curve25519:u1 already exists. Old key: PRIVATE-LOOKING',
          );
        }
        return {};
      }) as Http['request'],
    };
    const loop = new OutgoingRequestLoop({ machine, http, barrier: rec.barrier, log: rec.log });
    loop.kick();
    await loop.whenIdle();
    expect(sent.map((entry) => entry.id)).toEqual(['q1']);
    expect(rec.logs).toEqual([
      { level: 'warn', message: expect.stringContaining('keys/upload failed (400 M_INVALID_PARAM)') },
    ]);
    expect(JSON.stringify(rec.logs)).not.toContain('PRIVATE-LOOKING');
  });

  it('stops sending when the barrier fails (the store has stopped)', async () => {
    const { machine, sent } = fakeMachine([[upload('u1')]]);
    const rec = recorder();
    const request = vi.fn(async () => ({})) as unknown as Http['request'];
    const loop = new OutgoingRequestLoop({
      machine,
      http: { request },
      barrier: () => {
        throw new Error('disk full');
      },
      log: rec.log,
    });
    loop.kick();
    await loop.whenIdle();
    expect(request).not.toHaveBeenCalled();
    expect(sent).toEqual([]);
    expect(rec.logs).toEqual([{ level: 'error', message: expect.stringContaining('pass failed') }]);
  });

  it('coalesces kicks during a pass into exactly one more pass', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const passes: number[] = [];
    let pass = 0;
    const machine: RequestSource = {
      outgoingRequests: async () => {
        passes.push(++pass);
        if (pass === 1) await gate;
        return [];
      },
      markRequestAsSent: async () => true,
    };
    const rec = recorder();
    const loop = new OutgoingRequestLoop({
      machine,
      http: { request: vi.fn() as Http['request'] },
      barrier: rec.barrier,
      log: rec.log,
    });
    loop.kick();
    loop.kick();
    loop.kick();
    loop.kick();
    release();
    await loop.whenIdle();
    expect(passes).toEqual([1, 2]);

    loop.kick();
    await loop.whenIdle();
    expect(passes).toEqual([1, 2, 3]);
  });

  it('looks again after a pass that sent something (the machine has follow-ups), until nothing is left', async () => {
    const { machine, sent, passes } = fakeMachine([[upload('u1')], [query('q1')], []]);
    const rec = recorder();
    const loop = new OutgoingRequestLoop({
      machine,
      http: { request: vi.fn(async () => ({})) as unknown as Http['request'] },
      barrier: rec.barrier,
      log: rec.log,
    });
    loop.kick();
    await loop.whenIdle();
    expect(sent.map((entry) => entry.id)).toEqual(['u1', 'q1']);
    expect(passes()).toBe(3);
  });

  it('does nothing after stop()', async () => {
    const { machine, passes } = fakeMachine([[upload('u1')]]);
    const rec = recorder();
    const loop = new OutgoingRequestLoop({
      machine,
      http: { request: vi.fn(async () => ({})) as unknown as Http['request'] },
      barrier: rec.barrier,
      log: rec.log,
    });
    await loop.stop();
    loop.kick();
    await loop.whenIdle();
    expect(passes()).toBe(0);
  });
});
