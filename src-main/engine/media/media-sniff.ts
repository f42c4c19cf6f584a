// The type of media is read from its bytes (file-type), never taken from the server or the
// sender, and only types a browser shows without running anything are allowed: no SVG (script),
// no HTML, no PDF.
import { fileTypeFromBuffer } from 'file-type';
import { isAllowedMediaType, MediaError } from './media-request.ts';

export { allowedMediaTypes, isAllowedMediaType } from './media-request.ts';

/** The allowed MIME type of `bytes`; throws MediaError('unsupported_type') otherwise. */
export async function sniffMediaType(bytes: Uint8Array): Promise<string> {
  const detected = await fileTypeFromBuffer(bytes);
  if (!detected || !isAllowedMediaType(detected.mime)) {
    throw new MediaError('unsupported_type', 'This media type is not shown by Tessera');
  }
  return detected.mime;
}
