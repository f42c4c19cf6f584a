// Reading a room against the real Synapse: timeline.open from the store with names and state
// in words, timeline.back past a gap the first sync left (fetched with /messages), and the
// local echo of a message replaced by the remote event once sync brings it.
import { afterEach, describe, expect, inject, it } from 'vitest';
import type { TimelineItem, TimelinePage } from '../../src-preload/contract.ts';
import { MatrixPeer } from '../homeserver/matrix-peer.ts';
import { registerUser } from '../homeserver/synapse.ts';
import { changes, messageBody, openTimeline, signIn, until, untilView } from './timeline-support.ts';

const homeserver = inject('homeserver');
const cleanup: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function roomWithHistory(messages: number) {
  const alice = await registerUser(homeserver);
  const bob = await registerUser(homeserver);
  const bobPeer = new MatrixPeer({ baseUrl: homeserver.baseUrl, ...bob });
  await bobPeer.setDisplayName('Bob Peer');
  const roomId = await bobPeer.createRoom({ name: 'Reading', invite: [alice.userId] });
  await new MatrixPeer({ baseUrl: homeserver.baseUrl, ...alice }).join(roomId);
  for (let index = 0; index < messages; index++) await bobPeer.sendText(roomId, `history ${index}`);
  const { tessera } = await signIn(alice);
  cleanup.push(() => tessera.dispose());
  await tessera.waitForRooms((rooms) => rooms.some((room) => room.roomId === roomId));
  return { alice, bob, bobPeer, roomId, tessera };
}

const bodies = (items: readonly TimelineItem[]) =>
  items.map(messageBody).filter((body): body is string => body !== undefined);

describe('timeline.open and timeline.back', () => {
  it('reads the newest items from the store, then older ones past the gap, down to the room’s start', async () => {
    const { tessera, roomId, bob } = await roomWithHistory(12);
    // The first sync brought one event per room: the rest lies behind a gap.
    const opened = await openTimeline(tessera, roomId, 5);
    expect(opened.hasOlder).toBe(true);
    expect(opened.items.length).toBeGreaterThan(0);
    const newest = opened.items.at(-1);
    expect(messageBody(newest)).toBe('history 11');
    expect(newest?.sender).toBe(bob.userId);
    expect(newest?.senderName).toBe('Bob Peer');
    expect(newest?.sendState).toBeNull();
    expect(newest?.canEdit).toBe(false);

    const seen: TimelineItem[] = [...opened.items];
    let page: TimelinePage = opened;
    for (let step = 0; step < 20 && page.hasOlder; step++) {
      const before = seen[0]?.eventId;
      if (!before) break;
      const back = await tessera.invoke('timeline.back', { roomId, before, limit: 5 });
      if (!back.ok) throw new Error(back.error.code);
      page = back.value as TimelinePage;
      expect(page.items.length).toBeLessThanOrEqual(5);
      seen.unshift(...page.items);
    }
    expect(page.hasOlder).toBe(false);
    expect(bodies(seen)).toEqual(Array.from({ length: 12 }, (_, index) => `history ${index}`));
    // Positions sort the items oldest first, each once.
    const positions = seen.map((item) => item.position);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(new Set(seen.map((item) => item.key)).size).toBe(seen.length);
    // The room's state in words, at its start.
    const states = seen.flatMap((item) => (item.content.kind === 'state' ? [item.content.text] : []));
    expect(states[0]).toMatch(/created the room/);
    expect(states.some((text) => /invited/.test(text))).toBe(true);
    expect(states.some((text) => /joined/.test(text))).toBe(true);
  });

  it('refuses an unknown room and an unknown `before` event', async () => {
    const { tessera, roomId } = await roomWithHistory(1);
    const unknownRoom = await tessera.invoke('timeline.open', { roomId: '!nope:localhost', limit: 5 });
    expect(unknownRoom.ok ? null : unknownRoom.error.code).toBe('room_not_found');
    await openTimeline(tessera, roomId, 5);
    const unknownEvent = await tessera.invoke('timeline.back', { roomId, before: '$nope', limit: 5 });
    expect(unknownEvent.ok ? null : unknownEvent.error.code).toBe('event_not_found');
  });
});

describe('timeline.changed', () => {
  it('shows new events of an open room, and a local echo that the remote event replaces', async () => {
    const { tessera, roomId, bobPeer, alice } = await roomWithHistory(1);
    const page = await openTimeline(tessera, roomId, 20);
    await bobPeer.sendText(roomId, 'live from bob');
    await untilView(tessera, page, 'bob’s new message', (items) => bodies(items).includes('live from bob'));

    const sent = await tessera.invoke('message.send', { roomId, body: 'hello from **tessera**' });
    if (!sent.ok) throw new Error(sent.error.code);
    const { transactionId } = sent.value as { transactionId: string };
    const echo = await until('the local echo', () =>
      changes(tessera, roomId)
        .flatMap((change) => change.upserted)
        .find((item) => item.key === `txn:${transactionId}`),
    );
    expect(echo.sendState).toBe('pending');
    expect(echo.eventId).toBeNull();
    expect(echo.sender).toBe(alice.userId);
    expect(messageBody(echo)).toBe('hello from **tessera**');
    expect(echo.content.kind === 'message' ? echo.content.formattedBody : null).toBe(
      '<p>hello from <strong>tessera</strong></p>',
    );
    expect(echo.position).toBeGreaterThan(Math.max(...page.items.map((item) => item.position)));

    const items = await untilView(tessera, page, 'the remote event in place of the echo', (view) =>
      view.some((item) => item.transactionId === transactionId && item.key !== `txn:${transactionId}`),
    );
    expect(items.some((item) => item.key === `txn:${transactionId}`)).toBe(false);
    const remote = items.find((item) => item.transactionId === transactionId);
    expect(remote?.eventId).toBe(remote?.key);
    expect(remote?.sendState).toBe('sent');
    expect(remote?.canEdit).toBe(true);
    expect(remote?.canRedact).toBe(true);
    expect(messageBody(remote)).toBe('hello from **tessera**');

    // A closed room hears nothing more.
    await tessera.invoke('timeline.close', { roomId });
    const heard = changes(tessera, roomId).length;
    await bobPeer.sendText(roomId, 'nobody is looking');
    await until('the message to be stored', () =>
      tessera.engine.session?.db.timeline
        .latest(roomId, 5)
        .some((event) => event.content.body === 'nobody is looking')
        ? true
        : undefined,
    );
    expect(changes(tessera, roomId).length).toBe(heard);
  });
});
