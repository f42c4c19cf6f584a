// Fetches an update's .sig file: https only, no redirects (the signature sits next to the file on
// the same feed), a small size limit, and a clear error for anything else.
export type FetchFunction = (url: string, init: RequestInit) => Promise<Response>;

/** A .sig file is 88 characters of base64; anything much larger is not one. */
export const SIGNATURE_LIMIT_BYTES = 1024;

export async function fetchSignatureText(fetch: FetchFunction, url: string): Promise<string> {
  if (new URL(url).protocol !== 'https:') throw new Error('signature URL is not https');
  const response = await fetch(url, { redirect: 'error', cache: 'no-store' });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  const body = await response.arrayBuffer();
  if (body.byteLength > SIGNATURE_LIMIT_BYTES) throw new Error('signature file too large');
  return new TextDecoder('utf-8', { fatal: true }).decode(body);
}
