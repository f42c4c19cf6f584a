// Decrypts stored m.room.encrypted events in the background, once each: after every stored sync
// response, first the newest waiting event of each room (what the room list shows), then the
// rooms the person opened, then the rest, newest first, a batch at a time with a yield between batches so the sync loop keeps
// running. The outcome is written beside the event; a restart reads it and never decrypts again.
// Events that failed for want of a room key are decrypted again when the OlmMachine reports
// that key (matched by room and megolm session id), and once at start, since keys may have
// arrived (or been written) while Tessera was stopped.
import type { OlmMachine, RoomKeyInfo } from '@matrix-org/matrix-sdk-crypto-wasm';
import { z } from 'zod';
import { describeFailure } from '../crypto/failure-text.ts';
import { RoomEventDecryptor, type DecryptionResult } from '../crypto/room-event-decryptor.ts';
import type { EngineLogLevel } from '../protocol.ts';
import type { AccountDatabase } from '../store/account-database.ts';
import type { JsonObject } from '../store/json-column.ts';
import { DecryptionQueue, type DecryptionOutcome, type EncryptedEventRow } from './decryption-queue.ts';

export type DecryptionMachine = Pick<OlmMachine, 'decryptRoomEvent' | 'registerRoomKeyUpdatedCallback'>;

export interface TimelineDecryptionOptions {
  db: AccountDatabase;
  machine: DecryptionMachine;
  log(level: EngineLogLevel, message: string): void;
  /** Events decrypted between two writes (and two yields to the event loop). */
  batchSize?: number;
  /** Outcomes were written (decrypted, or failed for good or for now), per room. */
  onRecorded?(roomId: string, eventIds: readonly string[]): void;
}

const DEFAULT_BATCH = 50;

// The only room algorithm Tessera decrypts; anything else of this type is damaged or hostile.
const megolmContentSchema = z.looseObject({
  algorithm: z.literal('m.megolm.v1.aes-sha2'),
  ciphertext: z.string().min(1),
  session_id: z.string().min(1),
});

const MALFORMED: DecryptionResult = {
  ok: false,
  reason: 'malformed',
  message: 'This encrypted message is damaged',
};

export class TimelineDecryption {
  readonly #queue: DecryptionQueue;
  readonly #decryptor: RoomEventDecryptor;
  readonly #options: TimelineDecryptionOptions;
  readonly #batchSize: number;
  /** Room id → megolm session ids whose keys arrived since the last pass. */
  readonly #arrivedKeys = new Map<string, Set<string>>();
  /** Rooms the person opened, decrypted before the rest. */
  readonly #openedRooms = new Set<string>();
  #decryptCalls = 0;
  #running: Promise<void> | null = null;
  #again = false;
  #retryAll = false;
  #started = false;
  #stopped = false;

  constructor(options: TimelineDecryptionOptions) {
    this.#options = options;
    this.#queue = new DecryptionQueue(options.db);
    this.#decryptor = new RoomEventDecryptor(options.machine);
    this.#batchSize = Math.max(1, options.batchSize ?? DEFAULT_BATCH);
  }

  /** How many times this instance asked the OlmMachine to decrypt (tests and benchmarks). */
  get decryptCalls(): number {
    return this.#decryptCalls;
  }

  /** Listens for room keys, retries what failed for want of one, and decrypts what waits. */
  start(): void {
    if (this.#started || this.#stopped) return;
    this.#started = true;
    this.#options.machine.registerRoomKeyUpdatedCallback((keys) => this.#onRoomKeys(keys));
    this.#retryAll = true;
    this.kick();
  }

  /** New events were stored: decrypt them soon. Never blocks the caller. */
  kick(): void {
    if (this.#stopped || !this.#started) return;
    this.#again = true;
    this.#running ??= this.#drain().finally(() => {
      this.#running = null;
    });
  }

  /** The person opened a room: its waiting events go before other rooms' older ones. */
  prioritize(roomId: string): void {
    this.#openedRooms.add(roomId);
    this.kick();
  }

  /** Resolves when nothing is left to do (tests). */
  async whenIdle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  /** Finishes the batch in hand, writes it, and does nothing more. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#running;
  }

  #onRoomKeys(keys: RoomKeyInfo[]): Promise<void> {
    for (const key of keys) {
      try {
        if (this.#stopped) continue;
        const roomId = key.roomId.toString();
        let sessions = this.#arrivedKeys.get(roomId);
        if (!sessions) this.#arrivedKeys.set(roomId, (sessions = new Set()));
        sessions.add(key.sessionId);
      } finally {
        key.free();
      }
    }
    this.kick();
    return Promise.resolve();
  }

  async #drain(): Promise<void> {
    // The caller goes on first (kick never blocks): at start that is opening the room list.
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (this.#again && !this.#stopped) {
      this.#again = false;
      try {
        await this.#pass();
      } catch (error) {
        // The next stored batch or room key tries again.
        this.#options.log('error', `decryption: a pass failed (${describeFailure(error)})`);
      }
    }
  }

  async #pass(): Promise<void> {
    const arrived = [...this.#arrivedKeys];
    this.#arrivedKeys.clear();
    for (const [roomId, sessions] of arrived)
      for (const sessionId of sessions)
        await this.#decryptAll(this.#queue.failedForSession(roomId, sessionId));
    if (this.#retryAll) {
      this.#retryAll = false;
      let before = Number.MAX_SAFE_INTEGER;
      while (!this.#stopped) {
        const rows = this.#queue.failedRetryable(before, this.#batchSize);
        const last = rows.at(-1);
        if (!last) break;
        before = last.id;
        await this.#decryptBatch(rows);
      }
    }
    await this.#decryptAll(this.#queue.pendingHeads(Number.MAX_SAFE_INTEGER));
    const newerWork = () => this.#again || this.#arrivedKeys.size > 0;
    for (const roomId of [...this.#openedRooms]) {
      const page = () => this.#queue.pendingInRoom(roomId, this.#batchSize);
      if (!(await this.#decryptPending(page, newerWork))) return;
      this.#openedRooms.delete(roomId);
    }
    await this.#decryptPending(
      () => this.#queue.pending(this.#batchSize),
      () => newerWork() || this.#openedRooms.size > 0,
    );
  }

  /**
   * Decrypts page after page; true when none is left, false when it stopped early because
   * newer work waits (the next pass starts with that work).
   */
  async #decryptPending(page: () => EncryptedEventRow[], newerWork: () => boolean): Promise<boolean> {
    const seen = new Set<string>();
    while (!this.#stopped) {
      if (newerWork()) return false;
      // An event is taken once per pass, even if its outcome could not be written.
      const rows = page().filter((row) => !seen.has(key(row)));
      if (rows.length === 0) return true;
      for (const row of rows) seen.add(key(row));
      await this.#decryptBatch(rows);
    }
    return false;
  }

  async #decryptAll(rows: readonly EncryptedEventRow[]): Promise<void> {
    for (let start = 0; start < rows.length && !this.#stopped; start += this.#batchSize)
      await this.#decryptBatch(rows.slice(start, start + this.#batchSize));
  }

  async #decryptBatch(rows: readonly EncryptedEventRow[]): Promise<void> {
    const outcomes: DecryptionOutcome[] = [];
    for (const row of rows) {
      if (this.#stopped) break;
      const event = serverEvent(row);
      let result = MALFORMED;
      if (event && megolmContentSchema.safeParse(event.content).success) {
        this.#decryptCalls += 1;
        result = await this.#decryptor.decrypt(row.roomId, event);
      }
      outcomes.push(outcome(row, result));
      if (!result.ok && result.reason === 'malformed')
        this.#options.log('warn', 'decryption: an encrypted event is malformed; kept as failed');
    }
    this.#queue.record(outcomes);
    const onRecorded = this.#options.onRecorded;
    if (onRecorded && outcomes.length > 0) {
      const byRoom = new Map<string, string[]>();
      for (const { roomId, eventId } of outcomes) {
        const ids = byRoom.get(roomId) ?? [];
        ids.push(eventId);
        byRoom.set(roomId, ids);
      }
      for (const [roomId, eventIds] of byRoom) onRecorded(roomId, eventIds);
    }
    // Lets sync responses and commands in between batches.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

function key(row: EncryptedEventRow): string {
  return `${row.roomId}\u0000${row.eventId}`;
}

/** The event as the server sent it, rebuilt from the stored columns (null: unreadable). */
function serverEvent(row: EncryptedEventRow): JsonObject | null {
  try {
    return {
      type: 'm.room.encrypted',
      event_id: row.eventId,
      sender: row.sender,
      origin_server_ts: row.originServerTs,
      room_id: row.roomId,
      content: JSON.parse(row.content) as unknown,
      ...(row.unsigned === null ? {} : { unsigned: JSON.parse(row.unsigned) as unknown }),
    };
  } catch {
    return null;
  }
}

function outcome(row: EncryptedEventRow, result: DecryptionResult): DecryptionOutcome {
  const target = { roomId: row.roomId, eventId: row.eventId };
  if (!result.ok)
    return {
      ...target,
      state: 'failed',
      // The reason only: a failure keeps no plaintext.
      decrypted: {
        reason: result.reason,
        message: result.message,
        ...(result.withheld ? { withheld: result.withheld } : {}),
      },
    };
  return {
    ...target,
    state: 'decrypted',
    decrypted: {
      type: result.clearEvent.type,
      content: result.clearEvent.content,
      shield: { ...result.shield },
      strictShield: { ...result.strictShield },
      ...(result.senderDeviceId ? { senderDeviceId: result.senderDeviceId } : {}),
      ...(result.senderCurve25519 ? { senderCurve25519: result.senderCurve25519 } : {}),
    },
  };
}
