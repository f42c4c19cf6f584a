// The redaction algorithm's content (room version 11 keep-lists) and who may redact whom.
import { describe, expect, it } from 'vitest';
import { redactedContent } from '../../../src-main/engine/timeline/redactions.ts';
import { storedContent } from '../../../src-main/engine/sync/event-shapes.ts';

describe('redactedContent', () => {
  it('keeps only what the spec keeps per type', () => {
    expect(redactedContent('m.room.message', { msgtype: 'm.text', body: 'secret' })).toEqual({});
    expect(
      redactedContent('m.room.member', { membership: 'join', displayname: 'Bob', avatar_url: 'mxc://a/b' }),
    ).toEqual({
      membership: 'join',
    });
    expect(
      redactedContent('m.room.power_levels', {
        users: { '@a:x': 100 },
        ban: 50,
        notifications: { room: 50 },
      }),
    ).toEqual({
      users: { '@a:x': 100 },
      ban: 50,
    });
    expect(redactedContent('m.room.create', { creator: '@a:x', room_version: '11', extra: 1 })).toEqual({
      creator: '@a:x',
      room_version: '11',
      extra: 1,
    });
    expect(redactedContent('m.room.join_rules', { join_rule: 'restricted', allow: [], other: 1 })).toEqual({
      join_rule: 'restricted',
      allow: [],
    });
    expect(redactedContent('m.room.encrypted', { ciphertext: 'x', 'm.relates_to': {} })).toEqual({});
  });
});

describe('storedContent', () => {
  it('moves a pre-v11 top-level `redacts` into the content, and leaves other events alone', () => {
    expect(storedContent({ type: 'm.room.redaction', content: { reason: 'r' }, redacts: '$t' })).toEqual({
      reason: 'r',
      redacts: '$t',
    });
    expect(
      storedContent({ type: 'm.room.redaction', content: { redacts: '$v11' }, redacts: '$other' }),
    ).toEqual({
      redacts: '$v11',
    });
    expect(storedContent({ type: 'm.room.message', content: { body: 'x' }, redacts: '$t' })).toEqual({
      body: 'x',
    });
    expect(storedContent({ type: 'm.room.redaction' })).toEqual({});
  });
});
