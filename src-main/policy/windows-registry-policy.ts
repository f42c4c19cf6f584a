// The policy as Group Policy writes it: values under Software\Policies\Tessera in HKLM (machine)
// or HKCU (user). Booleans are REG_DWORD 0 or 1, lists REG_MULTI_SZ, the rest REG_SZ
// (resources/policy/windows/tessera.admx). A value of another type is refused by name.
import { isPolicyKey, policyKeyDefinitions, policyKeys } from './policy-schema.ts';
import type { PolicyKey } from './policy-schema.ts';
import { unreadableSource, validatePolicyObject } from './policy-validation.ts';
import type { PolicyIssue, ValidatedSource } from './policy-validation.ts';

export const policyRegistryKey = 'Software\\Policies\\Tessera';

export type RegistryHive = 'HKLM' | 'HKCU';

/** One value as the registry reports it; `type` is whatever the registry says (REG_QWORD, ...). */
export interface RegistryValue {
  name: string;
  type: string;
  value: string | number | readonly string[];
}

/** Reads the values of one key; null when the key does not exist. Throws when the registry cannot be read. */
export interface RegistryReader {
  readValues(hive: RegistryHive, key: string): Promise<RegistryValue[] | null>;
}

const maxValues = 200;

/** Windows value names are case-insensitive. */
const keyByRegistryName = new Map<string, PolicyKey>(
  policyKeys.map((key) => [policyKeyDefinitions[key].registryName.toLowerCase(), key]),
);

/** `host=sha256/...` lines into { host: [pins] }; a line without `=` is kept for zod to refuse. */
function pinsFromLines(lines: readonly string[]): Record<string, string[]> | { invalidLine: number } {
  const pins: Record<string, string[]> = {};
  for (const [index, line] of lines.entries()) {
    const at = line.indexOf('=');
    const host = line.slice(0, Math.max(at, 0)).trim();
    // The pin's base64 ends in `=` too: a "host" with a slash is a pin without its host.
    if (at <= 0 || host.includes('/')) return { invalidLine: index + 1 };
    const pin = line.slice(at + 1).trim();
    if (!Object.hasOwn(pins, host)) {
      Object.defineProperty(pins, host, { value: [], enumerable: true, writable: true, configurable: true });
    }
    pins[host]?.push(pin);
  }
  return pins;
}

function convert(key: PolicyKey, value: RegistryValue): { value: unknown } | { problem: string } {
  const expected = policyKeyDefinitions[key].registryType;
  if (value.type !== expected) return { problem: `must be ${expected}, but is ${value.type.slice(0, 20)}` };
  if (expected === 'REG_DWORD') {
    if (value.value === 0 || value.value === 1) return { value: value.value === 1 };
    return { problem: 'must be 0 or 1' };
  }
  if (expected === 'REG_SZ') {
    return typeof value.value === 'string' ? { value: value.value } : { problem: 'must be a string' };
  }
  if (!Array.isArray(value.value)) return { problem: 'must be a list of strings' };
  const lines = (value.value as readonly unknown[]).filter((line) => line !== '');
  if (!lines.every((line) => typeof line === 'string')) return { problem: 'must be a list of strings' };
  if (key !== 'certificatePins') return { value: lines };
  if (lines.length > 1000) return { problem: 'has too many lines' };
  const pins = pinsFromLines(lines as string[]);
  if ('invalidLine' in pins) return { problem: `line ${pins.invalidLine} must be host=sha256/<base64>` };
  return { value: pins };
}

export function policyFromRegistryValues(source: string, values: readonly RegistryValue[]): ValidatedSource {
  if (values.length > maxValues) return unreadableSource(source, `has more than ${maxValues} values`);
  const raw: Record<string, unknown> = {};
  const issues: PolicyIssue[] = [];
  for (const value of values) {
    const key = keyByRegistryName.get(value.name.toLowerCase());
    if (key === undefined || !isPolicyKey(key)) {
      issues.push({
        source,
        field: value.name.slice(0, 80),
        message: 'is not a Tessera policy; ignored',
        security: false,
      });
      continue;
    }
    const converted = convert(key, value);
    if ('problem' in converted) {
      issues.push({
        source,
        field: policyKeyDefinitions[key].registryName,
        message: converted.problem,
        security: policyKeyDefinitions[key].security,
      });
    } else {
      raw[key] = converted.value;
    }
  }
  const validated = validatePolicyObject(source, raw, (key) => policyKeyDefinitions[key].registryName);
  return { policy: validated.policy, issues: [...issues, ...validated.issues] };
}

export async function readRegistryPolicy(
  reader: RegistryReader,
  hive: RegistryHive,
): Promise<ValidatedSource | null> {
  const source = `${hive}\\${policyRegistryKey}`;
  let values: RegistryValue[] | null;
  try {
    values = await reader.readValues(hive, policyRegistryKey);
  } catch (error) {
    const reason = error instanceof Error ? error.message.slice(0, 200) : 'unknown error';
    return unreadableSource(source, `could not be read (${reason})`);
  }
  return values === null ? null : policyFromRegistryValues(source, values);
}
