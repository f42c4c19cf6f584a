// Event content for what the person writes: text messages (markdown rendered to Matrix HTML
// when it formats anything), replies, edits and reactions, per the spec's shapes. `body`
// always stays the plain text the person typed.
import MarkdownIt from 'markdown-it';
import type { JsonObject } from '../store/json-column.ts';

// html: false, so raw HTML typed in a message is shown as text, never passed on as markup.
const markdown = new MarkdownIt({ html: false, linkify: true, breaks: true });

const escapeHtml = (text: string): string =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

/** The Matrix HTML of `body`, or null when markdown adds nothing to the plain text. */
export function formattedBody(body: string): string | null {
  const html = markdown.render(body).trim();
  const single = /^<p>([\s\S]*)<\/p>$/.exec(html);
  const inner = single?.[1];
  if (inner !== undefined && !inner.includes('<p>')) {
    const plain = inner.replaceAll('<br>\n', '\n');
    if (plain === escapeHtml(body.trim())) return null;
  }
  return html;
}

/** A text body with its formatted form when markdown formats it. */
export function textContent(body: string, msgtype = 'm.text'): JsonObject {
  const html = formattedBody(body);
  return {
    msgtype,
    body,
    ...(html === null ? {} : { format: 'org.matrix.custom.html', formatted_body: html }),
  };
}

/** A message, replying to `replyTo` (whose sender is mentioned) when given. */
export function messageContent(
  body: string,
  replyTo?: { eventId: string; sender: string },
  ownUserId?: string,
): JsonObject {
  const content = textContent(body);
  if (!replyTo) return content;
  const mentioned = replyTo.sender === ownUserId ? [] : [replyTo.sender];
  return {
    ...content,
    'm.relates_to': { 'm.in_reply_to': { event_id: replyTo.eventId } },
    'm.mentions': { user_ids: mentioned },
  };
}

/** An edit (m.replace) of `eventId`: the new text in m.new_content, a "* " fallback outside it. */
export function editContent(eventId: string, body: string, msgtype = 'm.text'): JsonObject {
  const replacement = textContent(body, msgtype);
  const fallback: JsonObject = { msgtype, body: `* ${body}` };
  if (typeof replacement.formatted_body === 'string') {
    fallback.format = 'org.matrix.custom.html';
    fallback.formatted_body = `* ${replacement.formatted_body}`;
  }
  return {
    ...fallback,
    'm.new_content': replacement,
    'm.relates_to': { rel_type: 'm.replace', event_id: eventId },
  };
}

/** A reaction (m.annotation) with `key` to `eventId`. */
export function reactionContent(eventId: string, key: string): JsonObject {
  return { 'm.relates_to': { rel_type: 'm.annotation', event_id: eventId, key } };
}
