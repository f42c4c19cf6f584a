// The CLI's exit codes (documented in --help). Scripts branch on them, so each error code of the
// contract falls in exactly one class.
import type { ErrorCode } from '../../../src-preload/contract.ts';

export const exitCodes = {
  ok: 0,
  failure: 1,
  usage: 2,
  auth: 3,
  network: 4,
  crypto: 5,
} as const;

export type ExitCode = (typeof exitCodes)[keyof typeof exitCodes];

const classes: Record<ErrorCode, ExitCode> = {
  unknown_command: exitCodes.usage,
  invalid_arguments: exitCodes.usage,
  forbidden_sender: exitCodes.failure,
  invalid_user_id: exitCodes.usage,
  invalid_homeserver_url: exitCodes.usage,
  not_a_homeserver: exitCodes.network,
  unreachable: exitCodes.network,
  tls_failure: exitCodes.network,
  timeout: exitCodes.network,
  invalid_credentials: exitCodes.auth,
  user_deactivated: exitCodes.auth,
  login_flow_unsupported: exitCodes.auth,
  rate_limited: exitCodes.network,
  server_error: exitCodes.network,
  invalid_response: exitCodes.network,
  not_signed_in: exitCodes.auth,
  already_signed_in: exitCodes.auth,
  soft_logout: exitCodes.auth,
  sso_unsupported: exitCodes.auth,
  sso_in_progress: exitCodes.auth,
  sso_cancelled: exitCodes.auth,
  sso_timed_out: exitCodes.auth,
  sso_failed: exitCodes.auth,
  keychain_unavailable: exitCodes.crypto,
  keychain_entry_missing: exitCodes.crypto,
  keychain_entry_exists: exitCodes.crypto,
  key_backend_changed: exitCodes.crypto,
  key_backend_invalid: exitCodes.crypto,
  passphrase_wrong: exitCodes.crypto,
  store_key_mismatch: exitCodes.crypto,
  store_corrupt: exitCodes.crypto,
  store_too_new: exitCodes.crypto,
  profile_in_use: exitCodes.failure,
  crypto_store_account_mismatch: exitCodes.crypto,
  crypto_store_failed: exitCodes.crypto,
  message_refused: exitCodes.failure,
  encryption_unsupported: exitCodes.crypto,
  encryption_failed: exitCodes.crypto,
  room_refused: exitCodes.failure,
  forbidden: exitCodes.failure,
  room_not_found: exitCodes.failure,
  event_not_found: exitCodes.failure,
  not_editable: exitCodes.failure,
  message_not_found: exitCodes.failure,
  setting_locked: exitCodes.failure,
  homeserver_not_allowed: exitCodes.auth,
  sign_in_method_not_allowed: exitCodes.auth,
  passphrase_fallback_not_allowed: exitCodes.crypto,
  update_not_ready: exitCodes.failure,
  internal: exitCodes.failure,
};

export function exitCodeFor(code: ErrorCode): ExitCode {
  return classes[code];
}
