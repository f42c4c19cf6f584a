// When no keychain answers, the vault says so with keychain_unavailable and a message that tells
// the cases apart. Each case runs in a child process with its own D-Bus environment.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { busWithoutSecretService, runKeychainProbe, withSecretService } from './keychain-process.ts';
import { randomAccount, TEST_SERVICE } from './test-keychain.ts';

const scratch = mkdtempSync(join(tmpdir(), 'tessera-keychain-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe.runIf(process.platform === 'linux')('keychain unavailable', () => {
  it('no D-Bus session at the given address', async () => {
    const env = { ...process.env, DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(scratch, 'no-bus')}` };
    for (const operation of ['read', 'create'] as const) {
      const outcome = await runKeychainProbe({
        operation,
        service: TEST_SERVICE,
        account: randomAccount(),
        env,
      });
      expect(outcome).toEqual({
        ok: false,
        code: 'keychain_unavailable',
        message: expect.stringMatching(/cannot reach a Secret Service keyring/),
      });
    }
    const probe = await runKeychainProbe({ operation: 'probe', service: TEST_SERVICE, account: 'x', env });
    expect(probe).toEqual({
      ok: true,
      value: {
        available: false,
        code: 'keychain_unavailable',
        message: expect.stringMatching(/cannot reach/),
      },
    });
  });

  it('no D-Bus session at all', async () => {
    const env = { ...process.env };
    delete env.DBUS_SESSION_BUS_ADDRESS;
    const outcome = await runKeychainProbe({
      operation: 'read',
      service: TEST_SERVICE,
      account: randomAccount(),
      env,
    });
    expect(outcome).toMatchObject({ ok: false, code: 'keychain_unavailable' });
  });

  it('a D-Bus session with no Secret Service provider', async () => {
    const outcome = await runKeychainProbe({
      operation: 'read',
      service: TEST_SERVICE,
      account: randomAccount(),
      wrapper: ['dbus-run-session', `--config-file=${busWithoutSecretService}`, '--'],
    });
    expect(outcome).toEqual({
      ok: false,
      code: 'keychain_unavailable',
      message: expect.stringMatching(/cannot reach a Secret Service keyring/),
    });
  });

  it('a Secret Service with no keyring to store into', async () => {
    // gnome-keyring started on demand by D-Bus, with an empty data folder: it has no login
    // keyring, and creating one would need a prompt nobody can answer here.
    const home = mkdtempSync(join(scratch, 'empty-'));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      XDG_DATA_HOME: join(home, 'data'),
      XDG_RUNTIME_DIR: home,
    };
    delete env.GNOME_KEYRING_CONTROL;
    const outcome = await runKeychainProbe({
      operation: 'create',
      service: TEST_SERVICE,
      account: randomAccount(),
      wrapper: ['dbus-run-session', '--'],
      env,
    });
    expect(outcome).toEqual({
      ok: false,
      code: 'keychain_unavailable',
      message: expect.stringMatching(/has no default keyring/),
    });
  });

  it('a locked keyring that nobody unlocks', async () => {
    // Its own private Secret Service, since locking is not undone without a prompt.
    const outcome = await runKeychainProbe({
      operation: 'lock-then-read',
      service: TEST_SERVICE,
      account: randomAccount(),
      wrapper: [withSecretService],
    });
    expect(outcome).toEqual({
      ok: false,
      code: 'keychain_unavailable',
      message: expect.stringMatching(/is locked and was not unlocked/),
    });
  });
});
