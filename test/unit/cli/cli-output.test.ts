// The CLI's --json documents (one per run) and its human-readable lines.
import { describe, expect, it } from 'vitest';
import { formatOutput, jsonDocument, type CliResult } from '../../../src-main/engine/cli/cli-output.ts';
import type { TimelineItem } from '../../../src-main/engine/timeline/decrypted-timeline.ts';

const decrypted: TimelineItem = {
  eventId: '$a',
  sender: '@alice:s',
  originServerTs: 0,
  type: 'm.room.message',
  content: { msgtype: 'm.text', body: 'hi' },
  encrypted: true,
  decryption: 'decrypted',
  shield: { color: 'none' },
  senderDeviceId: 'DEV',
};
const undecryptable: TimelineItem = {
  eventId: '$b',
  sender: '@bob:s',
  originServerTs: 1,
  type: 'm.room.encrypted',
  content: {},
  encrypted: true,
  decryption: 'failed',
  failure: { reason: 'MissingRoomKey', message: 'The key was not shared with this device' },
};

describe('CLI output', () => {
  it('prints read --json as messages with shield and UTD reason', () => {
    const document = JSON.parse(
      formatOutput({ kind: 'timeline', roomId: '!r', items: [decrypted, undecryptable] }, true),
    ) as unknown;
    expect(document).toEqual({
      ok: true,
      roomId: '!r',
      messages: [
        {
          eventId: '$a',
          sender: '@alice:s',
          timestamp: 0,
          type: 'm.room.message',
          body: 'hi',
          encrypted: true,
          decryption: 'decrypted',
          shield: { color: 'none' },
          // A cross-signed device, but no strict verdict: we never verified Alice.
          trust: 'unverified',
          utd: null,
        },
        {
          eventId: '$b',
          sender: '@bob:s',
          timestamp: 1,
          type: 'm.room.encrypted',
          body: null,
          encrypted: true,
          decryption: 'failed',
          shield: null,
          trust: 'none',
          utd: { reason: 'MissingRoomKey', message: 'The key was not shared with this device' },
        },
      ],
    });
  });

  it('prints exactly one JSON document per result', () => {
    for (const result of [
      { kind: 'room', roomId: '!r' },
      { kind: 'sent', roomId: '!r', transactionId: 't', eventId: '$e' },
      { kind: 'rooms', rooms: [] },
      { kind: 'done', what: 'signed out' },
    ] satisfies CliResult[]) {
      const text = formatOutput(result, true);
      expect(text.trim().split('\n')).toHaveLength(1);
      expect(JSON.parse(text)).toMatchObject({ ok: true });
    }
    expect(jsonDocument({ kind: 'room', roomId: '!r' })).toEqual({ ok: true, roomId: '!r' });
  });

  it('prints one human line per message, with the UTD reason', () => {
    const text = formatOutput({ kind: 'timeline', roomId: '!r', items: [decrypted, undecryptable] }, false);
    const lines = text.trim().split('\n');
    expect(lines[0]).toMatch(/@alice:s \[unverified\]: hi$/);
    expect(lines[1]).toMatch(/unable to decrypt: MissingRoomKey/);
  });
});
