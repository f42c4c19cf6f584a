// Replies, edits, reactions and redactions between two Tesseras in an encrypted room on the
// real Synapse, each seen by the other through timeline.changed; and bad input (a forged edit,
// an annotation that is not a reaction, a malformed m.relates_to, requests about unknown events)
// ignored or refused without breaking the timeline.
import { afterEach, describe, expect, inject, it } from 'vitest';
import type { MessageStatus, TimelineItem, TimelinePage } from '../../src-preload/contract.ts';
import { registerUser } from '../homeserver/synapse.ts';
import type { RecordedEngine } from './engine-harness.ts';
import { messageBody, openTimeline, sendRaw, signIn, until, untilView } from './timeline-support.ts';

const homeserver = inject('homeserver');
const cleanup: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function sentEventId(tessera: RecordedEngine, transactionId: string): Promise<string> {
  const status = await until('the message to be sent', () =>
    tessera.events
      .filter((event) => event.name === 'message.status')
      .map((event) => event.payload as MessageStatus)
      .find((candidate) => candidate.transactionId === transactionId && candidate.state !== 'pending'),
  );
  if (status.state !== 'sent' || !status.eventId) throw new Error(`not sent: ${status.error?.code}`);
  return status.eventId;
}

async function invokeOk<T>(
  tessera: RecordedEngine,
  command: Parameters<RecordedEngine['invoke']>[0],
  args: unknown,
) {
  const outcome = await tessera.invoke(command, args);
  if (!outcome.ok) throw new Error(`${command} failed: ${outcome.error.code}`);
  return outcome.value as T;
}

async function errorCode(
  tessera: RecordedEngine,
  command: Parameters<RecordedEngine['invoke']>[0],
  args: unknown,
) {
  const outcome = await tessera.invoke(command, args);
  return outcome.ok ? 'ok' : outcome.error.code;
}

/** Two Tesseras (Alice created the encrypted room, Bob joined), both with the room open. */
async function twoTesserasInAnEncryptedRoom() {
  const aliceUser = await registerUser(homeserver);
  const bobUser = await registerUser(homeserver);
  const { tessera: alice } = await signIn(aliceUser);
  cleanup.push(() => alice.dispose());
  const { tessera: bob } = await signIn(bobUser);
  cleanup.push(() => bob.dispose());
  const { roomId } = await invokeOk<{ roomId: string }>(alice, 'rooms.create', {
    name: 'Relations',
    invite: [bobUser.userId],
  });
  await bob.waitForRooms((rooms) =>
    rooms.some((room) => room.roomId === roomId && room.membership === 'invite'),
  );
  await invokeOk(bob, 'rooms.join', { roomIdOrAlias: roomId });
  await alice.waitForRooms((rooms) =>
    rooms.some((room) => room.roomId === roomId && room.joinedMemberCount === 2),
  );
  await bob.waitForRooms((rooms) => rooms.some((room) => room.roomId === roomId && room.isEncrypted));
  const alicePage = await openTimeline(alice, roomId);
  const bobPage = await openTimeline(bob, roomId);
  return { alice, bob, aliceUser, bobUser, roomId, alicePage, bobPage };
}

const find = (items: TimelineItem[], eventId: string) => items.find((item) => item.eventId === eventId);

describe('relations in an encrypted room', () => {
  it('round-trips a reply, an edit, reactions and redactions between two Tesseras', async () => {
    const { alice, bob, aliceUser, bobUser, roomId, alicePage, bobPage } =
      await twoTesserasInAnEncryptedRoom();

    // Alice writes; Bob reads it decrypted.
    const sent = await invokeOk<{ transactionId: string }>(alice, 'message.send', {
      roomId,
      body: 'original words',
    });
    const original = await sentEventId(alice, sent.transactionId);
    let bobView = await untilView(
      bob,
      bobPage,
      'Bob to read Alice’s message',
      (items) => messageBody(find(items, original)) === 'original words',
    );
    expect(find(bobView, original)).toMatchObject({
      encrypted: true,
      sender: aliceUser.userId,
      canEdit: false,
    });
    expect(find(bobView, original)?.shield.level).not.toBe('none');

    // Bob replies; Alice sees the reply with its preview, no fallback.
    const reply = await invokeOk<{ transactionId: string }>(bob, 'message.send', {
      roomId,
      body: 'a reply',
      replyTo: original,
    });
    const replyId = await sentEventId(bob, reply.transactionId);
    let aliceView = await untilView(
      alice,
      alicePage,
      'Alice to see the reply',
      (items) => messageBody(find(items, replyId)) === 'a reply',
    );
    expect(find(aliceView, replyId)?.replyTo).toEqual({
      eventId: original,
      sender: aliceUser.userId,
      senderName: expect.any(String),
      preview: 'original words',
    });

    // Bob may not edit or remove Alice's message, nor act on unknown events.
    expect(await errorCode(bob, 'message.edit', { roomId, eventId: original, body: 'hijack' })).toBe(
      'not_editable',
    );
    expect(await errorCode(bob, 'message.redact', { roomId, eventId: original })).toBe('forbidden');
    expect(await errorCode(bob, 'message.react', { roomId, eventId: '$unknown', key: '👍' })).toBe(
      'event_not_found',
    );
    expect(await errorCode(bob, 'message.redact', { roomId, eventId: '$unknown' })).toBe('event_not_found');

    // Alice edits; Bob sees the new text. The edit travelled encrypted.
    const edited = await invokeOk<{ transactionId: string }>(alice, 'message.edit', {
      roomId,
      eventId: original,
      body: 'edited words',
    });
    const editId = await sentEventId(alice, edited.transactionId);
    bobView = await untilView(
      bob,
      bobPage,
      'Bob to see the edit',
      (items) => messageBody(find(items, original)) === 'edited words',
    );
    expect(find(bobView, original)?.content).toMatchObject({ kind: 'message', edited: true });
    expect(find(bobView, editId)).toBeUndefined();
    expect(bob.engine.session?.db.timeline.get(roomId, editId)?.type).toBe('m.room.encrypted');

    // Bob reacts (twice with the same key: one reaction); Alice sees it counted.
    const reacted = await invokeOk<{ transactionId: string }>(bob, 'message.react', {
      roomId,
      eventId: original,
      key: '👍',
    });
    expect(await invokeOk(bob, 'message.react', { roomId, eventId: original, key: '👍' })).toEqual(reacted);
    await sentEventId(bob, reacted.transactionId);
    aliceView = await untilView(
      alice,
      alicePage,
      'Alice to see the reaction',
      (items) => (find(items, original)?.reactions.length ?? 0) > 0,
    );
    expect(find(aliceView, original)?.reactions).toEqual([
      { key: '👍', count: 1, ownEventId: null, senders: [bobUser.userId] },
    ]);
    bobView = await untilView(bob, bobPage, 'Bob to see his own reaction stored', (items) =>
      Boolean(find(items, original)?.reactions[0]?.ownEventId),
    );
    const ownReaction = find(bobView, original)?.reactions[0]?.ownEventId;

    // Bob takes the reaction back; Alice's count drops.
    await invokeOk(bob, 'message.redact', { roomId, eventId: ownReaction });
    await untilView(
      alice,
      alicePage,
      'the reaction to go',
      (items) => find(items, original)?.reactions.length === 0,
    );

    // Alice removes her message; it is redacted for Bob, and its text is gone from his store.
    await invokeOk(alice, 'message.redact', { roomId, eventId: original, reason: 'second thoughts' });
    bobView = await untilView(
      bob,
      bobPage,
      'Bob to see the redaction',
      (items) => find(items, original)?.content.kind === 'redacted',
    );
    expect(find(bobView, original)?.content).toEqual({ kind: 'redacted', reason: 'second thoughts' });
    const stored = bob.engine.session?.db.timeline.get(roomId, original);
    expect(JSON.stringify(stored)).not.toContain('original words');
    // The reply now has no preview.
    expect(find(bobView, replyId)?.replyTo?.preview ?? null).toBeNull();
  });

  it('ignores a forged edit, an annotation that is not a reaction and a malformed m.relates_to', async () => {
    const { alice, bobUser, roomId, alicePage } = await twoTesserasInAnEncryptedRoom();
    const sent = await invokeOk<{ transactionId: string }>(alice, 'message.send', {
      roomId,
      body: 'the truth',
    });
    const original = await sentEventId(alice, sent.transactionId);

    // Sent by Bob's other device in the clear (a server or client that does not care).
    const forged = await sendRaw(bobUser, roomId, 'm.room.message', {
      msgtype: 'm.text',
      body: '* lies',
      'm.new_content': { msgtype: 'm.text', body: 'lies' },
      'm.relates_to': { rel_type: 'm.replace', event_id: original },
    });
    // Synapse refuses a reaction to an unknown event or without a key (the unit tests cover
    // those); an annotation on an event that is not an m.reaction it takes.
    const keyless = await sendRaw(bobUser, roomId, 'm.room.message', {
      msgtype: 'm.text',
      body: 'not a reaction',
      'm.relates_to': { rel_type: 'm.annotation', event_id: original, key: '👎' },
    });
    const malformed = await sendRaw(bobUser, roomId, 'm.room.message', {
      msgtype: 'm.text',
      body: 'odd relation',
      'm.relates_to': { rel_type: ['m.replace'], event_id: { nested: original }, 'm.in_reply_to': 'nope' },
    });
    const after = await sendRaw(bobUser, roomId, 'm.room.message', { msgtype: 'm.text', body: 'still fine' });

    const view = await untilView(
      alice,
      alicePage,
      'the last message',
      (items) => messageBody(find(items, after)) === 'still fine',
    );
    expect(messageBody(find(view, original))).toBe('the truth');
    expect(find(view, original)?.content).toMatchObject({ edited: false });
    expect(find(view, forged)).toBeUndefined();
    expect(find(view, keyless)).toBeUndefined();
    expect(find(view, original)?.reactions).toEqual([]);
    expect(messageBody(find(view, malformed))).toBe('odd relation');
    expect(find(view, malformed)?.replyTo).toBeNull();

    // Reopening reads the same from the store.
    const reopened: TimelinePage = await openTimeline(alice, roomId);
    expect(messageBody(find(reopened.items, original))).toBe('the truth');
    expect(messageBody(find(reopened.items, malformed))).toBe('odd relation');
  });
});
