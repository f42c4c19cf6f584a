// Which sign-in field an error is about, so the form can mark it and move focus there.
// The router names the field for invalid arguments; for engine errors the code says it.
import type { ErrorCode } from '../../src-preload/contract.ts';
import type { TesseraError } from './tessera-client.ts';

export type SignInField = 'homeserver' | 'user' | 'password' | 'storagePassphrase';

const fieldByCode: Partial<Record<ErrorCode, SignInField>> = {
  invalid_homeserver_url: 'homeserver',
  not_a_homeserver: 'homeserver',
  unreachable: 'homeserver',
  tls_failure: 'homeserver',
  homeserver_not_allowed: 'homeserver',
  sso_unsupported: 'homeserver',
  invalid_user_id: 'user',
  invalid_credentials: 'password',
};

const signInFields: readonly string[] = ['homeserver', 'user', 'password', 'storagePassphrase'];

function isSignInField(value: string | undefined): value is SignInField {
  return value !== undefined && signInFields.includes(value);
}

export function fieldOf(error: TesseraError): SignInField | null {
  if (isSignInField(error.field)) return error.field;
  return fieldByCode[error.code] ?? null;
}

const fallbackMessages: Partial<Record<ErrorCode, string>> = {
  invalid_credentials: 'The user name or password is not right.',
  unreachable: 'Tessera could not reach that homeserver.',
  timeout: 'The homeserver took too long to answer. Try again.',
  rate_limited: 'Too many attempts. Wait a moment and try again.',
  sso_unsupported: 'This homeserver does not offer single sign-on.',
  sso_timed_out: 'Signing in in the browser took too long. Try again.',
  sso_failed: 'The homeserver did not accept the single sign-on. Try again.',
  sso_in_progress: 'A sign-in is already waiting for your browser.',
};

/** The engine's messages are written for people; this only covers an empty one. */
export function messageOf(error: TesseraError): string {
  if (error.message.trim()) return error.message;
  return fallbackMessages[error.code] ?? 'Signing in did not work. Try again.';
}
