// The templates IT departments deploy define exactly the policies the code reads: the ADMX/ADML
// pair (same registry key, value names and types), the sample .mobileconfig and policy.json.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DOMParser } from '@xmldom/xmldom';
import type { Element } from '@xmldom/xmldom';
import { parse as parsePlist, build as buildPlist } from 'plist';
import { describe, expect, it } from 'vitest';
import { macPreferenceDomain, policyFromJson, policyFromPlist } from '../../src-main/policy/policy-files.ts';
import { adminPolicySchema, policyKeyDefinitions, policyKeys } from '../../src-main/policy/policy-schema.ts';
import { policyRegistryKey } from '../../src-main/policy/windows-registry-policy.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const read = (relative: string) => readFileSync(path.join(root, relative), 'utf8');

function parseXml(text: string, name: string) {
  const errors: string[] = [];
  const document = new DOMParser({
    onError: (level, message) => {
      if (level !== 'warning') errors.push(`${name}: ${message}`);
    },
  }).parseFromString(text, 'text/xml');
  expect(errors).toEqual([]);
  return document;
}

const children = (element: Element, localName: string): Element[] =>
  Array.from(element.getElementsByTagName(localName));

const admx = parseXml(read('resources/policy/windows/tessera.admx'), 'tessera.admx');
const adml = parseXml(read('resources/policy/windows/en-US/tessera.adml'), 'tessera.adml');
const admxRoot = admx.documentElement as Element;
const admlRoot = adml.documentElement as Element;

interface TemplateValue {
  policy: string;
  valueName: string;
  type: string;
}

/** The registry values each ADMX policy writes, with the type Group Policy gives them. */
function valuesWritten(policy: Element): TemplateValue[] {
  const name = policy.getAttribute('name') ?? '';
  const values: TemplateValue[] = [];
  const valueName = policy.getAttribute('valueName');
  if (valueName) {
    const enabled = children(policy, 'enabledValue')[0];
    const type = enabled && children(enabled, 'decimal').length > 0 ? 'REG_DWORD' : 'REG_SZ';
    values.push({ policy: name, valueName, type });
  }
  for (const [tag, type] of [
    ['text', 'REG_SZ'],
    ['multiText', 'REG_MULTI_SZ'],
    ['decimal', 'REG_DWORD'],
    ['boolean', 'REG_DWORD'],
  ] as const) {
    for (const element of children(policy, 'elements').flatMap((elements) => children(elements, tag))) {
      values.push({ policy: name, valueName: element.getAttribute('valueName') ?? '', type });
    }
  }
  for (const element of children(policy, 'enum')) {
    const decimal = children(element, 'decimal').length > 0;
    values.push({
      policy: name,
      valueName: element.getAttribute('valueName') ?? '',
      type: decimal ? 'REG_DWORD' : 'REG_SZ',
    });
  }
  return values;
}

const policies = children(admxRoot, 'policy');

describe('ADMX/ADML', () => {
  it('defines exactly the registry values the code reads, with the same types', () => {
    const written = policies.flatMap(valuesWritten).map(({ valueName, type }) => ({ valueName, type }));
    const read = policyKeys.map((key) => ({
      valueName: policyKeyDefinitions[key].registryName,
      type: policyKeyDefinitions[key].registryType,
    }));
    const byName = (a: { valueName: string }, b: { valueName: string }) =>
      a.valueName.localeCompare(b.valueName);
    expect(written.sort(byName)).toEqual(read.sort(byName));
  });

  it('writes every policy under Software\\Policies\\Tessera for both machine and user', () => {
    for (const policy of policies) {
      expect(policy.getAttribute('key')).toBe(policyRegistryKey);
      expect(policy.getAttribute('class')).toBe('Both');
    }
  });

  it('offers the enum values the schema accepts', () => {
    const readReceipts = children(admxRoot, 'enum').find(
      (element) => element.getAttribute('valueName') === 'ReadReceipts',
    );
    const offered = children(readReceipts as Element, 'string').map((element) => element.textContent);
    expect(offered).toEqual(adminPolicySchema.shape.readReceipts.unwrap().options);
  });

  it('has every string and presentation the ADMX refers to in the ADML', () => {
    const strings = new Set(children(admlRoot, 'string').map((element) => element.getAttribute('id')));
    const presentations = new Map(
      children(admlRoot, 'presentation').map((element) => [element.getAttribute('id'), element]),
    );
    const text = read('resources/policy/windows/tessera.admx');
    for (const match of text.matchAll(/\$\(string\.([A-Za-z0-9_]+)\)/g))
      expect(strings.has(match[1] ?? '')).toBe(true);
    for (const policy of policies) {
      const reference = /^\$\(presentation\.([A-Za-z0-9_]+)\)$/.exec(
        policy.getAttribute('presentation') ?? '',
      );
      const elementIds = children(policy, 'elements').flatMap((elements) =>
        Array.from(elements.childNodes)
          .filter((node): node is Element => node.nodeType === 1)
          .map((element) => element.getAttribute('id')),
      );
      if (!reference) {
        expect(elementIds).toEqual([]);
        continue;
      }
      const presentation = presentations.get(reference[1] ?? '');
      expect(presentation).toBeDefined();
      const refIds = Array.from((presentation as Element).childNodes)
        .filter((node): node is Element => node.nodeType === 1)
        .map((element) => element.getAttribute('refId'));
      expect(refIds.sort()).toEqual(elementIds.sort());
    }
  });
});

describe('macOS mobileconfig', () => {
  const profile = parsePlist(read('resources/policy/macos/tessera.mobileconfig')) as Record<string, unknown>;
  const payloads = profile.PayloadContent as Array<Record<string, unknown>>;

  it('has one payload for org.tessera.desktop whose keys are exactly the policy keys', () => {
    expect(profile.PayloadType).toBe('Configuration');
    expect(payloads).toHaveLength(1);
    const payload = payloads[0] as Record<string, unknown>;
    expect(payload.PayloadType).toBe(macPreferenceDomain);
    const keys = Object.keys(payload).filter((key) => !key.startsWith('Payload'));
    expect(keys.sort()).toEqual([...policyKeys].sort());
  });

  it('passes validation as the managed preferences it installs', () => {
    const bytes = new TextEncoder().encode(buildPlist(payloads[0] as Parameters<typeof buildPlist>[0]));
    const validated = policyFromPlist('tessera.mobileconfig', bytes);
    expect(validated.issues).toEqual([]);
    expect(Object.keys(validated.policy).sort()).toEqual([...policyKeys].sort());
  });
});

describe('Linux sample policy.json', () => {
  it('passes validation', () => {
    const validated = policyFromJson(
      'policy.json',
      new TextEncoder().encode(read('resources/policy/linux/policy.json')),
    );
    expect(validated.issues).toEqual([]);
    expect(Object.keys(validated.policy).length).toBeGreaterThan(5);
  });
});
