// Plain words for why an account's local data cannot be opened, per error code. The engine's
// own message follows as the detail; nothing more technical is ever shown.
import type { ErrorCode } from '../../src-preload/contract.ts';

export interface StorageProblem {
  /** What went wrong, in one sentence. */
  summary: string;
  /** What the person can do about it. */
  advice: string;
}

const retryOrRemove = 'Try again once that is fixed, or sign out and remove the local data to start afresh.';

const problems: Partial<Record<ErrorCode, StorageProblem>> = {
  keychain_unavailable: {
    summary:
      'Tessera keeps the key to your local data in your system keychain, and the keychain did not answer.',
    advice: 'If your keychain is locked or not running, unlock or start it, then try again.',
  },
  keychain_entry_missing: {
    summary: 'The key to your local data is no longer in your system keychain.',
    advice:
      'It may have been deleted, or the keychain was reset. If you can restore it, try again; without it, the local data cannot be opened.',
  },
  key_backend_changed: {
    summary:
      'The key to your local data was kept in a different keychain from the one this computer offers now.',
    advice:
      'This happens when the keyring service was switched. Switch back to the one you used before, then try again.',
  },
  key_backend_invalid: {
    summary: 'Tessera’s note of where the key to your local data is kept is damaged.',
    advice: retryOrRemove,
  },
  store_key_mismatch: {
    summary: 'The key Tessera found does not fit your local data.',
    advice: 'It may belong to an earlier sign-in. Tessera has left the data untouched.',
  },
  store_corrupt: {
    summary: 'Your local data is damaged and cannot be read.',
    advice: 'Tessera has left the files as they are, and will not replace them on its own.',
  },
  store_too_new: {
    summary: 'Your local data was written by a newer version of Tessera.',
    advice: 'Update Tessera, then try again.',
  },
  not_signed_in: {
    summary: 'The server ended this session: this device was signed out, perhaps from another device.',
    advice: 'Sign out and remove the local data here, then sign in again.',
  },
  soft_logout: {
    summary: 'Your session with the server expired.',
    advice:
      'Your messages and keys on this device are kept. Enter your password to sign in again on this device.',
  },
  profile_in_use: {
    summary: 'Another Tessera window is already using this account’s local data.',
    advice: 'Close the other window, then try again.',
  },
};

const fallback: StorageProblem = {
  summary: 'Something stopped Tessera from opening your local data.',
  advice: retryOrRemove,
};

export function storageProblem(code: ErrorCode): StorageProblem {
  return problems[code] ?? fallback;
}
