// Every contract error code falls in one exit-code class that scripts can branch on.
import { describe, expect, it } from 'vitest';
import { errorCodes } from '../../../src-preload/contract.ts';
import { exitCodeFor, exitCodes } from '../../../src-main/engine/cli/exit-codes.ts';
import { appProfileFolder } from '../../../src-main/engine/cli/profile-folder.ts';

describe('exit codes', () => {
  it.each([
    ['invalid_credentials', exitCodes.auth],
    ['not_signed_in', exitCodes.auth],
    ['user_deactivated', exitCodes.auth],
    ['unreachable', exitCodes.network],
    ['timeout', exitCodes.network],
    ['tls_failure', exitCodes.network],
    ['encryption_failed', exitCodes.crypto],
    ['keychain_unavailable', exitCodes.crypto],
    ['store_key_mismatch', exitCodes.crypto],
    ['crypto_store_failed', exitCodes.crypto],
    ['invalid_arguments', exitCodes.usage],
    ['forbidden', exitCodes.failure],
    ['room_not_found', exitCodes.failure],
    ['internal', exitCodes.failure],
  ] as const)('%s exits %i', (code, exit) => {
    expect(exitCodeFor(code)).toBe(exit);
  });

  it('maps every error code to a documented exit code', () => {
    for (const code of errorCodes) expect([1, 2, 3, 4, 5]).toContain(exitCodeFor(code));
  });
});

describe('the app profile folder', () => {
  it('matches Electron userData for the app name Tessera', () => {
    expect(appProfileFolder('linux', {}, '/home/a')).toBe('/home/a/.config/Tessera');
    expect(appProfileFolder('linux', { XDG_CONFIG_HOME: '/x' }, '/home/a')).toBe('/x/Tessera');
    expect(appProfileFolder('darwin', {}, '/Users/a')).toBe('/Users/a/Library/Application Support/Tessera');
    expect(appProfileFolder('win32', { APPDATA: 'C:\\Users\\a\\AppData\\Roaming' }, 'C:\\Users\\a')).toBe(
      'C:\\Users\\a\\AppData\\Roaming\\Tessera',
    );
  });
});
