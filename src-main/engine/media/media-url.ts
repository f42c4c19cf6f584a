// The media scheme's URLs as view models carry them (DESIGN.md §2: media as a media-scheme URL).
// The engine answers them (media-fetcher.ts) and main parses them strictly (media-protocol.ts);
// an event's attachment is addressed by room and event, so its keys never leave the engine.
export const mediaScheme = 'tessera-media';

/** tessera-media://event/<roomId>/<eventId>[?variant=thumbnail] */
export function eventMediaUrl(roomId: string, eventId: string, variant: 'full' | 'thumbnail'): string {
  const base = `${mediaScheme}://event/${encodeURIComponent(roomId)}/${encodeURIComponent(eventId)}`;
  return variant === 'thumbnail' ? `${base}?variant=thumbnail` : base;
}
