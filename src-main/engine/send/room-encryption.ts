// What a room's m.room.encryption says, and the one decision the send path takes from it: send
// Megolm, send plaintext, or refuse. Once a room has been seen encrypted it never gets plaintext,
// whatever the server says later (a dropped or damaged state event is treated as "encrypted").
export const MEGOLM_ALGORITHM = 'm.megolm.v1.aes-sha2';

export interface RoomEncryption {
  algorithm: string;
  rotationPeriodMs?: number;
  rotationPeriodMessages?: number;
}

export type EncryptionDecision =
  | { kind: 'plaintext' }
  | { kind: 'megolm'; settings: RoomEncryption }
  /** Encrypted with an algorithm Tessera does not speak: nothing is sent. */
  | { kind: 'unsupported' };

function positiveInteger(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : undefined;
}

/** Reads an m.room.encryption content; null when it has no algorithm (not an encryption event). */
export function parseRoomEncryption(
  content: Record<string, unknown> | null | undefined,
): RoomEncryption | null {
  if (!content || typeof content.algorithm !== 'string' || content.algorithm.length === 0) return null;
  const rotationPeriodMs = positiveInteger(content.rotation_period_ms);
  const rotationPeriodMessages = positiveInteger(content.rotation_period_msgs);
  return {
    algorithm: content.algorithm,
    ...(rotationPeriodMs !== undefined ? { rotationPeriodMs } : {}),
    ...(rotationPeriodMessages !== undefined ? { rotationPeriodMessages } : {}),
  };
}

export interface EncryptionEvidence {
  /** From the stored room state; null when the state row is missing or has no algorithm. */
  state: RoomEncryption | null;
  /** What the OlmMachine has pinned for the room (setRoomSettings), if anything. */
  pinned: RoomEncryption | null;
  /** The rooms table's sticky is_encrypted flag. */
  seenEncrypted: boolean;
}

export function decideEncryption(evidence: EncryptionEvidence): EncryptionDecision {
  const { state, pinned, seenEncrypted } = evidence;
  if (state) {
    if (state.algorithm !== MEGOLM_ALGORITHM) {
      // A pinned Megolm room whose state now names something else still gets Megolm.
      return pinned?.algorithm === MEGOLM_ALGORITHM
        ? { kind: 'megolm', settings: pinned }
        : { kind: 'unsupported' };
    }
    return { kind: 'megolm', settings: state };
  }
  if (pinned) {
    return pinned.algorithm === MEGOLM_ALGORITHM
      ? { kind: 'megolm', settings: pinned }
      : { kind: 'unsupported' };
  }
  // Seen encrypted, but neither state nor pin is left: Megolm with the default rotation.
  if (seenEncrypted) return { kind: 'megolm', settings: { algorithm: MEGOLM_ALGORITHM } };
  return { kind: 'plaintext' };
}
