// The real readers behind loadAdminPolicy: the file system, and on Windows the registry through
// `winreg` (pure JavaScript; it runs %SystemRoot%\System32\reg.exe, so nothing native has to be
// rebuilt for Electron). Tests use fakes of the same interfaces.
import { open } from 'node:fs/promises';
import os from 'node:os';
import Winreg from 'winreg';
import type { PolicyFileReader } from './policy-files.ts';
import type { PolicyReaders } from './load-admin-policy.ts';
import type { RegistryHive, RegistryReader, RegistryValue } from './windows-registry-policy.ts';

/** A policy file anyone but root could have written is not the organization's policy. */
export class InsecurePolicyFileError extends Error {
  constructor(problem: string) {
    super(problem);
    this.name = 'InsecurePolicyFileError';
  }
}

/**
 * Reads policy files, refusing on POSIX one that is not owned by a trusted user (root) or that
 * its group or others may write: an unprivileged user could otherwise loosen the policy.
 */
export function createSystemFileReader(
  options: { trustedOwnerUids?: readonly number[]; platform?: NodeJS.Platform } = {},
): PolicyFileReader {
  const trusted = options.trustedOwnerUids ?? [0];
  const checkOwner = (options.platform ?? process.platform) !== 'win32';
  return {
    async readFile(path, maxBytes) {
      let handle;
      try {
        handle = await open(path, 'r');
      } catch (error) {
        if ((error as { code?: unknown }).code === 'ENOENT') return null;
        throw error;
      }
      try {
        if (checkOwner) {
          const stats = await handle.stat();
          if (!trusted.includes(stats.uid)) throw new InsecurePolicyFileError('is not owned by root');
          if ((stats.mode & 0o022) !== 0)
            throw new InsecurePolicyFileError('may be written by users other than its owner');
        }
        const buffer = new Uint8Array(maxBytes + 1);
        let filled = 0;
        while (filled < buffer.byteLength) {
          const { bytesRead } = await handle.read(buffer, filled, buffer.byteLength - filled, null);
          if (bytesRead === 0) break;
          filled += bytesRead;
        }
        return buffer.subarray(0, filled);
      } finally {
        await handle.close();
      }
    },
  };
}

/** reg.exe prints a REG_DWORD as 0x1 and a REG_MULTI_SZ with its lines joined by a literal \0. */
export function registryValueFromRegExe(item: { name: string; type: string; value: string }): RegistryValue {
  if (item.type === 'REG_DWORD' && /^0x[0-9a-f]{1,8}$/i.test(item.value)) {
    return { name: item.name, type: item.type, value: Number.parseInt(item.value.slice(2), 16) };
  }
  if (item.type === 'REG_MULTI_SZ')
    return { name: item.name, type: item.type, value: item.value.split('\\0') };
  return { name: item.name, type: item.type, value: item.value };
}

function callback<T>(run: (done: (error: Error | null | undefined, result: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => run((error, result) => (error ? reject(error) : resolve(result))));
}

export const winregReader: RegistryReader = {
  async readValues(hive: RegistryHive, key: string) {
    // Software\Policies is not redirected for 32-bit programs; x64 reads the native view anyway.
    const registry = new Winreg({
      hive: hive === 'HKLM' ? Winreg.HKLM : Winreg.HKCU,
      key: `\\${key}`,
      arch: 'x64',
    });
    const exists = await callback<boolean>((done) => registry.keyExists(done));
    if (!exists) return null;
    const items = await callback<Winreg.RegistryItem[]>((done) => registry.values(done));
    return items.map(registryValueFromRegExe);
  },
};

export function systemPolicyReaders(platform: NodeJS.Platform): PolicyReaders {
  return {
    files: createSystemFileReader({ platform }),
    ...(platform === 'win32' ? { registry: winregReader } : {}),
    ...(platform === 'darwin' ? { userName: os.userInfo().username } : {}),
  };
}
