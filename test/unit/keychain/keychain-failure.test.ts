// @napi-rs/keyring reports every failure as GenericFailure; the kind is read from its message.
// The messages below are the ones it actually gave against gnome-keyring on Linux.
import { describe, expect, it } from 'vitest';
import { EngineError } from '../../../src-main/engine/errors.ts';
import {
  classifyKeychainFailure,
  keychainFailure,
} from '../../../src-main/engine/keychain/keychain-failure.ts';

function libraryError(message: string): Error {
  return Object.assign(new Error(message), { code: 'GenericFailure' });
}

describe('keychain failures', () => {
  it.each([
    ["Couldn't access platform storage: Secret Service: unlock prompt was dismissed", 'locked'],
    ['Platform failure: SS Error: object locked', 'locked'],
    ["Couldn't access platform storage: Secret Service: no result found", 'no-keyring'],
    [
      'Platform failure: DBus error: Failed to connect to socket /nonexistent/bus: No such file or directory',
      'no-service',
    ],
    [
      'Platform failure: DBus error: Using X11 for dbus-daemon autolaunch was disabled at compile time, set your DBUS_SESSION_BUS_ADDRESS instead',
      'no-service',
    ],
    [
      'Platform failure: DBus error: The name org.freedesktop.secrets was not provided by any .service files',
      'no-service',
    ],
    ['Platform failure: No DBus session or Secret Service provider found', 'no-service'],
    ["Couldn't access platform storage: AccessDenied", 'denied'],
    [
      'Platform failure: DBus error: org.freedesktop.DBus.Error.AccessDenied: Rejected send message',
      'denied',
    ],
    ['Entry is matched by 2 credentials: [...]', 'ambiguous'],
    ['Platform failure: something new', 'other'],
  ] as const)('%s → %s', (message, kind) => {
    expect(classifyKeychainFailure(libraryError(message))).toBe(kind);
  });

  it('gives keychain_unavailable with a message per kind, keeping the raw error only as cause', () => {
    const raw = libraryError("Couldn't access platform storage: Secret Service: unlock prompt was dismissed");
    const error = keychainFailure(raw, 'secret-service');
    expect(error).toBeInstanceOf(EngineError);
    expect(error.code).toBe('keychain_unavailable');
    expect(error.message).toBe(
      'The Secret Service keyring (such as GNOME Keyring or KWallet) is locked and was not unlocked. Unlock it and try again.',
    );
    expect(error.cause).toBe(raw);
    expect(error.toView()).toEqual({ code: 'keychain_unavailable', message: error.message });
  });

  it('names the platform the person uses', () => {
    expect(keychainFailure(libraryError('User canceled the operation'), 'macos-keychain').message).toMatch(
      /^The macOS Keychain refused Tessera access/,
    );
    expect(
      keychainFailure(libraryError('Platform failure: ???'), 'windows-credential-manager').message,
    ).toMatch(/^Windows Credential Manager did not answer as expected/);
  });

  it('passes an EngineError through unchanged', () => {
    const original = new EngineError('keychain_entry_missing', 'gone');
    expect(keychainFailure(original, 'secret-service')).toBe(original);
  });
});
