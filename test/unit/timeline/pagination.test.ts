// Back-pagination against a fake homeserver (a scripted fetch) and a real account database:
// pages land in the gap in order, tokens move, bad events are skipped, the start is detected.
import { afterEach, describe, expect, it } from 'vitest';
import { MatrixHttp } from '../../../src-main/engine/http/matrix-http.ts';
import type { AccountDatabase } from '../../../src-main/engine/store/account-database.ts';
import { PaginationBackfill } from '../../../src-main/engine/timeline/pagination-backfill.ts';
import { PaginationTokenExpired, RoomPagination } from '../../../src-main/engine/timeline/pagination.ts';
import { makeProfile, message, room } from '../store/store-fixture.ts';

const ROOM = '!room:x';

interface Call {
  path: string;
  query: URLSearchParams;
}

type Responder = (call: Call) => { status?: number; body: unknown };

function serverEvent(id: string, body: string, extra: Record<string, unknown> = {}) {
  return {
    type: 'm.room.message',
    event_id: id,
    sender: '@bob:x',
    origin_server_ts: 1000,
    room_id: ROOM,
    content: { msgtype: 'm.text', body },
    ...extra,
  };
}

const cleanup: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

function setup(responder: Responder) {
  const profile = makeProfile();
  const db = profile.open();
  db.rooms.upsertMany([room(ROOM)]);
  const calls: Call[] = [];
  const fetchFake: typeof fetch = (input) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const call = { path: decodeURIComponent(url.pathname), query: url.searchParams };
    calls.push(call);
    const { status = 200, body } = responder(call);
    return Promise.resolve(
      new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } }),
    );
  };
  const http = new MatrixHttp({
    baseUrl: new URL('http://127.0.0.1:1'),
    accessToken: 'token',
    fetch: fetchFake,
    backoffBaseMs: 1,
  });
  const stored: string[] = [];
  const logs: string[] = [];
  const pagination = new RoomPagination({
    db,
    http,
    onStored: (roomId) => stored.push(roomId),
    log: (_level, text) => logs.push(text),
  });
  cleanup.push(() => profile.cleanup());
  cleanup.push(() => db.close());
  cleanup.push(() => pagination.stop());
  return { db, calls, pagination, stored, logs };
}

function bodies(db: AccountDatabase): string[] {
  return db.timeline.latest(ROOM, 1000).map((event) => String(event.content.body));
}

describe('RoomPagination', () => {
  it('fills the newest gap from its token, moves the gap with the new token, then reaches the start', async () => {
    const pages: Record<string, { chunk: unknown[]; end?: string }> = {
      t1: { chunk: [serverEvent('$4', 'four'), serverEvent('$3', 'three')], end: 't2' },
      t2: { chunk: [serverEvent('$2', 'two'), serverEvent('$1', 'one')] },
    };
    const { db, calls, pagination, stored } = setup((call) => {
      const from = call.query.get('from') ?? '';
      return { body: { start: from, ...pages[from] } };
    });
    db.timeline.appendBatch(ROOM, [message('$5', 'five')], { limited: true, prevBatch: 't1' });

    const first = await pagination.paginate(ROOM, 2);
    expect(first).toEqual({ added: 2, reachedStart: false, skipped: 0 });
    expect(calls[0]?.path).toBe(`/_matrix/client/v3/rooms/${ROOM}/messages`);
    expect(calls[0]?.query.get('dir')).toBe('b');
    expect(calls[0]?.query.get('limit')).toBe('2');
    expect(db.timeline.gaps(ROOM).map((gap) => gap.prevBatch)).toEqual(['t2']);

    const second = await pagination.paginate(ROOM, 2);
    expect(second).toEqual({ added: 2, reachedStart: true, skipped: 0 });
    expect(calls[1]?.query.get('from')).toBe('t2');
    expect(db.timeline.gaps(ROOM)).toEqual([]);
    expect(bodies(db)).toEqual(['one', 'two', 'three', 'four', 'five']);
    expect(stored).toEqual([ROOM, ROOM]);

    // No gap left: nothing to fetch.
    expect(await pagination.paginate(ROOM, 2)).toEqual({ added: 0, reachedStart: true, skipped: 0 });
    expect(calls).toHaveLength(2);
  });

  it('closes the gap when the page meets stored events, without duplicates', async () => {
    const { db, pagination } = setup(() => ({
      body: {
        start: 'late',
        chunk: [serverEvent('$4', 'four'), serverEvent('$3', 'three'), serverEvent('$2', 'two')],
        end: 'older',
      },
    }));
    db.timeline.appendBatch(ROOM, [message('$1', 'one'), message('$2', 'two')]);
    db.timeline.appendBatch(ROOM, [message('$5', 'five')], { limited: true, prevBatch: 'late' });
    const gapsBefore = db.timeline.gaps(ROOM).length;

    const result = await pagination.paginate(ROOM, 50);
    expect(result).toEqual({ added: 2, reachedStart: false, skipped: 0 });
    expect(db.timeline.gaps(ROOM)).toHaveLength(gapsBefore - 1);
    expect(bodies(db)).toEqual(['one', 'two', 'three', 'four', 'five']);
  });

  it('skips malformed and oversized events, counting them, and keeps the rest', async () => {
    const { db, pagination, logs } = setup(() => ({
      body: {
        start: 't1',
        chunk: [
          serverEvent('$3', 'three'),
          { type: 'm.room.message', content: {} },
          'not an event',
          serverEvent('$big', 'x'.repeat(70_000)),
          serverEvent('$other', 'elsewhere', { room_id: '!other:x' }),
          serverEvent('$2', 'two'),
        ],
        end: 't2',
        state: [
          { type: 'm.room.member', state_key: '@bob:x', sender: '@bob:x', content: { membership: 'join' } },
          { type: 'm.room.member' },
        ],
      },
    }));
    db.timeline.appendBatch(ROOM, [message('$4', 'four')], { limited: true, prevBatch: 't1' });

    const result = await pagination.paginate(ROOM, 10);
    expect(result).toEqual({ added: 2, reachedStart: false, skipped: 5 });
    expect(bodies(db)).toEqual(['two', 'three', 'four']);
    expect(db.roomState.get(ROOM, 'm.room.member', '@bob:x')?.content).toEqual({ membership: 'join' });
    expect(logs.join('\n')).not.toContain('xxxx');
  });

  it('keeps the current member event when history carries an older one', async () => {
    const { db, pagination } = setup(() => ({
      body: {
        start: 't1',
        chunk: [serverEvent('$1', 'one')],
        state: [
          {
            type: 'm.room.member',
            state_key: '@bob:x',
            sender: '@bob:x',
            content: { membership: 'join', displayname: 'Old' },
          },
        ],
      },
    }));
    db.roomState.putMany(ROOM, [
      {
        type: 'm.room.member',
        stateKey: '@bob:x',
        eventId: '$m',
        sender: '@bob:x',
        content: { membership: 'leave' },
      },
    ]);
    db.timeline.appendBatch(ROOM, [message('$2', 'two')], { limited: true, prevBatch: 't1' });
    await pagination.paginate(ROOM, 10);
    expect(db.roomState.get(ROOM, 'm.room.member', '@bob:x')?.content).toEqual({ membership: 'leave' });
  });

  it('stores encrypted events as pending decryption', async () => {
    const { db, pagination } = setup(() => ({
      body: {
        start: 't1',
        chunk: [
          serverEvent('$1', '', { type: 'm.room.encrypted', content: { algorithm: 'm.megolm.v1.aes-sha2' } }),
        ],
      },
    }));
    db.timeline.appendBatch(ROOM, [message('$2', 'two')], { limited: true, prevBatch: 't1' });
    await pagination.paginate(ROOM, 10);
    expect(db.timeline.get(ROOM, '$1')?.decryption).toBe('pending');
  });

  it('gets a fresh token from /context when the gap token expired', async () => {
    const { db, calls, pagination } = setup((call) => {
      if (call.path.includes('/context/'))
        return { body: { start: 'fresh', events_before: [], events_after: [] } };
      if (call.query.get('from') === 'stale')
        return { status: 400, body: { errcode: 'M_UNKNOWN_TOKEN', error: 'Unknown token' } };
      return { body: { start: 'fresh', chunk: [serverEvent('$1', 'one')] } };
    });
    db.timeline.appendBatch(ROOM, [message('$2', 'two')], { limited: true, prevBatch: 'stale' });
    const result = await pagination.paginate(ROOM, 10);
    expect(result.added).toBe(1);
    expect(calls.map((call) => call.path)).toContain(`/_matrix/client/v3/rooms/${ROOM}/context/$2`);
    expect(bodies(db)).toEqual(['one', 'two']);
  });

  it('surfaces an expired token as a typed error when no fresh one can be had, keeping the gap', async () => {
    const { db, pagination } = setup(() => ({
      status: 400,
      body: { errcode: 'M_UNKNOWN_TOKEN', error: 'Unknown token' },
    }));
    db.timeline.appendBatch(ROOM, [message('$2', 'two')], { limited: true, prevBatch: 'stale' });
    await expect(pagination.paginate(ROOM, 10)).rejects.toBeInstanceOf(PaginationTokenExpired);
    expect(db.timeline.gaps(ROOM)).toHaveLength(1);
  });

  it('retries a 5xx and honours a 429', async () => {
    let attempts = 0;
    const { db, pagination } = setup(() => {
      attempts += 1;
      if (attempts === 1) return { status: 502, body: {} };
      if (attempts === 2) return { status: 429, body: { errcode: 'M_LIMIT_EXCEEDED', retry_after_ms: 1 } };
      return { body: { start: 't1', chunk: [serverEvent('$1', 'one')] } };
    });
    db.timeline.appendBatch(ROOM, [message('$2', 'two')], { limited: true, prevBatch: 't1' });
    expect((await pagination.paginate(ROOM, 10)).added).toBe(1);
    expect(attempts).toBe(3);
  });

  it('refuses a response of the wrong shape and leaves the gap', async () => {
    const { db, pagination } = setup(() => ({ body: { chunk: 'nope' } }));
    db.timeline.appendBatch(ROOM, [message('$2', 'two')], { limited: true, prevBatch: 't1' });
    await expect(pagination.paginate(ROOM, 10)).rejects.toMatchObject({ code: 'invalid_response' });
    expect(db.timeline.gaps(ROOM)).toHaveLength(1);
  });

  it('runs one room’s calls one after another, so both pages land', async () => {
    const pages: Record<string, { chunk: unknown[]; end?: string }> = {
      t1: { chunk: [serverEvent('$2', 'two')], end: 't2' },
      t2: { chunk: [serverEvent('$1', 'one')] },
    };
    const { db, pagination } = setup((call) => {
      const from = call.query.get('from') ?? '';
      return { body: { start: from, ...pages[from] } };
    });
    db.timeline.appendBatch(ROOM, [message('$3', 'three')], { limited: true, prevBatch: 't1' });
    const results = await Promise.all([pagination.paginate(ROOM, 1), pagination.paginate(ROOM, 1)]);
    expect(results.map((result) => result.added)).toEqual([1, 1]);
    expect(bodies(db)).toEqual(['one', 'two', 'three']);
  });
});

describe('RoomPagination.stop', () => {
  it('cancels a request in flight and writes nothing', async () => {
    const profile = makeProfile();
    const db = profile.open();
    db.rooms.upsertMany([room(ROOM)]);
    cleanup.push(() => profile.cleanup());
    cleanup.push(() => db.close());
    let requested!: () => void;
    const started = new Promise<void>((resolve) => (requested = resolve));
    const hanging: typeof fetch = (_input, init) =>
      new Promise((_resolve, reject) => {
        requested();
        init?.signal?.addEventListener('abort', () => reject(init.signal?.reason as Error), { once: true });
      });
    const http = new MatrixHttp({ baseUrl: new URL('http://127.0.0.1:1'), accessToken: 't', fetch: hanging });
    const pagination = new RoomPagination({ db, http, onStored: () => undefined, log: () => undefined });
    db.timeline.appendBatch(ROOM, [message('$2', 'two')], { limited: true, prevBatch: 't1' });
    const page = pagination.paginate(ROOM, 10);
    await started;
    await pagination.stop();
    await expect(page).rejects.toBeDefined();
    expect(db.timeline.count(ROOM)).toBe(1);
    expect(db.timeline.gaps(ROOM)).toHaveLength(1);
    await expect(pagination.paginate(ROOM, 10)).rejects.toMatchObject({ code: 'not_signed_in' });
  });
});

describe('PaginationBackfill', () => {
  it('pages each scheduled room once, an opened room first, a few at a time', async () => {
    const order: string[] = [];
    let running = 0;
    let most = 0;
    const backfill = new PaginationBackfill({
      paginate: async (roomId) => {
        running += 1;
        most = Math.max(most, running);
        order.push(roomId);
        await new Promise((resolve) => setImmediate(resolve));
        running -= 1;
        return { added: 1, reachedStart: false, skipped: 0 };
      },
      hasGap: (roomId) => roomId !== '!nogap:x',
      log: () => undefined,
      concurrency: 2,
    });
    backfill.schedule(['!a:x', '!b:x', '!c:x', '!nogap:x', '!d:x']);
    backfill.prioritize('!d:x');
    await backfill.whenIdle();
    expect(order.slice().sort()).toEqual(['!a:x', '!b:x', '!c:x', '!d:x']);
    expect(order.indexOf('!d:x')).toBeLessThan(order.indexOf('!c:x'));
    expect(most).toBeLessThanOrEqual(2);
  });
});
