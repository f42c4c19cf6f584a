// Decrypts one m.room.encrypted timeline event with the OlmMachine. Any sender is accepted
// for now (TrustRequirement.Untrusted) and the verdict on the sender travels with the clear
// event as a shield; issue 4 builds the timeline's security state on it.
import {
  DecryptionErrorCode,
  DecryptionSettings,
  MegolmDecryptionError,
  RoomId,
  TrustRequirement,
  type DecryptedRoomEvent,
  type OlmMachine,
} from '@matrix-org/matrix-sdk-crypto-wasm';
import { z } from 'zod';
import { readShield, type SenderShield } from './sender-shield.ts';

export type DecryptionFailureReason =
  | 'missing_room_key'
  | 'unknown_message_index'
  | 'mismatched_sender'
  | 'mismatched_identity_keys'
  | 'sender_identity_violation'
  | 'untrusted_sender_device'
  | 'malformed'
  | 'unknown';

export interface ClearEvent {
  type: string;
  content: Record<string, unknown>;
}

export type DecryptionResult =
  | {
      ok: true;
      clearEvent: ClearEvent;
      /** The Curve25519 key of the device that created the room key. */
      senderCurve25519?: string;
      senderDeviceId?: string;
      /** The lax verdict: warns about devices and keys, not about unverified people. */
      shield: SenderShield;
      /** The strict verdict: also warns when the sender's identity is not verified by us. */
      strictShield: SenderShield;
    }
  | {
      ok: false;
      reason: DecryptionFailureReason;
      /** Plain language for a person; never event content. */
      message: string;
      /** The sender's own reason for withholding the key, when it sent one. */
      withheld?: string;
    };

const encryptedEventSchema = z.looseObject({
  type: z.literal('m.room.encrypted'),
  event_id: z.string().min(1),
  sender: z.string().min(1),
  origin_server_ts: z.number(),
  content: z.looseObject({ algorithm: z.string().min(1) }),
});

const clearEventSchema = z.looseObject({
  type: z.string().min(1).max(255),
  content: z.record(z.string(), z.unknown()),
});

const FAILURES: Record<DecryptionErrorCode, { reason: DecryptionFailureReason; message: string }> = {
  [DecryptionErrorCode.MissingRoomKey]: {
    reason: 'missing_room_key',
    message: 'The key for this message has not arrived',
  },
  [DecryptionErrorCode.UnknownMessageIndex]: {
    reason: 'unknown_message_index',
    message: 'The key for this message arrived without the part that opens it',
  },
  [DecryptionErrorCode.MismatchedIdentityKeys]: {
    reason: 'mismatched_identity_keys',
    message: 'The key for this message came from a device that did not prove who it is',
  },
  [DecryptionErrorCode.UnknownSenderDevice]: {
    reason: 'untrusted_sender_device',
    message: 'The sender’s device is unknown',
  },
  [DecryptionErrorCode.UnsignedSenderDevice]: {
    reason: 'untrusted_sender_device',
    message: 'The sender has not verified the device that sent this message',
  },
  [DecryptionErrorCode.SenderIdentityVerificationViolation]: {
    reason: 'sender_identity_violation',
    message: 'The sender was verified before and their identity has changed',
  },
  [DecryptionErrorCode.UnableToDecrypt]: {
    reason: 'unknown',
    message: 'This message could not be decrypted',
  },
  [DecryptionErrorCode.MismatchedSender]: {
    reason: 'mismatched_sender',
    message: 'The message claims a sender other than the owner of its key',
  },
};

export type DecryptingMachine = Pick<OlmMachine, 'decryptRoomEvent'>;

export class RoomEventDecryptor {
  readonly #machine: DecryptingMachine;

  constructor(machine: DecryptingMachine) {
    this.#machine = machine;
  }

  /** `event` is the event as the server sent it: an object, or its JSON text. */
  async decrypt(roomId: string, event: unknown): Promise<DecryptionResult> {
    let json: string;
    let room: RoomId;
    try {
      const value = typeof event === 'string' ? (JSON.parse(event) as unknown) : event;
      if (!encryptedEventSchema.safeParse(value).success) return malformed();
      json = typeof event === 'string' ? event : JSON.stringify(event);
      room = new RoomId(roomId);
    } catch {
      return malformed();
    }
    let decrypted: DecryptedRoomEvent;
    const settings = new DecryptionSettings(TrustRequirement.Untrusted);
    try {
      decrypted = await this.#machine.decryptRoomEvent(json, room, settings);
    } catch (error) {
      return failure(error);
    } finally {
      settings.free();
      room.free();
    }
    try {
      const clear = clearEventSchema.safeParse(parseJson(decrypted.event));
      if (!clear.success) return malformed();
      const device = decrypted.senderDevice;
      return {
        ok: true,
        clearEvent: { type: clear.data.type, content: clear.data.content },
        senderCurve25519: decrypted.senderCurve25519Key,
        ...(device ? { senderDeviceId: device.toString() } : {}),
        shield: readShield(decrypted.shieldState(false)),
        strictShield: readShield(decrypted.shieldState(true)),
      };
    } finally {
      decrypted.free();
    }
  }
}

function failure(error: unknown): DecryptionResult {
  if (error instanceof MegolmDecryptionError) {
    const known = FAILURES[error.code] ?? FAILURES[DecryptionErrorCode.UnableToDecrypt];
    const withheld = error.maybe_withheld;
    error.free();
    return { ok: false, ...known, ...(withheld ? { withheld } : {}) };
  }
  // Anything else is the event failing the machine's own parsing.
  return malformed();
}

function malformed(): DecryptionResult {
  return { ok: false, reason: 'malformed', message: 'This encrypted message is damaged' };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
