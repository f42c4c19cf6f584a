// Answers the shell's media requests: content by address, or an event's attachment (decrypted
// here with the keys stored in the event, which never leave the engine), sniffed and limited
// to safe types. Failures are MediaResult reasons; nothing about the bytes or keys is logged.
import type { JsonObject } from '../store/json-column.ts';
import { attachmentKeys, decryptAttachment } from './encrypted-attachment.ts';
import {
  defaultDownloadLimits,
  downloadMedia,
  type DownloadLimits,
  type MediaServer,
} from './media-download.ts';
import {
  isValidMediaRequest,
  MediaError,
  parseMxc,
  type MediaRequest,
  type MediaResult,
  type MxcAddress,
} from './media-request.ts';
import { sniffMediaType } from './media-sniff.ts';

export interface MediaFetcherOptions {
  server: MediaServer;
  /** The clear content of a stored event (decrypted when it was encrypted), or null. */
  eventContent(roomId: string, eventId: string): JsonObject | null;
  limits?: DownloadLimits;
  log?: (level: 'warn', message: string) => void;
}

/** Where an event's attachment (or its thumbnail) lives, and its keys if it is encrypted. */
type AttachmentSource = { kind: 'plain'; source: MxcAddress } | { kind: 'encrypted'; file: unknown };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function attachmentSource(
  content: JsonObject,
  variant: 'full' | 'thumbnail',
): AttachmentSource | null {
  const holder: Record<string, unknown> | undefined =
    variant === 'full' ? content : isObject(content.info) ? content.info : undefined;
  if (!holder) return null;
  const fileField = variant === 'full' ? 'file' : 'thumbnail_file';
  const urlField = variant === 'full' ? 'url' : 'thumbnail_url';
  if (holder[fileField] !== undefined) return { kind: 'encrypted', file: holder[fileField] };
  const source = parseMxc(holder[urlField]);
  return source ? { kind: 'plain', source } : null;
}

export class MediaFetcher {
  readonly #options: MediaFetcherOptions;

  constructor(options: MediaFetcherOptions) {
    this.#options = options;
  }

  async fetch(request: MediaRequest): Promise<MediaResult> {
    try {
      if (!isValidMediaRequest(request)) return { ok: false, reason: 'not_found' };
      const bytes = await this.#bytes(request);
      return { ok: true, contentType: await sniffMediaType(bytes), bytes };
    } catch (error) {
      if (error instanceof MediaError) {
        if (error.reason === 'integrity')
          this.#options.log?.('warn', 'media: an attachment failed its hash check');
        return { ok: false, reason: error.reason };
      }
      this.#options.log?.(
        'warn',
        `media: a request failed (${error instanceof Error ? error.name : typeof error})`,
      );
      return { ok: false, reason: 'unavailable' };
    }
  }

  async #bytes(request: MediaRequest): Promise<Uint8Array> {
    const limits = this.#options.limits ?? defaultDownloadLimits;
    if (request.kind === 'content') {
      return downloadMedia(this.#options.server, request, request.thumbnail, limits);
    }
    const content = this.#options.eventContent(request.roomId, request.eventId);
    const found = content ? attachmentSource(content, request.variant) : null;
    if (!found) throw new MediaError('not_found', 'The event has no such attachment');
    if (found.kind === 'plain') return downloadMedia(this.#options.server, found.source, undefined, limits);
    const keys = attachmentKeys(found.file);
    const ciphertext = await downloadMedia(this.#options.server, keys.source, undefined, limits);
    return decryptAttachment(ciphertext, keys);
  }
}
