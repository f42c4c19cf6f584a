// The OlmMachine's verdict on who sent a decrypted event, as plain values for the view models:
// a colour (red: important warning, grey: low warning, none) and a code saying why.
import { ShieldColor, ShieldStateCode, type ShieldState } from '@matrix-org/matrix-sdk-crypto-wasm';

export type ShieldColorName = 'red' | 'grey' | 'none';
export type ShieldCode =
  | 'authenticity_not_guaranteed'
  | 'unknown_device'
  | 'unsigned_device'
  | 'unverified_identity'
  | 'verification_violation'
  | 'mismatched_sender';

export interface SenderShield {
  color: ShieldColorName;
  code?: ShieldCode;
  /** The crypto layer's own tooltip text (English), when it has one. */
  message?: string;
}

const COLORS: Record<ShieldColor, ShieldColorName> = {
  [ShieldColor.Red]: 'red',
  [ShieldColor.Grey]: 'grey',
  [ShieldColor.None]: 'none',
};

const CODES: Record<ShieldStateCode, ShieldCode> = {
  [ShieldStateCode.AuthenticityNotGuaranteed]: 'authenticity_not_guaranteed',
  [ShieldStateCode.UnknownDevice]: 'unknown_device',
  [ShieldStateCode.UnsignedDevice]: 'unsigned_device',
  [ShieldStateCode.UnverifiedIdentity]: 'unverified_identity',
  [ShieldStateCode.VerificationViolation]: 'verification_violation',
  [ShieldStateCode.MismatchedSender]: 'mismatched_sender',
};

/** Reads a ShieldState and frees it. */
export function readShield(state: ShieldState): SenderShield {
  try {
    const code = state.code;
    const message = state.message;
    return {
      // An unknown colour from a newer crypto layer is treated as the strongest warning.
      color: COLORS[state.color] ?? 'red',
      ...(code !== undefined && CODES[code] ? { code: CODES[code] } : {}),
      ...(message ? { message } : {}),
    };
  } finally {
    state.free();
  }
}
