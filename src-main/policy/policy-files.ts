// The policy as a file: /etc/tessera/policy.json on Linux, and on macOS the managed preferences an
// MDM profile installs (/Library/Managed Preferences[/<user>]/org.tessera.desktop.plist, usually a
// binary plist; the `plist` package reads both the binary and the XML form, so neither `defaults`
// nor `plutil` is needed and Linux tests read the same bytes the Mac would).
import { parse as parseXmlPlist, parseBinary as parseBinaryPlist } from 'plist';
import { unreadableSource, validatePolicyObject } from './policy-validation.ts';
import type { ValidatedSource } from './policy-validation.ts';

/** A policy is a few hundred bytes; anything near this is not one. */
export const maxPolicyFileBytes = 64 * 1024;

/**
 * Reads at most `maxBytes + 1` bytes of a file (so an oversized file is seen as such without
 * reading it all); null when the file does not exist. Throws when it exists but cannot be read,
 * or (an error named InsecurePolicyFileError) when someone other than root could have written it.
 */
export interface PolicyFileReader {
  readFile(path: string, maxBytes: number): Promise<Uint8Array | null>;
}

export const linuxPolicyPath = '/etc/tessera/policy.json';
export const macPreferenceDomain = 'org.tessera.desktop';
export const macMachinePolicyPath = `/Library/Managed Preferences/${macPreferenceDomain}.plist`;

/** Per-user managed preferences; null for a user name that could walk out of the folder. */
export function macUserPolicyPath(userName: string): string | null {
  if (!/^[A-Za-z0-9._-]{1,255}$/.test(userName) || userName === '.' || userName === '..') return null;
  return `/Library/Managed Preferences/${userName}/${macPreferenceDomain}.plist`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

async function readBytes(
  reader: PolicyFileReader,
  path: string,
): Promise<Uint8Array | ValidatedSource | null> {
  let bytes: Uint8Array | null;
  try {
    bytes = await reader.readFile(path, maxPolicyFileBytes);
  } catch (error) {
    if (error instanceof Error && error.name === 'InsecurePolicyFileError')
      return unreadableSource(path, error.message);
    const code = (error as { code?: unknown }).code;
    return unreadableSource(path, `could not be read${typeof code === 'string' ? ` (${code})` : ''}`);
  }
  if (bytes === null) return null;
  if (bytes.byteLength > maxPolicyFileBytes) {
    return unreadableSource(path, `is larger than ${maxPolicyFileBytes} bytes; not read`);
  }
  return bytes;
}

function decodeUtf8(bytes: Uint8Array): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

export function policyFromJson(source: string, bytes: Uint8Array): ValidatedSource {
  const text = decodeUtf8(bytes);
  if (text === null) return unreadableSource(source, 'is not UTF-8 text');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    // JSON.parse names the position, never more than a short excerpt of the text.
    return unreadableSource(
      source,
      `is not valid JSON (${error instanceof Error ? error.message.slice(0, 120) : 'parse error'})`,
    );
  }
  if (!isPlainObject(parsed))
    return unreadableSource(source, 'must hold a JSON object { "key": value, ... }');
  return validatePolicyObject(source, parsed);
}

const binaryPlistMagic = 'bplist00';

export function policyFromPlist(source: string, bytes: Uint8Array): ValidatedSource {
  let parsed: unknown;
  try {
    const magic = new TextDecoder('latin1').decode(bytes.subarray(0, binaryPlistMagic.length));
    if (magic === binaryPlistMagic) {
      parsed = parseBinaryPlist(bytes);
    } else {
      const text = decodeUtf8(bytes);
      if (text === null) return unreadableSource(source, 'is neither a binary plist nor UTF-8 XML');
      parsed = parseXmlPlist(text);
    }
  } catch {
    return unreadableSource(source, 'is not a valid property list');
  }
  if (!isPlainObject(parsed)) return unreadableSource(source, 'must hold a dictionary');
  // MDM bookkeeping (PayloadUUID, ...) may be left in the domain; it is not a preference.
  const preferences = Object.fromEntries(
    Object.entries(parsed).filter(([key]) => !key.startsWith('Payload')),
  );
  return validatePolicyObject(source, preferences);
}

export async function readJsonPolicy(
  reader: PolicyFileReader,
  path: string,
): Promise<ValidatedSource | null> {
  const bytes = await readBytes(reader, path);
  return bytes instanceof Uint8Array ? policyFromJson(path, bytes) : bytes;
}

export async function readPlistPolicy(
  reader: PolicyFileReader,
  path: string,
): Promise<ValidatedSource | null> {
  const bytes = await readBytes(reader, path);
  return bytes instanceof Uint8Array ? policyFromPlist(path, bytes) : bytes;
}
