// Checks a new local-data passphrase before it is sent, with the contract's own limits, so
// a typo in one of the two fields is caught here rather than locking data under it.
export const minPassphraseLength = 8;
export const maxPassphraseLength = 1024;

export type NewPassphraseField = 'storagePassphrase' | 'storagePassphraseConfirm';

export interface NewPassphraseProblem {
  field: NewPassphraseField;
  message: string;
}

export function checkNewPassphrase(passphrase: string, confirmation: string): NewPassphraseProblem | null {
  if (passphrase.length < minPassphraseLength) {
    return {
      field: 'storagePassphrase',
      message: `Choose a passphrase of at least ${minPassphraseLength} characters.`,
    };
  }
  if (passphrase.length > maxPassphraseLength) {
    return { field: 'storagePassphrase', message: 'That passphrase is too long.' };
  }
  if (passphrase !== confirmation) {
    return {
      field: 'storagePassphraseConfirm',
      message: 'The two passphrases are not the same. Type them again.',
    };
  }
  return null;
}
