// An m.image message as the timeline shows it: media-scheme URLs for the image and its thumbnail
// (the engine fetches, decrypts and checks them when main asks, media-fetcher.ts), and the size
// the sender claims, only when it is plausible. No usable source: no image, the body shows.
import type { ImageView } from '../../../src-preload/contract.ts';
import { attachmentSource } from '../media/media-fetcher.ts';
import { eventMediaUrl } from '../media/media-url.ts';
import type { JsonObject } from '../store/json-column.ts';

/** Larger claims are ignored rather than trusted to size the layout. */
const MAX_SIDE = 20_000;

function side(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 && value <= MAX_SIDE
    ? value
    : null;
}

export function imageView(roomId: string, eventId: string, content: JsonObject): ImageView | null {
  if (content.msgtype !== 'm.image' || attachmentSource(content, 'full') === null) return null;
  const info =
    typeof content.info === 'object' && content.info !== null && !Array.isArray(content.info)
      ? (content.info as Record<string, unknown>)
      : {};
  const width = side(info.w);
  const height = side(info.h);
  return {
    url: eventMediaUrl(roomId, eventId, 'full'),
    thumbnailUrl:
      attachmentSource(content, 'thumbnail') === null ? null : eventMediaUrl(roomId, eventId, 'thumbnail'),
    // Both or neither: one side alone cannot reserve the image's space.
    width: width !== null && height !== null ? width : null,
    height: width !== null && height !== null ? height : null,
  };
}
