// In-memory stand-ins for the policy readers: files by path, registry values by hive.
import type { PolicyFileReader } from '../../src-main/policy/policy-files.ts';
import type {
  RegistryHive,
  RegistryReader,
  RegistryValue,
} from '../../src-main/policy/windows-registry-policy.ts';

export function fakeFiles(
  files: Record<string, string | Uint8Array | Error>,
): PolicyFileReader & { reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    async readFile(path, maxBytes) {
      reads.push(path);
      if (!Object.hasOwn(files, path)) return null;
      const content = files[path];
      if (content instanceof Error) throw content;
      const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : (content as Uint8Array);
      return bytes.subarray(0, maxBytes + 1);
    },
  };
}

export function fakeRegistry(keys: Partial<Record<RegistryHive, RegistryValue[] | Error>>): RegistryReader {
  return {
    async readValues(hive, key) {
      if (key !== 'Software\\Policies\\Tessera') return null;
      const values = keys[hive];
      if (values instanceof Error) throw values;
      return values ?? null;
    },
  };
}

export const pinA = 'sha256/+KtLgP86zvdbAv3BYyGXGdKRx6a+ouzLTxDDW3aQvoQ=';
export const pinB = 'sha256/eK9iYdNfFj5v7+BTOuND00bRFSQQnh2+q1ooZsSxLNE=';

export const dword = (name: string, value: number): RegistryValue => ({ name, type: 'REG_DWORD', value });
export const sz = (name: string, value: string): RegistryValue => ({ name, type: 'REG_SZ', value });
export const multiSz = (name: string, value: string[]): RegistryValue => ({
  name,
  type: 'REG_MULTI_SZ',
  value,
});
