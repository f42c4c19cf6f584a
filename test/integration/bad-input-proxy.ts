// A loopback proxy in front of Synapse that spoils sync responses on request: each queued fault
// replaces or corrupts the next sync response, in order; everything else passes through.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import {
  closeServer,
  forwardUpstream,
  isSyncPath,
  listenOnLoopback,
  readBody,
  replyJson as reply,
  wellKnownBehind,
} from '../support/loopback-proxy.ts';

export type SyncFault =
  /** The connection is closed without an answer, as a server that timed out or went away. */
  | { kind: 'drop' }
  | { kind: 'invalid-json' }
  | { kind: 'wrong-shape' }
  /** Adds to a joined room's timeline a 70 KB event and then a small one, both made up. */
  | { kind: 'oversized'; roomId: string; sender: string }
  | { kind: 'status'; status: number; body: Record<string, unknown>; retryAfter?: string };

export class BadInputProxy {
  readonly baseUrl: string;
  /** Sync requests answered by the proxy with a fault. */
  faultsServed = 0;
  /** Sync requests passed through after the last fault was served. */
  syncsAfterFaults = 0;
  readonly #faults: SyncFault[] = [];
  /** POST /refresh is answered 401 M_UNKNOWN_TOKEN (the refresh token was refused). */
  refuseRefresh = false;
  /** /login answers lose refresh_token and expires_in_ms, as from a server without refresh tokens. */
  withoutRefreshTokens = false;
  /** POST /refresh requests seen. */
  refreshes = 0;
  readonly #senderRewrites = new Map<string, string>();
  readonly #server: Server;
  readonly #target: string;

  private constructor(server: Server, baseUrl: string, target: string) {
    this.#server = server;
    this.#target = target.replace(/\/+$/, '');
    this.baseUrl = baseUrl;
  }

  static async start(target: string): Promise<BadInputProxy> {
    const ready: { proxy?: BadInputProxy } = {};
    const { server, baseUrl } = await listenOnLoopback(() => ready.proxy?.handle.bind(ready.proxy));
    ready.proxy = new BadInputProxy(server, baseUrl, target);
    return ready.proxy;
  }

  /** The next sync responses, one per fault, are spoiled in this order. */
  queue(...faults: SyncFault[]): void {
    this.#faults.push(...faults);
  }

  /** From now on, every room event of type m.room.encrypted sent by `from` claims to come from `to`. */
  rewriteEncryptedSender(from: string, to: string): void {
    this.#senderRewrites.set(from, to);
  }

  get pending(): number {
    return this.#faults.length;
  }

  stop(): Promise<void> {
    return closeServer(this.#server);
  }

  async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    try {
      const url = new URL(request.url ?? '/', this.#target);
      const body = await readBody(request);
      if (url.pathname === '/.well-known/matrix/client')
        return reply(response, 200, wellKnownBehind(this.baseUrl));
      if (url.pathname === '/_matrix/client/v3/refresh') {
        this.refreshes += 1;
        if (this.refuseRefresh)
          return reply(
            response,
            401,
            JSON.stringify({ errcode: 'M_UNKNOWN_TOKEN', error: 'refresh refused' }),
          );
      }
      if (
        url.pathname === '/_matrix/client/v3/login' &&
        request.method === 'POST' &&
        this.withoutRefreshTokens
      ) {
        const upstream = await forwardUpstream(this.#target, request, url, body);
        const answer = (await upstream.json()) as Record<string, unknown>;
        delete answer.refresh_token;
        delete answer.expires_in_ms;
        return reply(response, upstream.status, JSON.stringify(answer));
      }
      const isSync = isSyncPath(url.pathname);
      const fault = isSync ? this.#faults.shift() : undefined;
      if (fault?.kind === 'drop') {
        this.faultsServed += 1;
        response.socket?.destroy();
        return;
      }
      if (fault?.kind === 'status') {
        this.faultsServed += 1;
        return reply(response, fault.status, JSON.stringify(fault.body), fault.retryAfter);
      }
      if (isSync && !fault && this.faultsServed > 0) this.syncsAfterFaults += 1;

      const upstream = await forwardUpstream(this.#target, request, url, body);
      const received = await upstream.text();
      const text = upstream.ok && this.#senderRewrites.size > 0 ? this.#rewriteSenders(received) : received;
      if (fault && upstream.ok) {
        this.faultsServed += 1;
        return reply(response, 200, spoil(fault, text));
      }
      if (fault) this.#faults.unshift(fault); // not spoiled: keep it for the next response
      reply(response, upstream.status, text, upstream.headers.get('retry-after') ?? undefined);
    } catch {
      if (!response.headersSent)
        reply(response, 502, JSON.stringify({ errcode: 'M_UNKNOWN', error: 'proxy failure' }));
      else response.destroy();
    }
  }

  #rewriteSenders(text: string): string {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return text;
    }
    const visit = (node: unknown): void => {
      if (Array.isArray(node)) return node.forEach(visit);
      if (typeof node !== 'object' || node === null) return;
      const record = node as Record<string, unknown>;
      const to =
        typeof record['sender'] === 'string' ? this.#senderRewrites.get(record['sender']) : undefined;
      // Room events only (they have an event_id): to-device messages keep their true sender.
      if (to && record['type'] === 'm.room.encrypted' && typeof record['event_id'] === 'string')
        record['sender'] = to;
      Object.values(record).forEach(visit);
    };
    visit(value);
    return JSON.stringify(value);
  }
}

function spoil(fault: Exclude<SyncFault, { kind: 'status' | 'drop' }>, text: string): string {
  if (fault.kind === 'invalid-json') return text.slice(0, text.length / 2);
  if (fault.kind === 'wrong-shape') return wrongShape(text);
  return withOversizedEvent(text, fault.roomId, fault.sender);
}

export const OVERSIZED_EVENT_ID = '$bad-input-oversized';
export const SMALL_EVENT_ID = '$bad-input-small-after';

/** The real response with two made-up events in the room's timeline, in either sync API's shape. */
function withOversizedEvent(text: string, roomId: string, sender: string): string {
  const value = JSON.parse(text) as Record<string, unknown>;
  const now = Date.now();
  const event = (eventId: string, body: string, offset: number) => ({
    type: 'm.room.message',
    event_id: eventId,
    sender,
    origin_server_ts: now + offset,
    content: { msgtype: 'm.text', body },
  });
  const events = [event(OVERSIZED_EVENT_ID, 'x'.repeat(70 * 1024), 0), event(SMALL_EVENT_ID, 'small', 1)];
  const rooms = (value['rooms'] ?? {}) as Record<string, unknown>;
  value['rooms'] = rooms;
  if ('next_batch' in value) {
    const join = (rooms['join'] ?? {}) as Record<string, Record<string, unknown>>;
    rooms['join'] = join;
    const room = (join[roomId] ??= {});
    const timeline = (room['timeline'] ?? { events: [] }) as { events: unknown[] };
    timeline.events.push(...events);
    room['timeline'] = timeline;
  } else {
    const room = ((rooms as Record<string, Record<string, unknown>>)[roomId] ??= {});
    const timeline = (room['timeline'] ?? []) as unknown[];
    timeline.push(...events);
    room['timeline'] = timeline;
  }
  return JSON.stringify(value);
}

/** The real response with items of the wrong shape added where rooms and events are expected. */
function wrongShape(text: string): string {
  const value = JSON.parse(text) as Record<string, unknown>;
  const secret = 'BAD-INPUT-CONTENT';
  value['rooms'] = {
    join: {
      '!wrong-shape:localhost': {
        timeline: { events: [42, { type: 7 }, { type: 'm.room.message', content: { body: secret } }] },
        state: { events: 'not a list' },
      },
      '!not-an-object:localhost': secret,
    },
    invite: { '!invite:localhost': { invite_state: { events: [null] } } },
  };
  value['lists'] = { all: 'not a list' };
  value['account_data'] = { events: [{ content: secret }] };
  return JSON.stringify(value);
}
