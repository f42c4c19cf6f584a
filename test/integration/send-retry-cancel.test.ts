// message.retry and message.cancel against real Synapse, behind a proxy that can refuse or fail
// sends: a refused message retried later lands once, with its first transaction id; a cancelled
// one never reaches the server.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { afterEach, describe, expect, inject, it } from 'vitest';
import type { MessageStatus } from '../../src-preload/contract.ts';
import { MatrixPeer } from '../homeserver/matrix-peer.ts';
import { registerUser } from '../homeserver/synapse.ts';
import {
  closeServer,
  forwardUpstream,
  isSyncPath,
  listenOnLoopback,
  readBody,
  replyJson,
  wellKnownBehind,
} from '../support/loopback-proxy.ts';
import { startEngine, type RecordedEngine } from './engine-harness.ts';
import { until } from '../support/until.ts';

const homeserver = inject('homeserver');
const cleanup: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

const SEND_PATH = /^\/_matrix\/client\/v3\/rooms\/[^/]+\/send\/[^/]+\/([^/]+)$/;

/** Passes everything to Synapse, except room sends while `sends` says to refuse or fail them. */
class SendFaultProxy {
  sends: 'pass' | 'refuse' | 'fail' = 'pass';
  /** While true, sync requests fail as an unreachable server would (502). */
  syncFails = false;
  /** Transaction ids of the sends that reached Synapse. */
  readonly forwarded: string[] = [];
  readonly baseUrl: string;
  readonly #server: Server;

  private constructor(server: Server, baseUrl: string) {
    this.#server = server;
    this.baseUrl = baseUrl;
  }

  static async start(): Promise<SendFaultProxy> {
    const ready: { proxy?: SendFaultProxy } = {};
    const { server, baseUrl } = await listenOnLoopback(() => ready.proxy?.handle.bind(ready.proxy));
    ready.proxy = new SendFaultProxy(server, baseUrl);
    return ready.proxy;
  }

  stop(): Promise<void> {
    return closeServer(this.#server);
  }

  async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', homeserver.baseUrl);
    const body = await readBody(request);
    if (url.pathname === '/.well-known/matrix/client')
      return replyJson(response, 200, wellKnownBehind(this.baseUrl));
    if (this.syncFails && isSyncPath(url.pathname))
      return replyJson(response, 502, JSON.stringify({ errcode: 'M_UNKNOWN', error: 'bad gateway' }));
    const send = request.method === 'PUT' ? SEND_PATH.exec(url.pathname) : null;
    if (send && this.sends === 'refuse')
      return replyJson(response, 403, JSON.stringify({ errcode: 'M_FORBIDDEN', error: 'not now' }));
    if (send && this.sends === 'fail')
      return replyJson(response, 502, JSON.stringify({ errcode: 'M_UNKNOWN', error: 'bad gateway' }));
    if (send) this.forwarded.push(decodeURIComponent(send[1] ?? ''));
    try {
      const upstream = await forwardUpstream(homeserver.baseUrl, request, url, body);
      replyJson(response, upstream.status, await upstream.text());
    } catch {
      if (!response.headersSent) replyJson(response, 502, JSON.stringify({ errcode: 'M_UNKNOWN' }));
    }
  }
}

function statuses(tessera: RecordedEngine, transactionId: string): MessageStatus[] {
  return tessera.events
    .filter((event) => event.name === 'message.status')
    .map((event) => event.payload as MessageStatus)
    .filter((status) => status.transactionId === transactionId);
}

function statusOf(tessera: RecordedEngine, transactionId: string, state: MessageStatus['state']) {
  return until(`message ${state}`, () =>
    statuses(tessera, transactionId).find((status) => status.state === state),
  );
}

async function roomBehindProxy() {
  const proxy = await SendFaultProxy.start();
  cleanup.push(() => proxy.stop());
  const alice = await registerUser(homeserver);
  const bob = await registerUser(homeserver);
  const tessera = startEngine({ forceSyncV3: true });
  cleanup.push(() => tessera.dispose());
  const login = await tessera.invoke('session.login', {
    homeserver: proxy.baseUrl,
    user: alice.localpart,
    password: alice.password,
  });
  if (!login.ok) throw new Error(`sign-in failed: ${login.error.code}`);
  const bobPeer = new MatrixPeer({ baseUrl: homeserver.baseUrl, ...bob });
  const roomId = await bobPeer.createRoom({ name: 'Retry', invite: [alice.userId] });
  await new MatrixPeer({ baseUrl: homeserver.baseUrl, ...alice }).join(roomId);
  await tessera.waitForRooms((rooms) =>
    rooms.some((room) => room.roomId === roomId && room.membership === 'join'),
  );
  /** The bodies of the room's messages as Synapse holds them. */
  const bodiesOnServer = async (): Promise<string[]> => {
    const response = await fetch(
      `${homeserver.baseUrl}/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/messages?dir=b&limit=50`,
      { headers: { authorization: `Bearer ${bob.accessToken}` } },
    );
    const page = (await response.json()) as {
      chunk: { type: string; sender: string; content: { body?: string } }[];
    };
    return page.chunk
      .filter((event) => event.type === 'm.room.message' && event.sender === alice.userId)
      .map((event) => event.content.body ?? '')
      .reverse();
  };
  return { proxy, tessera, roomId, bodiesOnServer };
}

async function send(tessera: RecordedEngine, roomId: string, body: string): Promise<string> {
  const sent = await tessera.invoke('message.send', { roomId, body });
  if (!sent.ok) throw new Error(sent.error.code);
  return (sent.value as { transactionId: string }).transactionId;
}

describe('message.retry and message.cancel', () => {
  it('retries a refused message with the same transaction id: it lands once', async () => {
    const { proxy, tessera, roomId, bodiesOnServer } = await roomBehindProxy();
    proxy.sends = 'refuse';
    const txnId = await send(tessera, roomId, 'first try refused');
    const failed = await statusOf(tessera, txnId, 'failed');
    expect(failed.error?.code).toBe('message_refused');

    proxy.sends = 'pass';
    expect(await tessera.invoke('message.retry', { transactionId: txnId })).toEqual({
      ok: true,
      value: null,
    });
    const sent = await statusOf(tessera, txnId, 'sent');
    expect(statuses(tessera, txnId).map((status) => status.state)).toEqual([
      'pending',
      'failed',
      'pending',
      'sent',
    ]);
    expect(proxy.forwarded).toEqual([txnId]);
    expect(await bodiesOnServer()).toEqual(['first try refused']);

    // Retrying a sent message changes nothing; an unknown one is message_not_found.
    expect(await tessera.invoke('message.retry', { transactionId: txnId })).toEqual({
      ok: true,
      value: null,
    });
    expect(statuses(tessera, txnId).at(-1)).toEqual(sent);
    expect(await tessera.invoke('message.retry', { transactionId: 'tessera-unknown' })).toMatchObject({
      ok: false,
      error: { code: 'message_not_found' },
    });
    // A sent message cannot be cancelled.
    expect(await tessera.invoke('message.cancel', { transactionId: txnId })).toMatchObject({
      ok: false,
      error: { code: 'message_not_found' },
    });
  });

  it('cancels a message waiting to be retried: it never reaches the server, the next one does', async () => {
    const { proxy, tessera, roomId, bodiesOnServer } = await roomBehindProxy();
    proxy.sends = 'fail';
    const doomed = await send(tessera, roomId, 'never to be sent');
    await until('a failed attempt', () =>
      tessera.engine.session?.db.outgoing.get(doomed)?.attempts ? true : undefined,
    );
    expect(await tessera.invoke('message.cancel', { transactionId: doomed })).toEqual({
      ok: true,
      value: null,
    });
    expect(tessera.engine.session?.db.outgoing.get(doomed)).toBeNull();

    proxy.sends = 'pass';
    const next = await send(tessera, roomId, 'sent instead');
    await statusOf(tessera, next, 'sent');
    expect(proxy.forwarded).toEqual([next]);
    expect(await bodiesOnServer()).toEqual(['sent instead']);
    expect(statuses(tessera, doomed).some((status) => status.state === 'sent')).toBe(false);
    expect(await tessera.invoke('message.cancel', { transactionId: doomed })).toMatchObject({
      ok: false,
      error: { code: 'message_not_found' },
    });
  });

  it('sends waiting messages at once when sync comes back online', async () => {
    const { proxy, tessera, roomId } = await roomBehindProxy();
    const queue = tessera.engine.sendQueue;
    if (!queue) throw new Error('no send queue');
    let kicks = 0;
    const retryNow = queue.retryNow.bind(queue);
    queue.retryNow = () => {
      kicks += 1;
      retryNow();
    };
    proxy.sends = 'fail';
    proxy.syncFails = true;
    const txnId = await send(tessera, roomId, 'waits for the network');
    await until('sync to go offline', () => (tessera.engine.syncState === 'offline' ? true : undefined));
    expect(kicks).toBe(0);

    proxy.sends = 'pass';
    proxy.syncFails = false;
    await until('sync to come back', () => (tessera.engine.syncState === 'live' ? true : undefined));
    await statusOf(tessera, txnId, 'sent');
    expect(kicks).toBeGreaterThanOrEqual(1);
  });
});
