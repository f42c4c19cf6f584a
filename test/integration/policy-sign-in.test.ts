// The organization's policy in the engine, against the real Synapse: homeservers it does not
// allow, password sign-in and the passphrase fallback it refuses, settings it locks, and the
// policy.get answer for the sign-in form.
import { afterEach, describe, expect, inject, it } from 'vitest';
import type { EnginePolicy } from '../../src-main/engine/protocol.ts';
import { registerUser } from '../homeserver/synapse.ts';
import { startEngine, type RecordedEngine } from './engine-harness.ts';

const homeserver = inject('homeserver');
const running: RecordedEngine[] = [];

function engine(policy: EnginePolicy): RecordedEngine {
  const recorded = startEngine({ policy });
  running.push(recorded);
  return recorded;
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((recorded) => recorded.dispose()));
});

const unmanaged: EnginePolicy = { passwordSignIn: true, passphraseKeyFallback: true, lockedSettings: {} };
const serverHost = () => new URL(homeserver.baseUrl).host;

describe('policy at sign-in', () => {
  it('refuses a homeserver the policy does not allow, before the password is sent', async () => {
    const alice = await registerUser(homeserver);
    const tessera = engine({ ...unmanaged, allowedHomeservers: ['matrix.example.org'] });
    const outcome = await tessera.invoke('session.login', {
      homeserver: homeserver.baseUrl,
      user: alice.localpart,
      password: alice.password,
    });
    expect(outcome).toMatchObject({ ok: false, error: { code: 'homeserver_not_allowed' } });
    expect(await tessera.invoke('session.get')).toEqual({ ok: true, value: null });
    // Nothing signed in: no device was made for this attempt.
    const devices = await fetch(new URL('/_matrix/client/v3/devices', homeserver.baseUrl), {
      headers: { authorization: `Bearer ${alice.accessToken}` },
    }).then((response) => response.json() as Promise<{ devices: unknown[] }>);
    expect(devices.devices).toHaveLength(1);
  });

  it('signs in on an allowed homeserver', async () => {
    const alice = await registerUser(homeserver);
    const tessera = engine({ ...unmanaged, allowedHomeservers: ['matrix.example.org', serverHost()] });
    const outcome = await tessera.invoke('session.login', {
      homeserver: homeserver.baseUrl,
      user: alice.localpart,
      password: alice.password,
    });
    expect(outcome).toMatchObject({ ok: true, value: { userId: alice.userId } });
  });

  it('refuses password sign-in when the policy requires single sign-on', async () => {
    const alice = await registerUser(homeserver);
    const tessera = engine({ ...unmanaged, passwordSignIn: false });
    const outcome = await tessera.invoke('session.login', {
      homeserver: homeserver.baseUrl,
      user: alice.localpart,
      password: alice.password,
    });
    expect(outcome).toMatchObject({ ok: false, error: { code: 'sign_in_method_not_allowed' } });
    expect(await tessera.invoke('session.get')).toEqual({ ok: true, value: null });
  });

  it('refuses the passphrase fallback when the policy requires the keychain', async () => {
    const alice = await registerUser(homeserver);
    const tessera = engine({ ...unmanaged, passphraseKeyFallback: false });
    const outcome = await tessera.invoke('session.login', {
      homeserver: homeserver.baseUrl,
      user: alice.localpart,
      password: alice.password,
      storagePassphrase: 'correct horse battery staple',
    });
    expect(outcome).toMatchObject({ ok: false, error: { code: 'passphrase_fallback_not_allowed' } });
    expect(JSON.stringify(outcome)).not.toContain('correct horse');
    expect(await tessera.invoke('session.get')).toEqual({ ok: true, value: null });
  });
});

describe('policy.get', () => {
  it('answers signed out with what the policy sets', async () => {
    const tessera = engine({
      ...unmanaged,
      allowedHomeservers: ['matrix.example.org'],
      passphraseKeyFallback: false,
      defaultHomeserver: 'https://matrix.example.org',
      managed: ['defaultHomeserver', 'allowedHomeservers', 'allowPassphraseKeyFallback'],
    });
    expect(await tessera.invoke('policy.get')).toEqual({
      ok: true,
      value: {
        defaultHomeserver: 'https://matrix.example.org',
        allowedHomeservers: ['matrix.example.org'],
        passwordSignIn: true,
        passphraseKeyFallback: false,
        managed: ['defaultHomeserver', 'allowedHomeservers', 'allowPassphraseKeyFallback'],
      },
    });
  });

  it('answers an unmanaged view without a policy', async () => {
    const tessera = startEngine();
    running.push(tessera);
    expect(await tessera.invoke('policy.get')).toEqual({
      ok: true,
      value: {
        defaultHomeserver: null,
        allowedHomeservers: null,
        passwordSignIn: true,
        passphraseKeyFallback: true,
        managed: [],
      },
    });
  });

  it('is unknown for the commands main answers', async () => {
    const tessera = engine(unmanaged);
    expect(await tessera.invoke('update.install')).toMatchObject({
      ok: false,
      error: { code: 'unknown_command' },
    });
  });
});

describe('settings the policy locks', () => {
  it('are listed as locked, hold the policy value and are refused by settings.set', async () => {
    const alice = await registerUser(homeserver);
    const tessera = engine({ ...unmanaged, lockedSettings: { readReceipts: 'private' } });
    const login = await tessera.invoke('session.login', {
      homeserver: homeserver.baseUrl,
      user: alice.localpart,
      password: alice.password,
    });
    expect(login.ok).toBe(true);
    expect(await tessera.invoke('settings.get')).toEqual({
      ok: true,
      value: {
        sendTypingNotices: true,
        readReceipts: 'private',
        shareKeysWithCrossSignedOnly: false,
        notificationPreviews: true,
        locked: ['readReceipts'],
      },
    });
    expect(await tessera.invoke('settings.set', { readReceipts: 'public' })).toMatchObject({
      ok: false,
      error: { code: 'setting_locked', field: 'readReceipts' },
    });
    // All or nothing: an unlocked change in the same call is not applied either.
    expect(
      await tessera.invoke('settings.set', { readReceipts: 'public', sendTypingNotices: false }),
    ).toMatchObject({ ok: false, error: { code: 'setting_locked' } });
    expect(await tessera.invoke('settings.set', { sendTypingNotices: false })).toMatchObject({
      ok: true,
      value: { sendTypingNotices: false, readReceipts: 'private', locked: ['readReceipts'] },
    });
  });

  it('a locked MSC4153 setting governs sending, not only the settings view', async () => {
    const alice = await registerUser(homeserver);
    const tessera = engine({ ...unmanaged, lockedSettings: { shareKeysWithCrossSignedOnly: true } });
    const login = await tessera.invoke('session.login', {
      homeserver: homeserver.baseUrl,
      user: alice.localpart,
      password: alice.password,
    });
    expect(login.ok).toBe(true);
    const created = await tessera.invoke('rooms.create', { name: 'Locked sharing' });
    if (!created.ok) throw new Error(created.error.code);
    const { roomId } = created.value as { roomId: string };
    const sent = await tessera.invoke('message.send', { roomId, body: 'only for cross-signed devices' });
    if (!sent.ok) throw new Error(sent.error.code);
    const { transactionId } = sent.value as { transactionId: string };
    // This device is not cross-signed yet, so identity-based sharing refuses: the message
    // fails closed instead of going to every device, as the stored (unlocked, false) value would.
    await expect
      .poll(
        () =>
          tessera.events.find(
            (event) =>
              event.name === 'message.status' &&
              (event.payload as { transactionId: string; state: string }).transactionId === transactionId &&
              (event.payload as { state: string }).state === 'failed',
          )?.payload,
        { timeout: 20_000 },
      )
      .toMatchObject({ error: { code: 'encryption_failed' } });
  });
});
