// Keychain account names. One profile is one Matrix device, so the account is
// `<user id>|<device id>`; the vault appends `|<purpose>` for each of its two keys.

/** `|` separates the parts and `%` escapes, so distinct ids never share an account name. */
function escapePart(part: string): string {
  return part.replaceAll('%', '%25').replaceAll('|', '%7C');
}

export function keychainAccountFor(userId: string, deviceId: string): string {
  if (userId === '' || deviceId === '') throw new TypeError('user id and device id must not be empty');
  return `${escapePart(userId)}|${escapePart(deviceId)}`;
}
