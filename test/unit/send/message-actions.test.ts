// message.send/edit/react/redact checks over a real store: replies need a stored target, only
// our own text messages can be edited, reacting twice is one reaction, redaction follows
// ownership and power levels and goes to PUT /redact with a transaction id.
import { afterEach, describe, expect, it } from 'vitest';
import { MatrixHttp } from '../../../src-main/engine/http/matrix-http.ts';
import {
  editMessage,
  react,
  sendMessage,
  type MessageActionsContext,
} from '../../../src-main/engine/send/message-actions.ts';
import { redactEvent } from '../../../src-main/engine/send/redaction.ts';
import type { JsonObject } from '../../../src-main/engine/store/json-column.ts';
import {
  BOB,
  ME,
  ROOM,
  event,
  reaction,
  text,
  timelineFixture,
  type TimelineFixture,
} from '../timeline/timeline-fixture.ts';

let fixture: TimelineFixture;
afterEach(() => fixture?.close());

function context(): { actions: MessageActionsContext; sent: { type: string; content: JsonObject }[] } {
  const sent: { type: string; content: JsonObject }[] = [];
  let next = 0;
  const actions: MessageActionsContext = {
    db: fixture.db,
    relations: fixture.timelines.relations,
    userId: ME,
    queue: {
      send(roomId, eventType, content) {
        const txnId = `t${++next}`;
        fixture.db.outgoing.enqueue({ txnId, roomId, eventType, content });
        sent.push({ type: eventType, content });
        return txnId;
      },
    },
  };
  return { actions, sent };
}

const codeOf = (work: () => unknown): string | undefined => {
  try {
    work();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
};

describe('message.send with replyTo', () => {
  it('relates to the stored target and mentions its sender; an unknown target is refused', () => {
    fixture = timelineFixture();
    fixture.store([text('$q', 'question')]);
    const { actions, sent } = context();
    sendMessage(actions, ROOM, 'answer', '$q');
    expect(sent[0]?.content).toMatchObject({
      body: 'answer',
      'm.relates_to': { 'm.in_reply_to': { event_id: '$q' } },
      'm.mentions': { user_ids: [BOB] },
    });
    expect(codeOf(() => sendMessage(actions, ROOM, 'answer', '$missing'))).toBe('event_not_found');
  });
});

describe('message.edit', () => {
  it('edits our own text messages only', () => {
    fixture = timelineFixture();
    fixture.store([
      text('$mine', 'mine', { sender: ME }),
      text('$bobs', 'bobs'),
      event('$state', 'm.room.topic', { topic: 't' }, { sender: ME, stateKey: '' }),
      event(
        '$image',
        'm.room.message',
        { msgtype: 'm.image', body: 'x.png', url: 'mxc://x/y' },
        { sender: ME },
      ),
    ]);
    const { actions, sent } = context();
    editMessage(actions, ROOM, '$mine', 'better');
    expect(sent[0]).toEqual({
      type: 'm.room.message',
      content: {
        msgtype: 'm.text',
        body: '* better',
        'm.new_content': { msgtype: 'm.text', body: 'better' },
        'm.relates_to': { rel_type: 'm.replace', event_id: '$mine' },
      },
    });
    expect(codeOf(() => editMessage(actions, ROOM, '$bobs', 'x'))).toBe('not_editable');
    expect(codeOf(() => editMessage(actions, ROOM, '$state', 'x'))).toBe('not_editable');
    expect(codeOf(() => editMessage(actions, ROOM, '$image', 'x'))).toBe('not_editable');
    expect(codeOf(() => editMessage(actions, ROOM, '$nope', 'x'))).toBe('event_not_found');
  });
});

describe('message.react', () => {
  it('sends one reaction per key, returning the queued or stored one when asked again', () => {
    fixture = timelineFixture();
    fixture.store([
      text('$m', 'm'),
      reaction('$mine', '$m', '🎉', { sender: ME, unsigned: { transaction_id: 'old' } }),
    ]);
    const { actions, sent } = context();
    const first = react(actions, ROOM, '$m', '👍');
    expect(react(actions, ROOM, '$m', '👍')).toEqual(first);
    expect(react(actions, ROOM, '$m', '🎉')).toEqual({ transactionId: 'old' });
    expect(sent).toHaveLength(1);
    expect(codeOf(() => react(actions, ROOM, '$unknown', '👍'))).toBe('event_not_found');
  });
});

describe('message.redact', () => {
  function http(calls: { method: string; path: string; body: unknown }[], status = 200) {
    return new MatrixHttp({
      baseUrl: new URL('http://127.0.0.1:1'),
      accessToken: 'token',
      backoffBaseMs: 1,
      fetch: async (input, init) => {
        const url = new URL(input instanceof Request ? input.url : String(input));
        calls.push({
          method: init?.method ?? 'GET',
          path: decodeURIComponent(url.pathname),
          body: JSON.parse(String(init?.body ?? 'null')),
        });
        const body = status === 200 ? { event_id: '$redaction' } : { errcode: 'M_FORBIDDEN', error: 'no' };
        return new Response(JSON.stringify(body), {
          status,
          headers: { 'content-type': 'application/json' },
        });
      },
    });
  }

  it('redacts our own events, refuses others’ without the power, and unknown events', async () => {
    fixture = timelineFixture();
    fixture.store([text('$mine', 'mine', { sender: ME }), text('$bobs', 'bobs')]);
    const calls: { method: string; path: string; body: unknown }[] = [];
    const redaction = { db: fixture.db, http: http(calls), userId: ME };
    await redactEvent(redaction, ROOM, '$mine', 'oops');
    expect(calls).toHaveLength(1);
    expect(calls[0]?.method).toBe('PUT');
    expect(calls[0]?.path).toMatch(
      new RegExp(`^/_matrix/client/v3/rooms/${ROOM}/redact/\\$mine/tessera-redact-`),
    );
    expect(calls[0]?.body).toEqual({ reason: 'oops' });
    await expect(redactEvent(redaction, ROOM, '$bobs')).rejects.toMatchObject({ code: 'forbidden' });
    await expect(redactEvent(redaction, ROOM, '$nope')).rejects.toMatchObject({ code: 'event_not_found' });
    expect(calls).toHaveLength(1);

    fixture.db.roomState.putMany(ROOM, [
      {
        type: 'm.room.power_levels',
        stateKey: '',
        eventId: null,
        sender: BOB,
        content: { users: { [ME]: 50 } },
      },
    ]);
    await redactEvent(redaction, ROOM, '$bobs');
    expect(calls).toHaveLength(2);
  });

  it('maps the server’s refusal to forbidden', async () => {
    fixture = timelineFixture();
    fixture.store([text('$mine', 'mine', { sender: ME })]);
    const redaction = { db: fixture.db, http: http([], 403), userId: ME };
    await expect(redactEvent(redaction, ROOM, '$mine')).rejects.toMatchObject({ code: 'forbidden' });
  });
});
