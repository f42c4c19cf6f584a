// The send path of one open account, assembled: encryption pins, room key sharing, the
// transmitter and the queue, on the account's database, HTTP client and OlmMachine.
import type { MessageStatus } from '../../../src-preload/contract.ts';
import type { OlmCryptoAccount } from '../account/olm-crypto-account.ts';
import type { MatrixHttp } from '../http/matrix-http.ts';
import type { EngineLogLevel } from '../protocol.ts';
import { shareKeysWithCrossSignedOnly } from '../settings/account-settings.ts';
import type { AccountDatabase } from '../store/account-database.ts';
import { MessageTransmitter } from './message-transmitter.ts';
import { RoomEncryptionPins } from './room-encryption-pins.ts';
import { RoomKeySharing } from './room-key-sharing.ts';
import { SendQueue } from './send-queue.ts';

export interface AccountSendingOptions {
  db: AccountDatabase;
  http: MatrixHttp;
  crypto: OlmCryptoAccount;
  userId: string;
  emit(status: MessageStatus): void;
  log(level: EngineLogLevel, message: string): void;
  backoffMs?(attempt: number): number;
  /** A message was cancelled before it was sent (its local echo goes away). */
  onCancelled?(message: { roomId: string; transactionId: string }): void;
  /**
   * The MSC4153 setting as it applies now (a policy lock included); default: the stored setting.
   */
  crossSignedOnly?(): boolean;
}

export function createSendQueue(options: AccountSendingOptions): SendQueue {
  const { db, http, crypto, log } = options;
  const machine = crypto.machine.olm;
  const barrier = () => crypto.machine.flush();
  const pins = new RoomEncryptionPins({ machine, db, http, log });
  const sharing = new RoomKeySharing({
    machine,
    http,
    db,
    userId: options.userId,
    barrier,
    refreshDeviceLists: () => crypto.sendOutgoingRequests(),
    crossSignedOnly: options.crossSignedOnly ?? (() => shareKeysWithCrossSignedOnly(db.settings, log)),
    log,
  });
  const transmitter = new MessageTransmitter({ http, pins, sharing, machine, barrier });
  return new SendQueue({
    store: db.outgoing,
    transmit: (message, signal) => transmitter.transmit(message, signal),
    emit: options.emit,
    log,
    ...(options.backoffMs ? { backoffMs: options.backoffMs } : {}),
    ...(options.onCancelled ? { onCancelled: options.onCancelled } : {}),
  });
}
