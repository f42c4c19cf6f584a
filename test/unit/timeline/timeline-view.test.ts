// The timeline's view models over a real store: messages, state in words, hidden relations,
// edits (only the sender's, newest wins), reactions (redacted ones gone), replies (fallback
// stripped), redactions (also when they arrive before their target), local echoes, shields.
import { afterEach, describe, expect, it } from 'vitest';
import type { TimelineItem } from '../../../src-preload/contract.ts';
import { RoomTimelines } from '../../../src-main/engine/timeline/room-timelines.ts';
import { ECHO_POSITION_BASE, shieldView } from '../../../src-main/engine/timeline/timeline-view.ts';
import {
  BOB,
  EVE,
  ME,
  ROOM,
  edit,
  event,
  reaction,
  redaction,
  text,
  timelineFixture,
  type TimelineFixture,
} from './timeline-fixture.ts';

let fixture: TimelineFixture;
afterEach(() => fixture?.close());

const byKey = (items: TimelineItem[], key: string) => items.find((item) => item.key === key);
const body = (item: TimelineItem | undefined) =>
  item?.content.kind === 'message' ? item.content.body : undefined;

function open(limit = 50) {
  return fixture.timelines.open(ROOM, limit).items;
}

describe('items', () => {
  it('shows messages with sender names, state events in words, and unknown types as unsupported', () => {
    fixture = timelineFixture();
    fixture.store([
      event('$create', 'm.room.create', { room_version: '10' }, { stateKey: '' }),
      event('$join', 'm.room.member', { membership: 'join', displayname: 'Bob' }, { stateKey: BOB }),
      event('$topic', 'm.room.topic', { topic: 'Plans' }, { stateKey: '' }),
      text('$hello', 'hello'),
      event('$poll', 'org.example.poll', { question: '?' }),
    ]);
    const items = open();
    expect(items.map((item) => item.key)).toEqual(['$create', '$join', '$topic', '$hello', '$poll']);
    expect(items.map((item) => item.content)).toEqual([
      { kind: 'state', text: 'Bob created the room' },
      { kind: 'state', text: 'Bob joined' },
      { kind: 'state', text: 'Bob changed the topic to “Plans”' },
      { kind: 'message', msgtype: 'm.text', body: 'hello', formattedBody: null, edited: false },
      { kind: 'unsupported', type: 'org.example.poll' },
    ]);
    const hello = byKey(items, '$hello');
    expect(hello).toMatchObject({
      eventId: '$hello',
      sender: BOB,
      senderName: 'Bob',
      encrypted: false,
      shield: { level: 'none', message: null },
      sendState: null,
      canEdit: false,
      canRedact: false,
      replyTo: null,
      reactions: [],
      readBy: [],
      highlight: false,
    });
  });

  it('returns the newest `limit` shown items, reading past hidden relations', () => {
    fixture = timelineFixture();
    fixture.store([text('$1', 'one'), text('$2', 'two')]);
    fixture.store(Array.from({ length: 10 }, (_, index) => reaction(`$r${index}`, '$2', `k${index}`)));
    const items = open(2);
    expect(items.map((item) => item.key)).toEqual(['$1', '$2']);
    expect(byKey(items, '$2')?.reactions).toHaveLength(10);
  });

  it('marks our own text messages editable and redactable, and others’ redactable with the power to', () => {
    fixture = timelineFixture();
    fixture.store([
      text('$mine', 'mine', { sender: ME, unsigned: { transaction_id: 'txn1' } }),
      text('$bob', 'bob'),
    ]);
    let items = open();
    expect(byKey(items, '$mine')).toMatchObject({
      canEdit: true,
      canRedact: true,
      sendState: 'sent',
      transactionId: 'txn1',
    });
    expect(byKey(items, '$bob')).toMatchObject({ canEdit: false, canRedact: false, transactionId: null });
    fixture.db.roomState.putMany(ROOM, [
      {
        type: 'm.room.power_levels',
        stateKey: '',
        eventId: null,
        sender: BOB,
        content: { users: { [ME]: 50 } },
      },
    ]);
    items = open();
    expect(byKey(items, '$bob')?.canRedact).toBe(true);
  });

  it('fills readBy and highlight from the injected receipts and mention check', () => {
    fixture = timelineFixture();
    fixture.store([text('$1', 'hi @me'), text('$2', 'plain')]);
    const changes: unknown[] = [];
    const timelines = new RoomTimelines({
      db: fixture.db,
      userId: ME,
      openRoom: () => {},
      paginate: () => Promise.resolve({ added: 0, reachedStart: true, skipped: 0 }),
      emit: (change) => changes.push(change),
      log: () => {},
      readersAt: (_roomId, eventIds) =>
        new Map(eventIds.filter((id) => id === '$1').map((id) => [id, [EVE, ME]])),
      mentionsMe: (content) => String(content.body).includes('@me'),
    });
    const items = timelines.open(ROOM, 10).items;
    expect(byKey(items, '$1')).toMatchObject({ readBy: [EVE], highlight: true });
    expect(byKey(items, '$2')).toMatchObject({ readBy: [], highlight: false });
  });
});

describe('edits', () => {
  it('apply the newest edit by the original sender and ignore edits by anyone else', () => {
    fixture = timelineFixture();
    fixture.store([
      text('$m', 'original'),
      edit('$e1', '$m', 'first edit'),
      edit('$e2', '$m', 'second edit'),
      edit('$forged', '$m', 'forged by eve', { sender: EVE }),
    ]);
    const items = open();
    expect(items.map((item) => item.key)).toEqual(['$m']);
    expect(items[0]?.content).toEqual({
      kind: 'message',
      msgtype: 'm.text',
      body: 'second edit',
      formattedBody: null,
      edited: true,
    });
  });

  it('win by timestamp, not by arrival, and an edit of another type is ignored', () => {
    fixture = timelineFixture();
    fixture.store([text('$m', 'original')]);
    const earlier = edit('$early', '$m', 'older');
    const later = edit('$late', '$m', 'newest');
    fixture.store([later]);
    fixture.store([earlier]);
    fixture.store([
      event('$wrongType', 'm.sticker', {
        body: 'sticker',
        'm.new_content': { body: 'x' },
        'm.relates_to': { rel_type: 'm.replace', event_id: '$m' },
      }),
    ]);
    expect(body(open()[0])).toBe('newest');
  });

  it('are announced as a change of their target', () => {
    fixture = timelineFixture();
    fixture.store([text('$m', 'original')]);
    open();
    fixture.store([edit('$e', '$m', 'changed')]);
    const last = fixture.changes.at(-1);
    expect(last?.upserted.map((item) => item.key)).toEqual(['$m']);
    expect(body(last?.upserted[0])).toBe('changed');
  });
});

describe('reactions', () => {
  it('count per key with their senders and our own event id, once per sender', () => {
    fixture = timelineFixture();
    fixture.store([
      text('$m', 'react to me'),
      reaction('$r1', '$m', '👍'),
      reaction('$r2', '$m', '👍', { sender: ME }),
      reaction('$r3', '$m', '🎉', { sender: EVE }),
      reaction('$dup', '$m', '👍'),
    ]);
    expect(open()[0]?.reactions).toEqual([
      { key: '👍', count: 2, ownEventId: '$r2', senders: [BOB, ME] },
      { key: '🎉', count: 1, ownEventId: null, senders: [EVE] },
    ]);
  });

  it('disappear when redacted', () => {
    fixture = timelineFixture();
    fixture.store([text('$m', 'react to me'), reaction('$r1', '$m', '👍')]);
    open();
    fixture.store([redaction('$x', '$r1')]);
    expect(open()[0]?.reactions).toEqual([]);
    expect(fixture.changes.at(-1)?.upserted.find((item) => item.key === '$m')?.reactions).toEqual([]);
  });

  it('to an unknown event, or with a malformed relation, break nothing', () => {
    fixture = timelineFixture();
    fixture.store([
      text('$m', 'still here'),
      reaction('$orphan', '$unknown', '👍'),
      event('$bad1', 'm.reaction', { 'm.relates_to': 'nonsense' }),
      event('$bad2', 'm.reaction', { 'm.relates_to': { rel_type: 'm.annotation', event_id: 42, key: 7 } }),
      event('$bad3', 'm.room.message', {
        msgtype: 'm.text',
        body: 'odd',
        'm.relates_to': { rel_type: {}, event_id: [] },
      }),
    ]);
    const items = open();
    expect(items.map((item) => item.key)).toEqual(['$m', '$bad3']);
    expect(body(items[1])).toBe('odd');
    expect(items[0]?.reactions).toEqual([]);
  });
});

describe('replies', () => {
  it('point at their target with a preview, without the reply fallback', () => {
    fixture = timelineFixture();
    fixture.store([
      text('$q', 'the question'),
      event(
        '$a',
        'm.room.message',
        {
          msgtype: 'm.text',
          body: '> <@bob:example.org> the question\n> second line\n\nthe answer',
          format: 'org.matrix.custom.html',
          formatted_body:
            '<mx-reply><blockquote><a href="x">In reply to</a> the question</blockquote></mx-reply><b>the answer</b>',
          'm.relates_to': { 'm.in_reply_to': { event_id: '$q' } },
        },
        { sender: EVE },
      ),
    ]);
    const answer = byKey(open(), '$a');
    expect(answer?.content).toMatchObject({ body: 'the answer', formattedBody: '<b>the answer</b>' });
    expect(answer?.replyTo).toEqual({
      eventId: '$q',
      sender: BOB,
      senderName: 'Bob',
      preview: 'the question',
    });
  });

  it('to an event not stored have no replyTo, and keep a body that merely starts with ">" when not a reply', () => {
    fixture = timelineFixture();
    fixture.store([
      event('$a', 'm.room.message', {
        msgtype: 'm.text',
        body: 'answer',
        'm.relates_to': { 'm.in_reply_to': { event_id: '$missing' } },
      }),
      text('$quote', '> quoted\n\nmine'),
    ]);
    const items = open();
    expect(byKey(items, '$a')?.replyTo).toBeNull();
    expect(body(byKey(items, '$quote'))).toBe('> quoted\n\nmine');
  });
});

describe('redactions', () => {
  it('wipe the target’s content and show it as redacted with the reason', () => {
    fixture = timelineFixture();
    fixture.store([text('$m', 'secret words')]);
    open();
    fixture.store([redaction('$x', '$m')]);
    const stored = fixture.db.timeline.get(ROOM, '$m');
    expect(stored?.content).toEqual({});
    expect(JSON.stringify(stored)).not.toContain('secret words');
    const item = open()[0];
    expect(item?.content).toEqual({ kind: 'redacted', reason: 'spam' });
    expect(item?.canRedact).toBe(false);
    expect(fixture.changes.at(-1)?.upserted.map((changed) => changed.key)).toEqual(['$m']);
  });

  it('apply when the redaction was stored before its target', () => {
    fixture = timelineFixture();
    fixture.store([redaction('$x', '$late')]);
    expect(open()).toEqual([]);
    fixture.store([text('$late', 'should vanish')]);
    expect(fixture.db.timeline.get(ROOM, '$late')?.content).toEqual({});
    expect(open()[0]?.content).toEqual({ kind: 'redacted', reason: 'spam' });
  });

  it('by another server’s user without the power to redact are ignored', () => {
    fixture = timelineFixture();
    fixture.store([text('$m', 'keep me'), redaction('$x', '$m', { sender: EVE })]);
    expect(body(open()[0])).toBe('keep me');
  });

  it('of an encrypted event drop its decrypted form', () => {
    fixture = timelineFixture();
    fixture.store([
      event(
        '$enc',
        'm.room.encrypted',
        { algorithm: 'm.megolm.v1.aes-sha2', ciphertext: 'x' },
        {
          decryption: 'decrypted',
          decrypted: {
            type: 'm.room.message',
            content: { msgtype: 'm.text', body: 'clear secret' },
            shield: { color: 'none' },
          },
        },
      ),
    ]);
    expect(body(open()[0])).toBe('clear secret');
    fixture.store([redaction('$x', '$enc')]);
    expect(JSON.stringify(fixture.db.timeline.get(ROOM, '$enc'))).not.toContain('clear secret');
    expect(open()[0]?.content.kind).toBe('redacted');
  });
});

describe('encrypted events', () => {
  it('show their clear content and shield, wait for a key, or say why they failed', () => {
    fixture = timelineFixture();
    const ciphertext = { algorithm: 'm.megolm.v1.aes-sha2', ciphertext: 'x' };
    fixture.store([
      event('$ok', 'm.room.encrypted', ciphertext, {
        decryption: 'decrypted',
        decrypted: {
          type: 'm.room.message',
          content: { msgtype: 'm.text', body: 'opened' },
          shield: {
            color: 'red',
            code: 'unsigned_device',
            message: 'Encrypted by a device not verified by its owner.',
          },
        },
      }),
      event('$wait', 'm.room.encrypted', ciphertext, { decryption: 'pending' }),
      event('$fail', 'm.room.encrypted', ciphertext, {
        decryption: 'failed',
        decrypted: { reason: 'malformed', message: 'This encrypted message is damaged' },
      }),
      event(
        '$encReaction',
        'm.room.encrypted',
        { ...ciphertext, 'm.relates_to': { rel_type: 'm.annotation', event_id: '$ok', key: '👍' } },
        {
          decryption: 'decrypted',
          decrypted: {
            type: 'm.reaction',
            content: { 'm.relates_to': { rel_type: 'm.annotation', event_id: '$ok', key: '👍' } },
            shield: { color: 'none' },
          },
        },
      ),
    ]);
    const items = open();
    expect(items.map((item) => item.key)).toEqual(['$ok', '$wait', '$fail']);
    expect(byKey(items, '$ok')).toMatchObject({
      encrypted: true,
      shield: { level: 'unverified', message: 'Encrypted by a device not verified by its owner.' },
      reactions: [{ key: '👍', count: 1, senders: [BOB] }],
    });
    expect(body(byKey(items, '$ok'))).toBe('opened');
    expect(byKey(items, '$wait')?.content).toMatchObject({ kind: 'undecryptable', waitingForKey: true });
    expect(byKey(items, '$fail')?.content).toEqual({
      kind: 'undecryptable',
      reason: 'malformed',
      message: 'This encrypted message is damaged',
      waitingForKey: false,
    });
  });

  it('map shields to levels', () => {
    expect(shieldView(undefined, false).level).toBe('none');
    expect(shieldView({ color: 'none' }, true, { color: 'none' }).level).toBe('verified');
    // A cross-signed device of someone we never verified, or no strict verdict stored: not verified.
    expect(
      shieldView({ color: 'none' }, true, { color: 'red', code: 'unverified_identity', message: 'x' }).level,
    ).toBe('unverified');
    expect(shieldView({ color: 'none' }, true).level).toBe('unverified');
    expect(shieldView({ color: 'red', code: 'unknown_device' }, true).level).toBe('insecure');
    expect(shieldView({ color: 'grey', code: 'authenticity_not_guaranteed' }, true).level).toBe('insecure');
    expect(shieldView({ color: 'red', code: 'mismatched_sender' }, true).level).toBe('insecure');
    expect(shieldView({ color: 'red', code: 'verification_violation' }, true).level).toBe('unverified');
  });
});

describe('local echoes', () => {
  it('show pending and failed messages after every stored event, and leave once the event is stored', () => {
    fixture = timelineFixture();
    fixture.store([text('$old', 'old')]);
    fixture.db.outgoing.enqueue(
      { txnId: 't1', roomId: ROOM, eventType: 'm.room.message', content: { msgtype: 'm.text', body: 'one' } },
      1000,
    );
    fixture.db.outgoing.enqueue(
      { txnId: 't2', roomId: ROOM, eventType: 'm.room.message', content: { msgtype: 'm.text', body: 'two' } },
      2000,
    );
    fixture.db.outgoing.markFailed('t2', 'message_refused');
    let items = open();
    expect(items.map((item) => item.key)).toEqual(['$old', 'txn:t1', 'txn:t2']);
    expect(byKey(items, 'txn:t1')).toMatchObject({
      sendState: 'pending',
      sendError: null,
      eventId: null,
      transactionId: 't1',
      sender: ME,
    });
    expect(byKey(items, 'txn:t2')).toMatchObject({
      sendState: 'failed',
      sendError: { code: 'message_refused' },
    });
    expect(byKey(items, 'txn:t1')!.position).toBeGreaterThanOrEqual(ECHO_POSITION_BASE);

    fixture.db.outgoing.markSent('t1', '$t1event');
    fixture.timelines.onStatus({ roomId: ROOM, transactionId: 't1', state: 'sent', eventId: '$t1event' });
    expect(fixture.changes.at(-1)?.upserted[0]).toMatchObject({
      key: 'txn:t1',
      sendState: 'sent',
      eventId: '$t1event',
    });

    fixture.store([text('$t1event', 'one', { sender: ME, unsigned: { transaction_id: 't1' } })]);
    const change = fixture.changes.at(-1);
    expect(change?.removed).toEqual(['txn:t1']);
    expect(change?.upserted[0]).toMatchObject({ key: '$t1event', transactionId: 't1' });
    items = open();
    expect(items.map((item) => item.key)).toEqual(['$old', '$t1event', 'txn:t2']);
  });

  it('of reactions and edits show inside their target', () => {
    fixture = timelineFixture();
    fixture.store([text('$mine', 'typo', { sender: ME })]);
    fixture.db.outgoing.enqueue({
      txnId: 'e1',
      roomId: ROOM,
      eventType: 'm.room.message',
      content: {
        msgtype: 'm.text',
        body: '* fixed',
        'm.new_content': { msgtype: 'm.text', body: 'fixed' },
        'm.relates_to': { rel_type: 'm.replace', event_id: '$mine' },
      },
    });
    fixture.db.outgoing.enqueue({
      txnId: 'r1',
      roomId: ROOM,
      eventType: 'm.reaction',
      content: { 'm.relates_to': { rel_type: 'm.annotation', event_id: '$mine', key: '👍' } },
    });
    const items = open();
    expect(items.map((item) => item.key)).toEqual(['$mine']);
    expect(body(items[0])).toBe('fixed');
    expect(items[0]?.reactions).toEqual([{ key: '👍', count: 1, ownEventId: null, senders: [ME] }]);
  });
});

describe('timeline.back', () => {
  it('reads older items from the store and pages from the server when the store runs out at a gap', async () => {
    let pages = 0;
    fixture = timelineFixture({
      paginate: (roomId) => {
        pages += 1;
        const gap = fixture.db.timeline.gaps(roomId).at(-1)!;
        fixture.db.timeline.fillGap(
          roomId,
          gap.ordering,
          [text('$p2', 'paged 2'), text('$p1', 'paged 1')],
          null,
        );
        return Promise.resolve({ added: 2, reachedStart: true, skipped: 0 });
      },
    });
    fixture.db.timeline.appendBatch(ROOM, [text('$a', 'a'), text('$b', 'b'), text('$c', 'c')], {
      prevBatch: 'token',
    });
    const opened = fixture.timelines.open(ROOM, 2);
    expect(opened.items.map((item) => item.key)).toEqual(['$b', '$c']);
    expect(opened.hasOlder).toBe(true);
    const fromStore = await fixture.timelines.back(ROOM, '$b', 1);
    expect(fromStore.items.map((item) => item.key)).toEqual(['$a']);
    expect(pages).toBe(0);
    const paged = await fixture.timelines.back(ROOM, '$a', 5);
    expect(pages).toBe(1);
    expect(paged.items.map((item) => item.key)).toEqual(['$p1', '$p2']);
    expect(paged.hasOlder).toBe(false);
  });
});

describe('replies of an open room', () => {
  it('are announced again when their target is edited or redacted', () => {
    fixture = timelineFixture();
    fixture.store([
      text('$q', 'question'),
      event('$a', 'm.room.message', {
        msgtype: 'm.text',
        body: 'answer',
        'm.relates_to': { 'm.in_reply_to': { event_id: '$q' } },
      }),
    ]);
    open();
    fixture.store([edit('$e', '$q', 'better question')]);
    let reply = fixture.changes.at(-1)?.upserted.find((item) => item.key === '$a');
    expect(reply?.replyTo?.preview).toBe('better question');
    fixture.store([redaction('$x', '$q')]);
    reply = fixture.changes.at(-1)?.upserted.find((item) => item.key === '$a');
    expect(reply?.replyTo).toMatchObject({ eventId: '$q', preview: null });
  });
});

describe('edits of encrypted messages', () => {
  it('count only when encrypted themselves', () => {
    fixture = timelineFixture();
    const ciphertext = { algorithm: 'm.megolm.v1.aes-sha2', ciphertext: 'x' };
    const decrypted = (content: Record<string, unknown>) => ({
      decryption: 'decrypted' as const,
      decrypted: { type: 'm.room.message', content, shield: { color: 'none' } },
    });
    fixture.store([
      event('$enc', 'm.room.encrypted', ciphertext, decrypted({ msgtype: 'm.text', body: 'secret plan' })),
      edit('$clearEdit', '$enc', 'forged in the clear'),
    ]);
    expect(body(open()[0])).toBe('secret plan');
    fixture.store([
      event(
        '$encEdit',
        'm.room.encrypted',
        { ...ciphertext, 'm.relates_to': { rel_type: 'm.replace', event_id: '$enc' } },
        decrypted({
          msgtype: 'm.text',
          body: '* better plan',
          'm.new_content': { msgtype: 'm.text', body: 'better plan' },
          'm.relates_to': { rel_type: 'm.replace', event_id: '$enc' },
        }),
      ),
    ]);
    expect(open().map((item) => [item.key, body(item)])).toEqual([['$enc', 'better plan']]);
  });
});

describe('queued reactions', () => {
  it('update their target as they are sent, and when cancelled', () => {
    fixture = timelineFixture();
    fixture.store([text('$m', 'm')]);
    open();
    const content = { 'm.relates_to': { rel_type: 'm.annotation', event_id: '$m', key: '👍' } };
    fixture.db.outgoing.enqueue({ txnId: 'r1', roomId: ROOM, eventType: 'm.reaction', content });
    fixture.timelines.onStatus({ roomId: ROOM, transactionId: 'r1', state: 'pending' });
    expect(fixture.changes.at(-1)?.upserted[0]?.reactions).toEqual([
      { key: '👍', count: 1, ownEventId: null, senders: [ME] },
    ]);
    fixture.db.outgoing.remove('r1');
    fixture.timelines.forget(ROOM, 'r1');
    expect(fixture.changes.at(-1)).toEqual({
      roomId: ROOM,
      upserted: [expect.objectContaining({ key: '$m', reactions: [] })],
      removed: ['txn:r1'],
    });
  });
});
