// The send queue: stored before the first attempt, in order per room, the same transaction id on
// every retry, and failures sorted into "try again" and "failed for good".
import { describe, expect, it } from 'vitest';
import type { MessageStatus } from '../../../src-preload/contract.ts';
import { EngineError } from '../../../src-main/engine/errors.ts';
import { MatrixApiError } from '../../../src-main/engine/http/matrix-api-error.ts';
import type { TransmittedMessage } from '../../../src-main/engine/send/message-transmitter.ts';
import { SendQueue } from '../../../src-main/engine/send/send-queue.ts';
import type { OutgoingMessage } from '../../../src-main/engine/store/outgoing-queue.ts';
import type { JsonObject } from '../../../src-main/engine/store/json-column.ts';

/** An in-memory stand-in for the outgoing_queue table, with the same semantics. */
class MemoryOutgoing {
  readonly rows: OutgoingMessage[] = [];
  enqueue(message: { txnId: string; roomId: string; eventType: string; content: JsonObject }): void {
    this.rows.push({
      ...message,
      state: 'pending',
      attempts: 0,
      lastError: null,
      eventId: null,
      createdAt: this.rows.length,
    });
  }
  pending(): OutgoingMessage[] {
    return this.rows.filter((row) => row.state === 'pending').map((row) => ({ ...row }));
  }
  #row(txnId: string): OutgoingMessage {
    const row = this.rows.find((candidate) => candidate.txnId === txnId);
    if (!row) throw new Error('no such row');
    return row;
  }
  recordAttempt(txnId: string, code: string): void {
    const row = this.#row(txnId);
    row.attempts++;
    row.lastError = code;
  }
  markSent(txnId: string, eventId: string): void {
    Object.assign(this.#row(txnId), { state: 'sent', eventId, lastError: null });
  }
  markFailed(txnId: string, code: string): void {
    Object.assign(this.#row(txnId), { state: 'failed', lastError: code });
  }
  get(txnId: string): OutgoingMessage | null {
    const row = this.rows.find((candidate) => candidate.txnId === txnId);
    return row ? { ...row } : null;
  }
  retry(txnId: string): void {
    const row = this.#row(txnId);
    if (row.state === 'failed') row.state = 'pending';
  }
  remove(txnId: string): void {
    const index = this.rows.findIndex((candidate) => candidate.txnId === txnId);
    if (index >= 0) this.rows.splice(index, 1);
  }
}

function harness(
  transmit: (message: TransmittedMessage, attempt: number) => Promise<string>,
  backoffMs: (attempt: number) => number = () => 0,
) {
  const store = new MemoryOutgoing();
  const statuses: MessageStatus[] = [];
  const attempts: TransmittedMessage[] = [];
  const storedAtAttempt: boolean[] = [];
  let counter = 0;
  const cancelled: string[] = [];
  const queue = new SendQueue({
    store,
    onCancelled: (message) => cancelled.push(message.transactionId),
    transmit: (message) => {
      storedAtAttempt.push(store.rows.some((row) => row.txnId === message.txnId));
      attempts.push(message);
      return transmit(message, attempts.filter((a) => a.txnId === message.txnId).length);
    },
    emit: (status) => statuses.push(status),
    log: () => {},
    backoffMs,
    newTransactionId: () => `txn-${++counter}`,
  });
  return { store, statuses, attempts, storedAtAttempt, queue, cancelled };
}

const text = (body: string) => ({ msgtype: 'm.text', body });

describe('SendQueue', () => {
  it('stores the message before the first attempt and reports pending, then sent', async () => {
    const { queue, statuses, storedAtAttempt, store } = harness(async () => '$event');
    const txnId = queue.send('!a:x', 'm.room.message', text('hi'));
    await queue.whenIdle();
    expect(storedAtAttempt).toEqual([true]);
    expect(statuses).toEqual([
      { roomId: '!a:x', transactionId: txnId, state: 'pending' },
      { roomId: '!a:x', transactionId: txnId, state: 'sent', eventId: '$event' },
    ]);
    expect(store.rows[0]).toMatchObject({ state: 'sent', eventId: '$event' });
  });

  it('sends the messages of a room in order, one at a time', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const { queue, attempts } = harness(async (message) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight--;
      return `$${message.txnId}`;
    });
    for (const body of ['one', 'two', 'three']) queue.send('!a:x', 'm.room.message', text(body));
    await queue.whenIdle();
    expect(attempts.map((a) => a.content.body)).toEqual(['one', 'two', 'three']);
    expect(maxInFlight).toBe(1);
  });

  it('keeps a later message waiting while an earlier one is retried', async () => {
    const { queue, attempts } = harness(async (message, attempt) => {
      if (message.content.body === 'first' && attempt < 3) throw new EngineError('unreachable', 'down');
      return '$ok';
    });
    queue.send('!a:x', 'm.room.message', text('first'));
    queue.send('!a:x', 'm.room.message', text('second'));
    await queue.whenIdle();
    expect(attempts.map((a) => a.content.body)).toEqual(['first', 'first', 'first', 'second']);
  });

  it('retries with the same transaction id after network failures, 5xx and 429', async () => {
    const failures = [
      new EngineError('unreachable', 'down'),
      new EngineError('timeout', 'slow'),
      new MatrixApiError(502, 'M_UNKNOWN', ''),
      new MatrixApiError(429, 'M_LIMIT_EXCEEDED', '', 10),
    ];
    const { queue, attempts, statuses, store } = harness(async (_message, attempt) => {
      const failure = failures[attempt - 1];
      if (failure) throw failure;
      return '$ok';
    });
    const txnId = queue.send('!a:x', 'm.room.message', text('hi'));
    await queue.whenIdle();
    expect(attempts).toHaveLength(5);
    expect(new Set(attempts.map((a) => a.txnId))).toEqual(new Set([txnId]));
    expect(statuses.map((s) => s.state)).toEqual(['pending', 'sent']);
    expect(store.rows[0]).toMatchObject({ state: 'sent', attempts: 4 });
  });

  it('fails a message for good on a 4xx other than 429, and goes on with the next', async () => {
    const { queue, statuses, store } = harness(async (message) => {
      if (message.content.body === 'bad') throw new MatrixApiError(403, 'M_FORBIDDEN', 'not in room');
      return '$ok';
    });
    const bad = queue.send('!a:x', 'm.room.message', text('bad'));
    const good = queue.send('!a:x', 'm.room.message', text('good'));
    await queue.whenIdle();
    expect(statuses.filter((s) => s.state !== 'pending')).toEqual([
      {
        roomId: '!a:x',
        transactionId: bad,
        state: 'failed',
        error: { code: 'message_refused', message: expect.stringContaining('M_FORBIDDEN') },
      },
      { roomId: '!a:x', transactionId: good, state: 'sent', eventId: '$ok' },
    ]);
    expect(store.rows[0]).toMatchObject({ state: 'failed', lastError: 'message_refused' });
    // The server's own text never reaches the person.
    expect(JSON.stringify(statuses)).not.toContain('not in room');
  });

  it('resumes stored pending messages, keeping their transaction ids', async () => {
    const first = harness(async () => {
      throw new EngineError('unreachable', 'down');
    });
    const txnId = first.queue.send('!a:x', 'm.room.message', text('hi'));
    await new Promise((resolve) => setImmediate(resolve));
    await first.queue.stop();
    expect(first.store.rows[0]?.state).toBe('pending');

    // A new run on the same table.
    const sent: string[] = [];
    const statuses: MessageStatus[] = [];
    const second = new SendQueue({
      store: first.store,
      transmit: async (message) => {
        sent.push(message.txnId);
        return '$ok';
      },
      emit: (status) => statuses.push(status),
      log: () => {},
      backoffMs: () => 0,
    });
    second.resume();
    await second.whenIdle();
    expect(sent).toEqual([txnId]);
    expect(first.store.rows[0]).toMatchObject({ state: 'sent', eventId: '$ok' });
    // The new run tells its UI about the message first.
    expect(statuses.map((status) => [status.transactionId, status.state])).toEqual([
      [txnId, 'pending'],
      [txnId, 'sent'],
    ]);
  });

  it('sends different rooms independently', async () => {
    let releaseA: () => void = () => {};
    const blockedA = new Promise<void>((resolve) => (releaseA = resolve));
    const { queue, statuses } = harness(async (message) => {
      if (message.roomId === '!a:x') await blockedA;
      return '$ok';
    });
    queue.send('!a:x', 'm.room.message', text('a'));
    const b = queue.send('!b:x', 'm.room.message', text('b'));
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(statuses.find((s) => s.transactionId === b && s.state === 'sent')).toBeDefined();
    releaseA();
    await queue.whenIdle();
  });
});

const HOUR = 3_600_000;
const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
};

/** A transmit whose calls wait until the test settles them. */
function heldTransmit() {
  const calls: {
    message: TransmittedMessage;
    resolve(eventId: string): void;
    reject(error: unknown): void;
  }[] = [];
  const transmit = (message: TransmittedMessage) =>
    new Promise<string>((resolve, reject) => calls.push({ message, resolve, reject }));
  return { calls, transmit };
}

describe('SendQueue: retry and cancel', () => {
  it('retry puts a failed message back in line with the same transaction id and reports pending', async () => {
    let refuse = true;
    const { queue, statuses, attempts, store } = harness(async () => {
      if (refuse) throw new MatrixApiError(403, 'M_FORBIDDEN', '');
      return '$ok';
    });
    const txnId = queue.send('!a:x', 'm.room.message', text('hi'));
    await queue.whenIdle();
    expect(store.rows[0]?.state).toBe('failed');

    refuse = false;
    queue.retry(txnId);
    await queue.whenIdle();
    expect(attempts.map((a) => a.txnId)).toEqual([txnId, txnId]);
    expect(statuses.map((s) => s.state)).toEqual(['pending', 'failed', 'pending', 'sent']);
    expect(store.rows[0]).toMatchObject({ state: 'sent', eventId: '$ok' });
  });

  it('retry wakes a message waiting for its backoff', async () => {
    const { queue, attempts } = harness(
      async (_message, attempt) => {
        if (attempt === 1) throw new EngineError('unreachable', 'down');
        return '$ok';
      },
      () => HOUR,
    );
    const txnId = queue.send('!a:x', 'm.room.message', text('hi'));
    await settle();
    expect(attempts).toHaveLength(1);
    queue.retry(txnId);
    await queue.whenIdle();
    expect(attempts.map((a) => a.txnId)).toEqual([txnId, txnId]);
  });

  it('retry of a sent message does nothing; of an unknown one is message_not_found', async () => {
    const { queue, attempts, statuses } = harness(async () => '$ok');
    const txnId = queue.send('!a:x', 'm.room.message', text('hi'));
    await queue.whenIdle();
    queue.retry(txnId);
    await queue.whenIdle();
    expect(attempts).toHaveLength(1);
    expect(statuses.map((s) => s.state)).toEqual(['pending', 'sent']);
    expect(() => queue.retry('txn-unknown')).toThrow(expect.objectContaining({ code: 'message_not_found' }));
  });

  it('cancel removes a waiting message so it is never sent, and the next one goes at once', async () => {
    const { queue, attempts, store, cancelled } = harness(
      async (message) => {
        if (message.content.body === 'first') throw new EngineError('unreachable', 'down');
        return '$ok';
      },
      () => HOUR,
    );
    const first = queue.send('!a:x', 'm.room.message', text('first'));
    const second = queue.send('!a:x', 'm.room.message', text('second'));
    await settle();
    await queue.cancel(first);
    await queue.whenIdle();
    expect(attempts.map((a) => a.txnId)).toEqual([first, second]);
    expect(store.rows.map((row) => [row.txnId, row.state])).toEqual([[second, 'sent']]);
    expect(cancelled).toEqual([first]);
  });

  it('cancel removes a failed message; a sent or unknown one is message_not_found', async () => {
    const { queue, store } = harness(async (message) => {
      if (message.content.body === 'bad') throw new MatrixApiError(403, 'M_FORBIDDEN', '');
      return '$ok';
    });
    const bad = queue.send('!a:x', 'm.room.message', text('bad'));
    const good = queue.send('!a:x', 'm.room.message', text('good'));
    await queue.whenIdle();
    await queue.cancel(bad);
    expect(store.get(bad)).toBeNull();
    await expect(queue.cancel(good)).rejects.toMatchObject({ code: 'message_not_found' });
    expect(store.get(good)?.state).toBe('sent');
    await expect(queue.cancel('txn-unknown')).rejects.toMatchObject({ code: 'message_not_found' });
  });

  it('cancel of a message in flight waits for the attempt: taken by the server, it stays sent', async () => {
    const held = heldTransmit();
    const store = new MemoryOutgoing();
    const queue = new SendQueue({
      store,
      transmit: held.transmit,
      emit: () => {},
      log: () => {},
      backoffMs: () => HOUR,
    });
    const txnId = queue.send('!a:x', 'm.room.message', text('hi'));
    await settle();
    expect(held.calls).toHaveLength(1);
    const cancelling = queue.cancel(txnId);
    held.calls[0]?.resolve('$landed');
    await expect(cancelling).rejects.toMatchObject({ code: 'message_not_found' });
    expect(store.get(txnId)).toMatchObject({ state: 'sent', eventId: '$landed' });
  });

  it('cancel of a message in flight that fails removes it and it is not tried again', async () => {
    const held = heldTransmit();
    const store = new MemoryOutgoing();
    const queue = new SendQueue({
      store,
      transmit: held.transmit,
      emit: () => {},
      log: () => {},
      backoffMs: () => 0,
    });
    const txnId = queue.send('!a:x', 'm.room.message', text('hi'));
    await settle();
    const cancelling = queue.cancel(txnId);
    held.calls[0]?.reject(new EngineError('unreachable', 'down'));
    await cancelling;
    await queue.whenIdle();
    expect(store.get(txnId)).toBeNull();
    expect(held.calls).toHaveLength(1);
  });
});
