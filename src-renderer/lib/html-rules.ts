// What may survive of a message's HTML: the Matrix spec's suggested subset (client-server API,
// "m.room.message msgtypes", HTML), minus what cannot be shown safely here: no img (media is not
// built, and an image would be a request the sender triggers), no inline colours (the CSP refuses
// inline style). Pure data and predicates, so they are unit tested in Node.

export const allowedTags: readonly string[] = [
  'font',
  'del',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'blockquote',
  'p',
  'a',
  'ul',
  'ol',
  'sup',
  'sub',
  'li',
  'b',
  'i',
  'u',
  'strong',
  'em',
  's',
  'code',
  'hr',
  'br',
  'div',
  'table',
  'thead',
  'tbody',
  'tr',
  'th',
  'td',
  'caption',
  'pre',
  'span',
  'details',
  'summary',
];

/** Attributes allowed on any allowed tag; per-tag limits are in allowedAttribute. */
export const allowedAttributes: readonly string[] = ['href', 'name', 'start', 'class', 'data-mx-spoiler'];

/** Tags removed with everything inside them (the reply fallback repeats the quoted message). */
export const droppedWithContent: readonly string[] = ['mx-reply'];

/** Links may only leave for the web or mail; any other scheme (javascript:, file:, app:) is dropped. */
export function isAllowedLink(href: string): boolean {
  return /^(?:https?:|mailto:)/i.test(href.trim());
}

/** Whether an attribute may stay on a tag (the spec's per-tag lists). */
export function allowedAttribute(tag: string, name: string, value: string): boolean {
  switch (name) {
    case 'href':
      return tag === 'a' && isAllowedLink(value);
    case 'name':
      return tag === 'a';
    case 'start':
      return tag === 'ol' && /^\d{1,9}$/.test(value);
    case 'class':
      // Only a code block's language, as the spec allows.
      return tag === 'code' && /^language-[A-Za-z0-9_+#-]{1,32}$/.test(value);
    case 'data-mx-spoiler':
      return tag === 'span';
    default:
      return false;
  }
}
