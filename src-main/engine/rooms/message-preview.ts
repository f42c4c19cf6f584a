// The room list's one-line preview of a room's latest message: plain text of the (decrypted)
// m.room.message, the new text for an edit, a word for media ("Image"), nothing for a redacted
// message. Shown only in the app; never logged.
import type { TimelineItem } from '../timeline/decrypted-timeline.ts';

export const PREVIEW_MAX_CHARS = 120;

const mediaWords: Record<string, string> = {
  'm.image': 'Image',
  'm.video': 'Video',
  'm.audio': 'Audio',
  'm.file': 'File',
  'm.location': 'Location',
};

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A redacted event: the server says so, or the content is gone. */
export function isRedacted(
  item: Pick<TimelineItem, 'content' | 'decryption'>,
  unsigned: Record<string, unknown> | null,
): boolean {
  if (unsigned && isObject(unsigned.redacted_because)) return true;
  return (
    item.decryption !== 'pending' && item.decryption !== 'failed' && Object.keys(item.content).length === 0
  );
}

/** The edit's target when the content replaces an earlier event (m.replace). */
export function replacedEventId(content: Record<string, unknown>): string | null {
  const relation = content['m.relates_to'];
  if (!isObject(relation) || relation.rel_type !== 'm.replace') return null;
  return typeof relation.event_id === 'string' ? relation.event_id : null;
}

/** Drops the quoted fallback an older client put before a reply's text ("> <@user> ..."). */
function withoutReplyFallback(body: string, content: Record<string, unknown>): string {
  const relation = content['m.relates_to'];
  if (!isObject(relation) || !isObject(relation['m.in_reply_to']) || !body.startsWith('> ')) return body;
  const lines = body.split('\n');
  let index = 0;
  while (index < lines.length && lines[index]?.startsWith('>')) index++;
  return lines.slice(index).join('\n');
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > PREVIEW_MAX_CHARS ? `${line.slice(0, PREVIEW_MAX_CHARS - 1)}…` : line;
}

/** The preview of one message content (type m.room.message), or null when it has no text. */
function messagePreview(content: Record<string, unknown>): string | null {
  const shown =
    replacedEventId(content) !== null && isObject(content['m.new_content'])
      ? content['m.new_content']
      : content;
  const msgtype = typeof shown.msgtype === 'string' ? shown.msgtype : null;
  const media = msgtype ? mediaWords[msgtype] : undefined;
  if (media) return media;
  if (typeof shown.body !== 'string') return null;
  const text = oneLine(withoutReplyFallback(shown.body, content));
  if (text.length === 0) return null;
  return msgtype === 'm.emote' ? oneLine(`* ${text}`) : text;
}

/**
 * The preview of the latest message among `newestFirst`: skips events that are not messages,
 * redacted ones and those not decrypted (yet).
 */
export function latestMessagePreview(
  newestFirst: Iterable<{ item: TimelineItem; unsigned: Record<string, unknown> | null }>,
): string | null {
  for (const { item, unsigned } of newestFirst) {
    if (item.type !== 'm.room.message' && item.type !== 'm.sticker') continue;
    if (isRedacted(item, unsigned)) continue;
    if (item.type === 'm.sticker') return 'Sticker';
    const preview = messagePreview(item.content);
    if (preview !== null) return preview;
  }
  return null;
}
