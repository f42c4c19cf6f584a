// Authenticated media (spec v1.11, /_matrix/client/v1/media): the bytes of a piece of content or
// of a server-made thumbnail, with the access token, a timeout and a size limit. The response's
// Content-Type is ignored: the caller sniffs the bytes.
import { MediaError, type MxcAddress, type ThumbnailSize } from './media-request.ts';

export interface MediaServer {
  /** The homeserver's client API base. */
  baseUrl: URL;
  /** The current access token (it may be refreshed between requests). */
  accessToken(): string | undefined;
  fetch?: typeof fetch;
}

export interface DownloadLimits {
  maxBytes: number;
  timeoutMs: number;
}

export const defaultDownloadLimits: DownloadLimits = { maxBytes: 50 * 1024 * 1024, timeoutMs: 60_000 };

export function mediaPath(source: MxcAddress, thumbnail?: ThumbnailSize): string {
  const address = `${encodeURIComponent(source.serverName)}/${encodeURIComponent(source.mediaId)}`;
  if (!thumbnail) return `_matrix/client/v1/media/download/${address}`;
  const query = new URLSearchParams({
    width: String(thumbnail.width),
    height: String(thumbnail.height),
    method: thumbnail.method,
    animated: 'false',
  });
  return `_matrix/client/v1/media/thumbnail/${address}?${query.toString()}`;
}

function mediaUrl(server: MediaServer, path: string): URL {
  const base = server.baseUrl.href.endsWith('/') ? server.baseUrl : new URL(`${server.baseUrl.href}/`);
  return new URL(path, base);
}

async function readLimited(response: Response, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length') ?? 'NaN');
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel();
    throw new MediaError('too_large', 'The media is larger than Tessera shows');
  }
  if (!response.body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw new MediaError('too_large', 'The media is larger than Tessera shows');
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/** Downloads content or a thumbnail; throws MediaError. */
export async function downloadMedia(
  server: MediaServer,
  source: MxcAddress,
  thumbnail: ThumbnailSize | undefined,
  limits: DownloadLimits = defaultDownloadLimits,
): Promise<Uint8Array> {
  const token = server.accessToken();
  if (!token) throw new MediaError('not_signed_in', 'Sign in to see media');
  let response: Response;
  try {
    response = await (server.fetch ?? fetch)(mediaUrl(server, mediaPath(source, thumbnail)), {
      method: 'GET',
      headers: { authorization: `Bearer ${token}` },
      // Servers may redirect media to a CDN; fetch drops the Authorization header across origins.
      redirect: 'follow',
      signal: AbortSignal.timeout(limits.timeoutMs),
    });
  } catch (error) {
    throw new MediaError('unavailable', 'The media could not be fetched', { cause: error });
  }
  if (response.status === 404 || response.status === 400 || response.status === 403) {
    await response.body?.cancel();
    throw new MediaError('not_found', 'The server has no such media');
  }
  if (response.status === 413) {
    await response.body?.cancel();
    throw new MediaError('too_large', 'The media is larger than the server serves');
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new MediaError('unavailable', `The server answered ${response.status} for media`);
  }
  try {
    return await readLimited(response, limits.maxBytes);
  } catch (error) {
    if (error instanceof MediaError) throw error;
    throw new MediaError('unavailable', 'The media could not be read', { cause: error });
  }
}
