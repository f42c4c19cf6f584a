// Another user's device with real end-to-end encryption, for tests: its own OlmMachine (crypto-wasm's
// in-memory store, no IndexedDB) and raw HTTP. Deliberately none of Tessera's crypto code, so a
// shared bug cannot hide itself. Room operations go through MatrixPeer.
import { randomBytes } from 'node:crypto';
import {
  DecryptionSettings,
  DeviceId,
  DeviceLists,
  EncryptionSettings,
  OlmMachine,
  RequestType,
  RoomId,
  TrustRequirement,
  UserId,
  initAsync,
} from '@matrix-org/matrix-sdk-crypto-wasm';
import { MatrixPeer, MatrixRequestError, type PeerCredentials } from './matrix-peer.ts';

interface PeerRequest {
  readonly id?: string | undefined;
  readonly type: RequestType;
  readonly body: string;
  readonly event_type?: string;
  readonly txn_id?: string;
  readonly room_id?: string;
}

export class OlmPeer {
  readonly matrix: MatrixPeer;
  readonly machine: OlmMachine;
  readonly userId: string;
  readonly deviceId: string;
  readonly #baseUrl: string;
  readonly #accessToken: string;
  #since: string | undefined;

  private constructor(credentials: PeerCredentials & { deviceId: string }, machine: OlmMachine) {
    this.matrix = new MatrixPeer(credentials);
    this.machine = machine;
    this.userId = credentials.userId;
    this.deviceId = credentials.deviceId;
    this.#baseUrl = credentials.baseUrl.replace(/\/+$/, '');
    this.#accessToken = credentials.accessToken;
  }

  /** Creates the device's machine and publishes its device keys and one-time keys. */
  static async start(credentials: PeerCredentials & { deviceId: string }): Promise<OlmPeer> {
    await initAsync();
    const machine = await OlmMachine.initialize(
      new UserId(credentials.userId),
      new DeviceId(credentials.deviceId),
    );
    const peer = new OlmPeer(credentials, machine);
    await peer.machine.updateTrackedUsers([new UserId(credentials.userId)]);
    await peer.sendOutgoingRequests();
    return peer;
  }

  /** Creates a room with encryption on from the start; returns its id. */
  createEncryptedRoom(options: { name?: string; invite?: string[] } = {}): Promise<string> {
    return this.matrix.createRoom({
      ...options,
      preset: 'private_chat',
      initialState: [
        { type: 'm.room.encryption', state_key: '', content: { algorithm: 'm.megolm.v1.aes-sha2' } },
      ],
    });
  }

  /**
   * Sends an encrypted m.text into a room: queries the recipients' devices, claims one-time keys
   * for new Olm sessions, shares the room key by to-device, encrypts. Returns the event id.
   */
  async sendEncryptedText(roomId: string, text: string, recipients: string[]): Promise<string> {
    const users = () => recipients.map((userId) => new UserId(userId));
    await this.machine.updateTrackedUsers(users());
    await this.sendOutgoingRequests();
    const claim = await this.machine.getMissingSessions(users());
    if (claim) await this.#send(claim);
    const room = new RoomId(roomId);
    const shares = await this.machine.shareRoomKey(room, users(), new EncryptionSettings());
    for (const share of shares) await this.#send(share);
    const content = await this.machine.encryptRoomEvent(
      new RoomId(roomId),
      'm.room.message',
      JSON.stringify({ msgtype: 'm.text', body: text }),
    );
    const txnId = `olm-peer-${randomBytes(6).toString('hex')}`;
    const sent = await this.#call(
      'PUT',
      `/rooms/${enc(roomId)}/send/m.room.encrypted/${enc(txnId)}`,
      content,
    );
    return (JSON.parse(sent) as { event_id: string }).event_id;
  }

  /** Sends whatever the machine asks for until it asks for nothing. */
  async sendOutgoingRequests(): Promise<void> {
    for (let pass = 0; pass < 10; pass++) {
      const requests = (await this.machine.outgoingRequests()) as PeerRequest[];
      if (requests.length === 0) return;
      for (const request of requests) await this.#send(request);
    }
  }

  /**
   * One /v3/sync (no wait): its to-device events (room keys), device list changes and key counts go
   * to the machine, then whatever the machine asks for is sent. Returns the number of to-device events.
   */
  async syncCrypto(): Promise<number> {
    const query = new URLSearchParams({ timeout: '0', filter: JSON.stringify({ room: { rooms: [] } }) });
    if (this.#since) query.set('since', this.#since);
    const body = (await this.#get(`/sync?${query}`)) as {
      next_batch: string;
      to_device?: { events?: unknown[] };
      device_lists?: { changed?: string[]; left?: string[] };
      device_one_time_keys_count?: Record<string, number>;
      device_unused_fallback_key_types?: string[];
    };
    this.#since = body.next_batch;
    const events = body.to_device?.events ?? [];
    const lists = new DeviceLists(
      (body.device_lists?.changed ?? []).map((id) => new UserId(id)),
      (body.device_lists?.left ?? []).map((id) => new UserId(id)),
    );
    await this.machine.receiveSyncChanges(
      JSON.stringify(events),
      lists,
      new Map(Object.entries(body.device_one_time_keys_count ?? {})),
      new Set(body.device_unused_fallback_key_types ?? []),
    );
    await this.sendOutgoingRequests();
    return events.length;
  }

  /** Fetches one room event and decrypts it; returns the clear event's type and content. */
  async decryptEvent(
    roomId: string,
    eventId: string,
  ): Promise<{ type: string; content: Record<string, unknown>; senderDevice: string | undefined }> {
    const event = await this.#get(`/rooms/${enc(roomId)}/event/${enc(eventId)}`);
    const decrypted = await this.machine.decryptRoomEvent(
      JSON.stringify(event),
      new RoomId(roomId),
      new DecryptionSettings(TrustRequirement.Untrusted),
    );
    const clear = JSON.parse(decrypted.event) as { type: string; content: Record<string, unknown> };
    return { type: clear.type, content: clear.content, senderDevice: decrypted.senderDevice?.toString() };
  }

  /** The raw event as the server stores it (type and content), without decrypting. */
  async rawEvent(
    roomId: string,
    eventId: string,
  ): Promise<{ type: string; content: Record<string, unknown> }> {
    return (await this.#get(`/rooms/${enc(roomId)}/event/${enc(eventId)}`)) as {
      type: string;
      content: Record<string, unknown>;
    };
  }

  /** Ids of the latest room events (up to 100) sent by `sender`, oldest first. */
  async eventIdsFrom(roomId: string, sender: string): Promise<string[]> {
    const body = (await this.#get(`/rooms/${enc(roomId)}/messages?dir=b&limit=100`)) as {
      chunk: { event_id: string; sender: string; state_key?: string }[];
    };
    return body.chunk
      .filter((event) => event.sender === sender && event.state_key === undefined)
      .map((event) => event.event_id)
      .reverse();
  }

  close(): void {
    this.machine.close();
  }

  async #get(path: string): Promise<unknown> {
    const response = await fetch(`${this.#baseUrl}/_matrix/client/v3${path}`, {
      headers: { authorization: `Bearer ${this.#accessToken}` },
    });
    if (!response.ok) {
      throw new MatrixRequestError(
        `GET ${path.split(/[/?]/)[1] ?? ''}`,
        response.status,
        undefined,
        undefined,
      );
    }
    return (await response.json()) as unknown;
  }

  async #send(request: PeerRequest): Promise<void> {
    let response: string;
    switch (request.type) {
      case RequestType.KeysUpload:
        response = await this.#call('POST', '/keys/upload', request.body);
        break;
      case RequestType.KeysQuery:
        response = await this.#call('POST', '/keys/query', request.body);
        break;
      case RequestType.KeysClaim:
        response = await this.#call('POST', '/keys/claim', request.body);
        break;
      case RequestType.ToDevice:
        response = await this.#call(
          'PUT',
          `/sendToDevice/${enc(request.event_type ?? '')}/${enc(request.txn_id ?? '')}`,
          request.body,
        );
        break;
      case RequestType.SignatureUpload:
        response = await this.#call('POST', '/keys/signatures/upload', request.body);
        break;
      case RequestType.RoomMessage:
        response = await this.#call(
          'PUT',
          `/rooms/${enc(request.room_id ?? '')}/send/${enc(request.event_type ?? '')}/${enc(request.txn_id ?? '')}`,
          request.body,
        );
        break;
      default:
        throw new Error(`olm peer: no route for request type ${String(request.type)}`);
    }
    if (request.id !== undefined) await this.machine.markRequestAsSent(request.id, request.type, response);
  }

  async #call(method: 'POST' | 'PUT', path: string, body: string): Promise<string> {
    const response = await fetch(`${this.#baseUrl}/_matrix/client/v3${path}`, {
      method,
      headers: { authorization: `Bearer ${this.#accessToken}`, 'content-type': 'application/json' },
      body,
    });
    const text = await response.text();
    if (!response.ok) {
      let errcode: string | undefined;
      try {
        errcode = (JSON.parse(text) as { errcode?: string }).errcode;
      } catch {
        errcode = undefined;
      }
      throw new MatrixRequestError(
        `${method} ${path.split('/').slice(0, 2).join('/')}`,
        response.status,
        errcode,
        undefined,
      );
    }
    return text;
  }
}

const enc = encodeURIComponent;
