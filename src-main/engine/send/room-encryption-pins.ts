// Pins each room's encryption in the OlmMachine (setRoomSettings) from the stored m.room.encryption,
// and answers how the next message into the room must be sent. Two independent guards keep an
// encrypted room encrypted: the rooms table's sticky is_encrypted, and the machine's settings,
// which refuse a downgrade.
import { EncryptionAlgorithm, RoomId, RoomSettings } from '@matrix-org/matrix-sdk-crypto-wasm';
import { z } from 'zod';
import { MatrixApiError } from '../http/matrix-api-error.ts';
import type { MatrixHttp } from '../http/matrix-http.ts';
import type { EngineLogLevel } from '../protocol.ts';
import type { RoomStateStore } from '../store/room-state-store.ts';
import type { RoomStore } from '../store/room-store.ts';
import {
  decideEncryption,
  MEGOLM_ALGORITHM,
  parseRoomEncryption,
  type EncryptionDecision,
  type RoomEncryption,
} from './room-encryption.ts';

/** The parts of the OlmMachine the pins use. */
export interface RoomSettingsMachine {
  // crypto-wasm types this as a promise of a promise.
  getRoomSettings(roomId: RoomId): Promise<RoomSettings | undefined | Promise<RoomSettings | undefined>>;
  setRoomSettings(roomId: RoomId, settings: RoomSettings): Promise<void>;
}

export interface RoomEncryptionPinsOptions {
  machine: RoomSettingsMachine;
  db: { roomState: Pick<RoomStateStore, 'get'>; rooms: Pick<RoomStore, 'get'> };
  /**
   * Asks the server before the first plaintext message into a room in this session: the stored
   * state may not have caught up yet (a room just joined). Without it, the stored view decides.
   */
  http?: Pick<MatrixHttp, 'request'>;
  log(level: EngineLogLevel, message: string): void;
}

const encryptionContent = z.looseObject({});

function fromSettings(settings: RoomSettings | undefined): RoomEncryption | null {
  if (!settings) return null;
  const rotationPeriodMs = settings.sessionRotationPeriodMs;
  const rotationPeriodMessages = settings.sessionRotationPeriodMessages;
  return {
    algorithm: settings.algorithm === EncryptionAlgorithm.MegolmV1AesSha2 ? MEGOLM_ALGORITHM : 'unknown',
    ...(rotationPeriodMs !== undefined ? { rotationPeriodMs } : {}),
    ...(rotationPeriodMessages !== undefined ? { rotationPeriodMessages } : {}),
  };
}

function toSettings(encryption: RoomEncryption): RoomSettings {
  const settings = new RoomSettings();
  settings.algorithm = EncryptionAlgorithm.MegolmV1AesSha2;
  settings.onlyAllowTrustedDevices = false;
  settings.sessionRotationPeriodMs = encryption.rotationPeriodMs;
  settings.sessionRotationPeriodMessages = encryption.rotationPeriodMessages;
  return settings;
}

export class RoomEncryptionPins {
  readonly #machine: RoomSettingsMachine;
  readonly #db: RoomEncryptionPinsOptions['db'];
  readonly #log: RoomEncryptionPinsOptions['log'];
  readonly #http: RoomEncryptionPinsOptions['http'];
  /** Rooms the server confirmed unencrypted in this session. */
  readonly #confirmedPlain = new Set<string>();

  constructor(options: RoomEncryptionPinsOptions) {
    this.#machine = options.machine;
    this.#db = options.db;
    this.#log = options.log;
    this.#http = options.http;
  }

  /** Pins a room Tessera just created encrypted, before any state about it has synced. */
  async pin(roomId: string, encryption: RoomEncryption): Promise<void> {
    await this.#machine.setRoomSettings(new RoomId(roomId), toSettings(encryption));
  }

  /** Pins what the stored state says (when it says Megolm) and decides how to send. */
  async decide(roomId: string): Promise<EncryptionDecision> {
    const room = new RoomId(roomId);
    let state = parseRoomEncryption(this.#db.roomState.get(roomId, 'm.room.encryption')?.content);
    let pinned = fromSettings(await this.#machine.getRoomSettings(room));
    const seenEncrypted = this.#db.rooms.get(roomId)?.isEncrypted ?? false;
    let decision = decideEncryption({ state, pinned, seenEncrypted });
    if (decision.kind === 'plaintext' && this.#http && !this.#confirmedPlain.has(roomId)) {
      state = await this.#serverEncryption(this.#http, roomId);
      if (state) decision = decideEncryption({ state, pinned, seenEncrypted });
      else this.#confirmedPlain.add(roomId);
    }
    if (decision.kind === 'megolm' && !sameSettings(pinned, decision.settings)) {
      try {
        await this.#machine.setRoomSettings(room, toSettings(decision.settings));
        pinned = decision.settings;
      } catch {
        // The machine refused a downgrade (e.g. a longer rotation): its pinned settings stand.
        this.#log('warn', 'send: a room asked for weaker encryption settings; the pinned ones stay');
        if (pinned) return decideEncryption({ state: null, pinned, seenEncrypted: true });
      }
    }
    return decision;
  }

  /** The room's m.room.encryption as the server has it now; null when there is none. */
  async #serverEncryption(http: Pick<MatrixHttp, 'request'>, roomId: string): Promise<RoomEncryption | null> {
    try {
      const content = await http.request(
        'GET',
        `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/state/m.room.encryption/`,
        { schema: encryptionContent },
      );
      return parseRoomEncryption(content);
    } catch (error) {
      if (error instanceof MatrixApiError && error.status === 404) return null;
      throw error;
    }
  }
}

function sameSettings(a: RoomEncryption | null, b: RoomEncryption): boolean {
  return (
    a !== null &&
    a.algorithm === b.algorithm &&
    a.rotationPeriodMs === b.rotationPeriodMs &&
    a.rotationPeriodMessages === b.rotationPeriodMessages
  );
}
