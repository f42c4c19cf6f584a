// Sanitizes a message's formatted body with DOMPurify against html-rules.ts before it is shown.
import DOMPurify, { type Config } from 'dompurify';
import { allowedAttribute, allowedAttributes, allowedTags, droppedWithContent } from './html-rules.ts';

const purify = DOMPurify(window);

purify.addHook('uponSanitizeAttribute', (node, data) => {
  if (!allowedAttribute(node.nodeName.toLowerCase(), data.attrName, data.attrValue)) data.keepAttr = false;
});

purify.addHook('afterSanitizeAttributes', (node) => {
  if (node.nodeName.toLowerCase() !== 'a') return;
  if (node.hasAttribute('href')) {
    node.setAttribute('target', '_blank');
    node.setAttribute('rel', 'noopener noreferrer');
  }
});

const config: Config & { RETURN_TRUSTED_TYPE: false } = {
  ALLOWED_TAGS: [...allowedTags],
  ALLOWED_ATTR: [...allowedAttributes],
  ALLOWED_URI_REGEXP: /^(?:https?:|mailto:)/i,
  FORBID_CONTENTS: [...droppedWithContent, 'script', 'style', 'template', 'noscript', 'iframe', 'object'],
  ALLOW_DATA_ATTR: false,
  ALLOW_ARIA_ATTR: false,
  KEEP_CONTENT: true,
  RETURN_TRUSTED_TYPE: false,
};

/** HTML safe to insert: only the Matrix subset, links to http(s)/mailto opening outside. */
export function sanitizeMessageHtml(html: string): string {
  return purify.sanitize(html, config);
}
