// A loopback proxy in front of Synapse that plays a server gone wrong: once told to, it removes
// m.room.encryption from every room in sync responses (and from the state endpoints), and can
// expire a sliding sync position so that the client asks for the rooms' full state again. It
// records every event the client sends, so a test can see what went over the wire.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import {
  SLIDING_SYNC_PATH as SLIDING_SYNC,
  closeServer,
  forwardUpstream,
  isSyncPath as isSync,
  listenOnLoopback,
  readBody,
  replyJson,
  wellKnownBehind,
} from '../support/loopback-proxy.ts';

export interface SentEvent {
  roomId: string;
  type: string;
  body: string;
}

const SEND_PATH = /^\/_matrix\/client\/v3\/rooms\/([^/]+)\/send\/([^/]+)\/[^/]+$/;
const STATE_PATH = /^\/_matrix\/client\/v3\/rooms\/[^/]+\/state(\/.*)?$/;
const ENCRYPTION = 'm.room.encryption';

export class StrippingProxy {
  readonly baseUrl: string;
  readonly sent: SentEvent[] = [];
  /** Sync responses in which m.room.encryption was removed from at least one room. */
  strippedResponses = 0;
  /** Sync requests that came after a stripped response: the client handled that response. */
  syncRequestsAfterStripping = 0;
  #stripping = false;
  #expirePositionOnce = false;
  readonly #server: Server;
  readonly #target: string;

  private constructor(server: Server, baseUrl: string, target: string) {
    this.#server = server;
    this.#target = target.replace(/\/+$/, '');
    this.baseUrl = baseUrl;
  }

  static async start(target: string): Promise<StrippingProxy> {
    const ready: { proxy?: StrippingProxy } = {};
    const { server, baseUrl } = await listenOnLoopback(() => ready.proxy?.handle.bind(ready.proxy));
    ready.proxy = new StrippingProxy(server, baseUrl, target);
    return ready.proxy;
  }

  /** From now on, rooms come without m.room.encryption; the next sliding sync request gets M_UNKNOWN_POS. */
  dropEncryptionState(): void {
    this.#stripping = true;
    this.#expirePositionOnce = true;
  }

  stop(): Promise<void> {
    return closeServer(this.#server);
  }

  async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    try {
      const url = new URL(request.url ?? '/', this.#target);
      const body = await readBody(request);
      this.#record(request.method ?? 'GET', url.pathname, body);
      if (isSync(url.pathname) && this.strippedResponses > 0) this.syncRequestsAfterStripping += 1;

      if (url.pathname === '/.well-known/matrix/client')
        return replyJson(response, 200, wellKnownBehind(this.baseUrl));
      if (this.#stripping && url.pathname === SLIDING_SYNC && this.#expirePositionOnce) {
        this.#expirePositionOnce = false;
        return reply(response, 400, { errcode: 'M_UNKNOWN_POS', error: 'Unknown position' });
      }
      if (this.#stripping && request.method === 'GET' && url.pathname.endsWith(`/state/${ENCRYPTION}`))
        return reply(response, 404, { errcode: 'M_NOT_FOUND', error: 'Event not found.' });

      const upstream = await forwardUpstream(this.#target, request, url, body);
      const text = await upstream.text();
      const rewritten =
        this.#stripping && (isSync(url.pathname) || STATE_PATH.test(url.pathname)) && upstream.ok
          ? this.#strip(text)
          : text;
      response.writeHead(upstream.status, {
        'content-type': upstream.headers.get('content-type') ?? 'application/json',
        ...(upstream.headers.has('retry-after')
          ? { 'retry-after': upstream.headers.get('retry-after') ?? '' }
          : {}),
      });
      response.end(rewritten);
    } catch {
      if (!response.headersSent) reply(response, 502, { errcode: 'M_UNKNOWN', error: 'proxy failure' });
      else response.destroy();
    }
  }

  #record(method: string, path: string, body: Buffer): void {
    const send = method === 'PUT' ? SEND_PATH.exec(path) : null;
    if (send)
      this.sent.push({
        roomId: decodeURIComponent(send[1] ?? ''),
        type: decodeURIComponent(send[2] ?? ''),
        body: body.toString('utf8'),
      });
  }

  #strip(text: string): string {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return text;
    }
    const removed = removeEncryptionEvents(value);
    if (removed > 0) this.strippedResponses += 1;
    return JSON.stringify(value);
  }
}

/** Removes every m.room.encryption event from every array in the document; how many it removed. */
function removeEncryptionEvents(value: unknown): number {
  if (Array.isArray(value)) {
    let removed = 0;
    for (let index = value.length - 1; index >= 0; index--) {
      const item: unknown = value[index];
      if (isObject(item) && item['type'] === ENCRYPTION) {
        value.splice(index, 1);
        removed += 1;
      } else removed += removeEncryptionEvents(item);
    }
    return removed;
  }
  if (isObject(value))
    return Object.values(value).reduce<number>((sum, child) => sum + removeEncryptionEvents(child), 0);
  return 0;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function reply(response: ServerResponse, status: number, body: Record<string, unknown>): void {
  replyJson(response, status, JSON.stringify(body));
}
