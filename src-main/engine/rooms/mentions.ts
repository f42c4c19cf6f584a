// Whether a message mentions us, per the spec's intentional mentions (m.mentions, Matrix 1.7):
// our user id in `user_ids`, or `room: true` from a sender allowed to notify the room. A message
// without m.mentions (an older client) falls back to the legacy rules: our user id or display
// name in the body as a whole word, or "@room" from a sender allowed to notify the room.
export interface MentionTarget {
  userId: string;
  displayName: string | null;
}

export interface MentionOptions {
  /** The sender's power reaches the room's `notifications.room` level (default 50). */
  senderMayNotifyRoom?: boolean;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `needle` in `text` as a whole word (not inside a longer word), ignoring case. */
function containsWord(text: string, needle: string): boolean {
  if (needle.length === 0) return false;
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}_])${escapeRegExp(needle)}(?![\\p{L}\\p{N}_])`, 'iu');
  return pattern.test(text);
}

export function mentionsMe(
  content: Record<string, unknown>,
  me: MentionTarget,
  options: MentionOptions = {},
): boolean {
  const mentions = content['m.mentions'];
  if (isObject(mentions)) {
    const userIds = mentions.user_ids;
    if (Array.isArray(userIds) && userIds.includes(me.userId)) return true;
    return mentions.room === true && options.senderMayNotifyRoom === true;
  }
  const body = content.body;
  if (typeof body !== 'string') return false;
  if (containsWord(body, me.userId)) return true;
  const displayName = me.displayName?.trim();
  if (displayName && containsWord(body, displayName)) return true;
  return options.senderMayNotifyRoom === true && containsWord(body, '@room');
}
