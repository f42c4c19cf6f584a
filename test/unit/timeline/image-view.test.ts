// m.image messages in the timeline: media-scheme URLs main can parse back to the event (never a
// network URL, never the keys), the thumbnail when the sender made one, and only plausible sizes.
import { describe, expect, it } from 'vitest';
import { imageView } from '../../../src-main/engine/timeline/image-view.ts';
import { parseMediaUrl } from '../../../src-main/media-protocol.ts';

const ROOM = '!room:example.org';
const EVENT = '$event/with+odd=chars';
const file = {
  url: 'mxc://example.org/encrypted',
  key: { kty: 'oct', alg: 'A256CTR', ext: true, k: 'a'.repeat(43), key_ops: ['encrypt', 'decrypt'] },
  iv: 'AAAAAAAAAAAAAAAAAAAAAA',
  hashes: { sha256: 'b'.repeat(43) },
  v: 'v2',
};

describe('image messages', () => {
  it('point at the event through the media scheme, which main parses back', () => {
    const view = imageView(ROOM, EVENT, {
      msgtype: 'm.image',
      body: 'cat.png',
      url: 'mxc://example.org/abc',
      info: { w: 800, h: 600, thumbnail_url: 'mxc://example.org/thumb' },
    });
    expect(view).toEqual({
      url: expect.stringMatching(/^tessera-media:\/\/event\//),
      thumbnailUrl: expect.stringMatching(/\?variant=thumbnail$/),
      width: 800,
      height: 600,
    });
    expect(parseMediaUrl(view?.url ?? '')).toEqual({
      kind: 'event',
      roomId: ROOM,
      eventId: EVENT,
      variant: 'full',
    });
    expect(parseMediaUrl(view?.thumbnailUrl ?? '')).toEqual({
      kind: 'event',
      roomId: ROOM,
      eventId: EVENT,
      variant: 'thumbnail',
    });
  });

  it('carry no key and no server address for an encrypted image', () => {
    const view = imageView(ROOM, EVENT, {
      msgtype: 'm.image',
      body: 'x',
      file,
      info: { thumbnail_file: file },
    });
    expect(view?.thumbnailUrl).not.toBeNull();
    expect(JSON.stringify(view)).not.toMatch(/mxc:|A256CTR|aaaa/);
  });

  it('drop implausible or one-sided sizes', () => {
    const base = { msgtype: 'm.image', body: 'x', url: 'mxc://example.org/abc' };
    for (const info of [
      { w: 0, h: 10 },
      { w: -5, h: 10 },
      { w: 1.5, h: 10 },
      { w: 10 },
      { w: '10', h: '10' },
      { w: 10, h: 1e9 },
    ]) {
      expect(imageView(ROOM, EVENT, { ...base, info })).toMatchObject({ width: null, height: null });
    }
    expect(imageView(ROOM, EVENT, { ...base, info: [] })).toMatchObject({ thumbnailUrl: null, width: null });
  });

  it('are no image without a usable source, or for another msgtype', () => {
    expect(imageView(ROOM, EVENT, { msgtype: 'm.image', body: 'x' })).toBeNull();
    expect(
      imageView(ROOM, EVENT, { msgtype: 'm.image', body: 'x', url: 'https://evil.example/x.png' }),
    ).toBeNull();
    expect(imageView(ROOM, EVENT, { msgtype: 'm.file', body: 'x', url: 'mxc://example.org/abc' })).toBeNull();
  });
});
