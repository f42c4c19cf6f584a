// What a CLI command prints: human-readable lines by default, or one JSON document with --json.
// Message text goes to stdout only, as the person asked to read it.
import type { RoomSummary, SessionView, ShieldView } from '../../../src-preload/contract.ts';
import type { TimelineItem } from '../timeline/decrypted-timeline.ts';
import { shieldView } from '../timeline/timeline-view.ts';

export type CliResult =
  | { kind: 'none' }
  | { kind: 'done'; what: string }
  | { kind: 'session'; session: SessionView }
  | { kind: 'rooms'; rooms: RoomSummary[] }
  | { kind: 'room'; roomId: string }
  | { kind: 'sent'; roomId: string; transactionId: string; eventId: string | null }
  | { kind: 'timeline'; roomId: string; items: TimelineItem[] };

/** One message of `read --json`. */
export interface MessageView {
  eventId: string;
  sender: string;
  timestamp: number;
  type: string;
  body: string | null;
  encrypted: boolean;
  decryption: TimelineItem['decryption'];
  shield: TimelineItem['shield'] | null;
  /** The shield as the app shows it: verified only when the sender is verified too. */
  trust: ShieldView['level'];
  utd: { reason: string; message: string } | null;
}

export function messageView(item: TimelineItem): MessageView {
  return {
    eventId: item.eventId,
    sender: item.sender,
    timestamp: item.originServerTs,
    type: item.type,
    body: typeof item.content.body === 'string' ? item.content.body : null,
    encrypted: item.encrypted,
    decryption: item.decryption,
    shield: item.shield ?? null,
    trust: shieldView(item.shield, item.encrypted && item.decryption === 'decrypted', item.strictShield)
      .level,
    utd: item.failure ?? null,
  };
}

/** The JSON document of a result: `{ ok: true, ... }`. */
export function jsonDocument(result: CliResult): Record<string, unknown> {
  switch (result.kind) {
    case 'none':
      return { ok: true };
    case 'done':
      return { ok: true };
    case 'session':
      return { ok: true, session: result.session };
    case 'rooms':
      return { ok: true, rooms: result.rooms };
    case 'room':
      return { ok: true, roomId: result.roomId };
    case 'sent':
      return {
        ok: true,
        roomId: result.roomId,
        transactionId: result.transactionId,
        eventId: result.eventId,
      };
    case 'timeline':
      return { ok: true, roomId: result.roomId, messages: result.items.map(messageView) };
  }
}

export function formatOutput(result: CliResult, json: boolean): string {
  if (json) return `${JSON.stringify(jsonDocument(result))}\n`;
  const lines = humanLines(result);
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}

function humanLines(result: CliResult): string[] {
  switch (result.kind) {
    case 'none':
      return [];
    case 'done':
      return [result.what];
    case 'session': {
      const { session } = result;
      return [
        `${session.userId}${session.displayName ? ` (${session.displayName})` : ''}`,
        `device ${session.deviceId} on ${session.homeserver}`,
        `sync ${session.syncState}; local data ${session.storage.state}`,
      ];
    }
    case 'rooms':
      return result.rooms.map(
        (room) =>
          `${room.roomId}\t${room.membership}\t${room.isEncrypted ? 'encrypted' : 'unencrypted'}\t${room.name}`,
      );
    case 'room':
      return [result.roomId];
    case 'sent':
      return [`sent ${result.eventId ?? result.transactionId}`];
    case 'timeline':
      return result.items.map(messageLine);
  }
}

function messageLine(item: TimelineItem): string {
  const time = new Date(item.originServerTs).toISOString();
  const view = messageView(item);
  let text: string;
  if (item.failure) text = `[unable to decrypt: ${item.failure.reason}]`;
  else if (item.decryption === 'pending') text = '[waiting for decryption]';
  else text = view.body ?? `[${item.type}]`;
  const shield = item.encrypted ? ` [${view.trust}${item.shield?.code ? ` ${item.shield.code}` : ''}]` : '';
  return `${time} ${item.sender}${shield}: ${text}`;
}
