// Media types come from the bytes, and only safe image, video and audio types pass.
import { describe, expect, it } from 'vitest';
import { MediaError } from '../../../src-main/engine/media/media-request.ts';
import { isAllowedMediaType, sniffMediaType } from '../../../src-main/engine/media/media-sniff.ts';
import {
  gifBytes,
  htmlBytes,
  jpegBytes,
  pdfBytes,
  pngBytes,
  svgBytes,
  webpBytes,
  zipBytes,
} from './media-samples.ts';

describe('sniffMediaType', () => {
  it.each([
    ['PNG', pngBytes, 'image/png'],
    ['JPEG', jpegBytes, 'image/jpeg'],
    ['GIF', gifBytes, 'image/gif'],
    ['WebP', webpBytes, 'image/webp'],
  ])('recognizes %s', async (_name, bytes, mime) => {
    expect(await sniffMediaType(bytes)).toBe(mime);
  });

  it.each([
    ['SVG (it can hold script)', svgBytes],
    ['HTML', htmlBytes],
    ['PDF', pdfBytes],
    ['ZIP', zipBytes],
    ['nothing', new Uint8Array()],
    ['random bytes', new Uint8Array(64).fill(7)],
  ])('refuses %s', async (_name, bytes) => {
    await expect(sniffMediaType(bytes)).rejects.toSatisfy(
      (error) => error instanceof MediaError && error.reason === 'unsupported_type',
    );
  });

  it('never allows a document or script type', () => {
    for (const mime of [
      'image/svg+xml',
      'text/html',
      'application/xhtml+xml',
      'text/javascript',
      'application/pdf',
    ]) {
      expect(isAllowedMediaType(mime)).toBe(false);
    }
  });
});
