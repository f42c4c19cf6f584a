// One attempt at putting a queued message on the server: decide how the room must be sent to
// (pinned encryption), share the room key and encrypt for a Megolm room, then PUT it under the
// message's own transaction id, so that every retry of the same message is the same request.
import { RoomId } from '@matrix-org/matrix-sdk-crypto-wasm';
import { z } from 'zod';
import { EngineError } from '../errors.ts';
import type { MatrixHttp } from '../http/matrix-http.ts';
import type { JsonObject } from '../store/json-column.ts';
import type { RoomEncryptionPins } from './room-encryption-pins.ts';
import type { RoomKeySharing } from './room-key-sharing.ts';

export interface TransmittedMessage {
  txnId: string;
  roomId: string;
  eventType: string;
  content: JsonObject;
}

export interface RoomEventEncrypter {
  encryptRoomEvent(roomId: RoomId, eventType: string, content: string): Promise<string>;
}

export interface MessageTransmitterOptions {
  http: Pick<MatrixHttp, 'request'>;
  pins: Pick<RoomEncryptionPins, 'decide'>;
  sharing: Pick<RoomKeySharing, 'prepare'>;
  machine: RoomEventEncrypter;
  barrier(): void;
}

const sendResponse = z.object({ event_id: z.string().min(1) });

export class MessageTransmitter {
  readonly #options: MessageTransmitterOptions;

  constructor(options: MessageTransmitterOptions) {
    this.#options = options;
  }

  /** Resolves with the event id the server gave the message. */
  async transmit(message: TransmittedMessage, signal?: AbortSignal): Promise<string> {
    const { http, pins, sharing, machine, barrier } = this.#options;
    const decision = await pins.decide(message.roomId);
    let eventType = message.eventType;
    let content: unknown = message.content;
    if (decision.kind === 'unsupported') {
      throw new EngineError(
        'encryption_unsupported',
        'This room uses an encryption Tessera does not support; nothing was sent',
      );
    }
    if (decision.kind === 'megolm') {
      await sharing.prepare(message.roomId, decision.settings, signal);
      const encrypted = await machine.encryptRoomEvent(
        new RoomId(message.roomId),
        message.eventType,
        JSON.stringify(message.content),
      );
      eventType = 'm.room.encrypted';
      content = JSON.parse(encrypted) as unknown;
      // The outbound session's new index must be on disk before the ciphertext leaves.
      barrier();
    }
    const enc = encodeURIComponent;
    const response = await http.request(
      'PUT',
      `/_matrix/client/v3/rooms/${enc(message.roomId)}/send/${enc(eventType)}/${enc(message.txnId)}`,
      { schema: sendResponse, body: content, retries: 0, ...(signal ? { signal } : {}) },
    );
    return response.event_id;
  }
}
