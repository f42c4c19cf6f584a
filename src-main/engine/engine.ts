// The Matrix engine: one account profile, its state (signed out, locked, unavailable, open), and
// the contract's commands and events. It knows nothing of Electron or windows.
import { z } from 'zod';
import {
  commandSchemas,
  type CommandName,
  type EventName,
  type EventPayloads,
  type InvokeOutcome,
  type SessionView,
  type SyncState,
} from '../../src-preload/contract.ts';
import { AccountSession, settingKeys } from './account/account-session.ts';
import { OlmCryptoAccount } from './account/olm-crypto-account.ts';
import { discoverHomeserver, supportsSimplifiedSlidingSync } from './auth/discovery.ts';
import { passwordLogin } from './auth/password-login.ts';
import { fetchDisplayName } from './auth/profile.ts';
import { parseUserInput } from './auth/user-id.ts';
import { EngineError, toErrorView } from './errors.ts';
import { MatrixApiError } from './http/matrix-api-error.ts';
import { MatrixHttp } from './http/matrix-http.ts';
import type { StoreKeys } from './keychain/store-keys.ts';
import { zeroStoreKeys } from './keychain/store-keys.ts';
import { AccountProfile, defaultKeySources, type KeySources } from './profile/account-profile.ts';
import type { ProfileManifest } from './profile/profile-manifest.ts';
import type { EngineCommands, EngineLogLevel, EngineOptions, ValidArgs } from './protocol.ts';
import type { SyncApi } from './store/sync-position-store.ts';
import * as membership from './rooms/membership.ts';
import { createSendQueue } from './send/account-sending.ts';
import { createRoom } from './send/room-creation.ts';
import { MEGOLM_ALGORITHM } from './send/room-encryption.ts';
import { RoomEncryptionPins } from './send/room-encryption-pins.ts';
import type { SendQueue } from './send/send-queue.ts';

const logoutSchema = z.looseObject({});

export interface EngineSinks {
  emit<E extends EventName>(name: E, payload: EventPayloads[E]): void;
  log(level: EngineLogLevel, message: string): void;
}

export interface EngineDependencies {
  /** Where keys are kept; tests may substitute an in-memory keychain. */
  keySources?: KeySources;
}

type EngineState =
  | { kind: 'signed_out' }
  | { kind: 'locked'; manifest: ProfileManifest }
  | { kind: 'unavailable'; manifest: ProfileManifest | null; error: EngineError }
  | { kind: 'open'; session: AccountSession };

export class Engine {
  readonly #options: EngineOptions;
  readonly #sinks: EngineSinks;
  readonly #profile: AccountProfile;
  #state: EngineState = { kind: 'signed_out' };
  /** Serializes every change of state (start, sign-in, unlock, sign-out) so none can race. */
  #stateChange: Promise<unknown> = Promise.resolve();
  /** The open account's send queue, beside its session. */
  #sending: { session: AccountSession; queue: SendQueue } | undefined;

  constructor(options: EngineOptions, sinks: EngineSinks, dependencies: EngineDependencies = {}) {
    this.#options = options;
    this.#sinks = sinks;
    this.#profile = new AccountProfile(options.profileDir, dependencies.keySources ?? defaultKeySources);
  }

  readonly commands: EngineCommands = {
    'session.get': () => this.#serialized(async () => this.#sessionView()),
    'session.login': (args) => this.#serialized(() => this.#login(args)),
    'session.unlock': (args) => this.#serialized(() => this.#unlock(args.passphrase)),
    'session.retry': () => this.#serialized(() => this.#retry()),
    'session.logout': () => this.#serialized(() => this.#logout()),
    'rooms.list': async () => (this.#state.kind === 'open' ? this.#state.session.rooms.summaries() : []),
    'message.send': async (args) => {
      const queue = this.#openQueue();
      const transactionId = queue.send(args.roomId, 'm.room.message', { msgtype: 'm.text', body: args.body });
      return { transactionId };
    },
    'rooms.create': (args) => this.#createRoom(args),
    'rooms.invite': (args) => membership.invite(this.#membership(), args.roomId, args.userId),
    'rooms.join': (args) => membership.join(this.#membership(), args.roomIdOrAlias),
    'rooms.leave': (args) => membership.leave(this.#membership(), args.roomId),
    'rooms.kick': (args) => membership.kick(this.#membership(), args.roomId, args.userId, args.reason),
    'rooms.ban': (args) => membership.ban(this.#membership(), args.roomId, args.userId, args.reason),
    // Issue 4, part 2: each stub below is replaced by the module that implements it.
    'session.reauthenticate': () => notYet(),
    'rooms.details': () => notYet(),
    'timeline.open': () => notYet(),
    'timeline.close': () => notYet(),
    'timeline.back': () => notYet(),
    'message.edit': () => notYet(),
    'message.react': () => notYet(),
    'message.redact': () => notYet(),
    'message.retry': () => notYet(),
    'message.cancel': () => notYet(),
    'receipts.markRead': () => notYet(),
    'typing.set': () => notYet(),
    'settings.get': () => notYet(),
    'settings.set': () => notYet(),
  };

  #membership(): membership.MembershipContext {
    if (this.#state.kind !== 'open')
      throw new EngineError('not_signed_in', 'Sign in to change room membership');
    const session = this.#state.session;
    return { http: session.http, roomState: session.db.roomState, userId: session.userId };
  }

  async #createRoom(args: ValidArgs<'rooms.create'>): Promise<{ roomId: string }> {
    if (this.#state.kind !== 'open') throw new EngineError('not_signed_in', 'Sign in to create a room');
    const session = this.#state.session;
    const roomId = await createRoom(session.http, session.userId, {
      name: args.name,
      invite: args.invite ?? [],
      direct: args.direct ?? false,
      encrypted: args.encrypted,
    });
    if (args.encrypted && session.crypto instanceof OlmCryptoAccount) {
      // Pinned at once: the first message may leave before the room's state has synced.
      const pins = new RoomEncryptionPins({
        machine: session.crypto.machine.olm,
        db: session.db,
        log: (level, message) => this.#sinks.log(level, message),
      });
      await pins.pin(roomId, { algorithm: MEGOLM_ALGORITHM });
    }
    return { roomId };
  }

  /** For tests: the open account's send queue. */
  get sendQueue(): SendQueue | null {
    return this.#state.kind === 'open' && this.#sending?.session === this.#state.session
      ? this.#sending.queue
      : null;
  }

  #openQueue(): SendQueue {
    const queue = this.sendQueue;
    if (!queue) throw new EngineError('not_signed_in', 'Sign in to send messages');
    return queue;
  }

  /** Starts the session's send queue and picks up what a previous run left pending. */
  #startSending(session: AccountSession): void {
    if (!(session.crypto instanceof OlmCryptoAccount)) return;
    const queue = createSendQueue({
      db: session.db,
      http: session.http,
      crypto: session.crypto,
      userId: session.userId,
      emit: (status) => this.#sinks.emit('message.status', status),
      log: (level, message) => this.#sinks.log(level, message),
    });
    this.#sending = { session, queue };
    queue.resume();
  }

  /** Stops the send queue before its session closes the database under it. */
  async #stopSending(session: AccountSession): Promise<void> {
    if (this.#sending?.session !== session) return;
    const { queue } = this.#sending;
    this.#sending = undefined;
    await queue.stop();
  }

  /** Stops a session and, first, its send queue. */
  async #stopSession(session: AccountSession): Promise<void> {
    await this.#stopSending(session);
    await session.stop();
  }

  /** Opens the stored account, if any: the room list comes from disk before the network answers. */
  start(): Promise<void> {
    return this.#serialized(async () => {
      if (!this.#profile.exists()) return;
      let manifest: ProfileManifest;
      try {
        manifest = this.#profile.manifest() as ProfileManifest;
      } catch (error) {
        this.#setState({ kind: 'unavailable', manifest: null, error: asEngineError(error) });
        return;
      }
      if (manifest.keyBackend.kind === 'passphrase') {
        this.#setState({ kind: 'locked', manifest });
        return;
      }
      await this.#openStored(manifest, undefined);
    });
  }

  /**
   * Runs one command. Arguments are validated again here: the router already did, but the
   * engine does not assume every caller is the router.
   */
  async handle(command: CommandName, args: unknown): Promise<InvokeOutcome<unknown>> {
    try {
      if (!Object.hasOwn(commandSchemas, command)) {
        throw new EngineError('unknown_command', 'Unknown command');
      }
      const parsed = commandSchemas[command].safeParse(args ?? {});
      if (!parsed.success) throw new EngineError('invalid_arguments', 'The request was not valid');
      const run = this.commands[command] as (valid: unknown) => Promise<unknown>;
      return { ok: true, value: await run(parsed.data) };
    } catch (error) {
      if (!(error instanceof EngineError)) {
        this.#sinks.log(
          'error',
          `command ${command} failed: ${error instanceof Error ? error.name : typeof error}`,
        );
      }
      return { ok: false, error: toErrorView(error) };
    }
  }

  /** Stops syncing and closes the account's database (the profile stays). */
  shutdown(): Promise<void> {
    return this.#serialized(async () => {
      if (this.#state.kind === 'open') await this.#stopSession(this.#state.session);
    });
  }

  /** For tests and the CLI: the sync state without a round trip. */
  get syncState(): SyncState | null {
    return this.#state.kind === 'open' ? this.#state.session.syncState : null;
  }

  /** For tests: the open account's session. */
  get session(): AccountSession | null {
    return this.#state.kind === 'open' ? this.#state.session : null;
  }

  #serialized<T>(task: () => Promise<T>): Promise<T> {
    const next = this.#stateChange.then(task, task);
    this.#stateChange = next.catch(() => undefined);
    return next;
  }

  #sessionView(): SessionView | null {
    const state = this.#state;
    switch (state.kind) {
      case 'signed_out':
        return null;
      case 'open':
        return state.session.view();
      case 'locked':
      case 'unavailable': {
        const manifest = state.manifest;
        return {
          userId: manifest?.userId ?? '',
          deviceId: manifest?.deviceId ?? '',
          homeserver: manifest?.homeserver ?? '',
          displayName: null,
          syncState: 'starting',
          storage:
            state.kind === 'locked'
              ? { state: 'locked' }
              : { state: 'unavailable', error: state.error.toView() },
        };
      }
    }
  }

  #setState(state: EngineState): void {
    this.#state = state;
    this.#sinks.emit('session.changed', this.#sessionView());
    this.#sinks.emit('rooms.changed', state.kind === 'open' ? state.session.rooms.summaries() : []);
  }

  async #login(args: ValidArgs<'session.login'>): Promise<SessionView> {
    if (this.#state.kind !== 'signed_out') {
      const who = this.#sessionView()?.userId;
      throw new EngineError(
        'already_signed_in',
        `Already signed in${who ? ` as ${who}` : ''}; sign out first`,
      );
    }
    const user = parseUserInput(args.user);
    const homeserver = await discoverHomeserver(
      args.homeserver,
      user.kind === 'full' ? user.id.serverName : undefined,
      {
        allowInsecureHttp: this.#options.allowInsecureHttp ?? false,
      },
    );
    const http = new MatrixHttp({ baseUrl: homeserver.baseUrl });
    const login = await passwordLogin(
      http,
      user.kind === 'full' ? user.id.full : user.localpart,
      args.password,
    );
    http.setAccessToken(login.accessToken);
    this.#sinks.log('info', `signed in on ${homeserver.baseUrl.host} as a new device`);

    let created: { manifest: ProfileManifest; keys: StoreKeys };
    try {
      created = await this.#profile.create(
        { userId: login.userId, deviceId: login.deviceId, homeserver: homeserver.baseUrl.href },
        args.storagePassphrase,
      );
    } catch (error) {
      // No key, no local data: sign the new device out again so none is left dangling.
      await this.#revoke(http);
      throw error;
    }
    const syncApi: SyncApi =
      supportsSimplifiedSlidingSync(homeserver) && !this.#options.forceSyncV3 ? 'sliding' : 'v3';
    let session: AccountSession;
    try {
      session = await this.#openAccount(created.manifest, created.keys, (db) => {
        db.session.save({
          homeserver: homeserver.baseUrl.href,
          userId: login.userId,
          deviceId: login.deviceId,
          accessToken: login.accessToken,
          createdAt: Date.now(),
        });
        db.settings.set(settingKeys.syncApi, syncApi);
        db.securityLog.append('sign_in', {
          userId: login.userId,
          deviceId: login.deviceId,
          homeserver: homeserver.baseUrl.host,
        });
      });
    } catch (error) {
      await this.#revoke(http);
      await this.#profile.remove(created.manifest).catch(() => undefined);
      throw error;
    }
    session.displayName = await fetchDisplayName(http, login.userId);
    this.#sinks.log(
      'info',
      `sync: using ${session.syncApi === 'sliding' ? 'Simplified Sliding Sync' : '/v3/sync'}`,
    );
    this.#setState({ kind: 'open', session });
    session.start();
    this.#startSending(session);
    return session.view();
  }

  async #unlock(passphrase: string): Promise<SessionView> {
    const state = this.#state;
    if (state.kind === 'open') return state.session.view();
    if (state.kind !== 'locked')
      throw new EngineError('not_signed_in', 'There is no locked account to unlock');
    await this.#openStored(state.manifest, passphrase, {
      rethrow: (error) => error.code === 'passphrase_wrong',
    });
    const view = this.#sessionView();
    if (!view) throw new EngineError('internal', 'The account was lost while unlocking');
    return view;
  }

  async #retry(): Promise<SessionView | null> {
    const state = this.#state;
    if (state.kind === 'unavailable') {
      if (!this.#profile.exists()) {
        this.#setState({ kind: 'signed_out' });
      } else {
        this.#state = { kind: 'signed_out' };
        let manifest: ProfileManifest;
        try {
          manifest = this.#profile.manifest() as ProfileManifest;
        } catch (error) {
          this.#setState({ kind: 'unavailable', manifest: null, error: asEngineError(error) });
          return this.#sessionView();
        }
        if (manifest.keyBackend.kind === 'passphrase') this.#setState({ kind: 'locked', manifest });
        else await this.#openStored(manifest, undefined);
      }
    }
    return this.#sessionView();
  }

  /**
   * Opens a stored account: keys from their backend, then the database, the crypto store and
   * the sync loop. Failures leave the account `unavailable` with the reason, never replaced.
   */
  async #openStored(
    manifest: ProfileManifest,
    passphrase: string | undefined,
    options: { rethrow?: (error: EngineError) => boolean } = {},
  ): Promise<void> {
    try {
      const keys = await this.#profile.openKeys(manifest, passphrase);
      const session = await this.#openAccount(manifest, keys, () => {});
      this.#setState({ kind: 'open', session });
      this.#sinks.log('info', `opened the stored account (${session.syncApi} sync resumes)`);
      session.start();
      this.#startSending(session);
      void fetchDisplayName(session.http, session.userId).then((name) => {
        if (name !== null && this.#state.kind === 'open' && this.#state.session === session) {
          session.displayName = name;
          this.#sinks.emit('session.changed', session.view());
        }
      });
    } catch (error) {
      const failure = asEngineError(error);
      if (options.rethrow?.(failure)) throw failure;
      this.#sinks.log('warn', `the stored account could not be opened (${failure.code})`);
      this.#setState({ kind: 'unavailable', manifest, error: failure });
    }
  }

  async #openAccount(
    manifest: ProfileManifest,
    keys: StoreKeys,
    initialize: (db: ReturnType<AccountProfile['openDatabase']>) => void,
  ): Promise<AccountSession> {
    let db: ReturnType<AccountProfile['openDatabase']> | undefined;
    try {
      db = this.#profile.openDatabase(manifest, keys.databaseKey);
      initialize(db);
      const record = db.session.get();
      if (!record || record.userId !== manifest.userId || record.deviceId !== manifest.deviceId) {
        throw new EngineError('store_corrupt', 'The account database does not hold the session it should');
      }
      const http = new MatrixHttp({ baseUrl: new URL(record.homeserver), accessToken: record.accessToken });
      const openDb = db;
      // The callbacks below run later, once the session exists.
      const opened: { session?: AccountSession } = {};
      const crypto = await OlmCryptoAccount.open({
        db,
        http,
        userId: record.userId,
        deviceId: record.deviceId,
        storeKey: keys.cryptoStoreKey,
        onFatal: () => {
          const failure = new EngineError(
            'internal',
            'Tessera could not save its encryption keys and stopped',
          );
          if (opened.session) this.#onSessionFailure(opened.session, failure);
        },
        log: (level, message) => this.#sinks.log(level, message),
      });
      const storedApi = openDb.settings.get(settingKeys.syncApi);
      const syncApi: SyncApi = this.#options.forceSyncV3 ? 'v3' : storedApi === 'sliding' ? 'sliding' : 'v3';
      const session = new AccountSession({
        db: openDb,
        http,
        crypto,
        userId: record.userId,
        deviceId: record.deviceId,
        homeserver: record.homeserver,
        backend: manifest.keyBackend.kind,
        syncApi,
        syncTimeoutMs: this.#options.syncTimeoutMs ?? 30_000,
        slidingSyncInitialWindow: this.#options.slidingSyncInitialWindow,
        onRoomsChanged: (rooms) => this.#sinks.emit('rooms.changed', rooms),
        onSessionChanged: () => {
          if (this.#state.kind === 'open' && this.#state.session === opened.session) {
            this.#sinks.emit('session.changed', session.view());
          }
        },
        onTokenRefused: (error) => {
          if (opened.session) {
            const current = opened.session;
            void this.#serialized(() => this.#onTokenRefused(current, error));
          }
        },
        onFailure: (failure) => {
          if (opened.session) this.#onSessionFailure(opened.session, failure);
        },
        log: (level, message) => this.#sinks.log(level, message),
      });
      opened.session = session;
      return session;
    } catch (error) {
      db?.close();
      throw error;
    } finally {
      zeroStoreKeys(keys);
    }
  }

  #onSessionFailure(session: AccountSession, failure: EngineError): void {
    void this.#serialized(async () => {
      if (this.#state.kind !== 'open' || this.#state.session !== session) return;
      await this.#stopSession(session).catch(() => undefined);
      const manifest = this.#profile.manifest();
      this.#setState({ kind: 'unavailable', manifest, error: failure });
    });
  }

  async #onTokenRefused(session: AccountSession, error: MatrixApiError): Promise<void> {
    if (this.#state.kind !== 'open' || this.#state.session !== session) return;
    // Soft logout and refresh come with issue 4. The local data is kept until the person signs out.
    this.#sinks.log(
      'warn',
      `session ended by the server (${error.softLogout ? 'soft logout' : 'token revoked'})`,
    );
    await this.#stopSession(session).catch(() => undefined);
    // Soft logout: the server wants the same device to sign in again (its keys stay valid), so
    // the UI is told apart from a revoked token, whose device is gone.
    this.#setState({
      kind: 'unavailable',
      manifest: this.#profile.manifest(),
      error: error.softLogout
        ? new EngineError(
            'soft_logout',
            'The server asks you to sign in again (your session expired). Your local data is kept.',
          )
        : new EngineError(
            'not_signed_in',
            'The server ended this session (it was signed out elsewhere). Sign out to remove its local data.',
          ),
    });
  }

  async #logout(): Promise<null> {
    const state = this.#state;
    if (state.kind === 'signed_out') throw new EngineError('not_signed_in', 'Not signed in');
    let manifest: ProfileManifest | null = null;
    if (state.kind === 'open') {
      const session = state.session;
      session.db.securityLog.append('sign_out', {
        userId: session.userId,
        deviceId: session.deviceId,
        localDataRemoved: true,
      });
      await this.#stopSession(session);
      await this.#revoke(session.http);
      manifest = this.#profile.manifest();
    } else {
      // The database is locked or unreadable: its token cannot be used to sign the device out.
      manifest = state.manifest;
    }
    const { keychainCleared } = await this.#profile.remove(manifest);
    if (!keychainCleared) this.#sinks.log('warn', 'sign-out: the keychain entries could not be removed');
    this.#setState({ kind: 'signed_out' });
    return null;
  }

  /** Signs the device out on the server; the device is forgotten here whatever the server says. */
  async #revoke(http: MatrixHttp): Promise<void> {
    try {
      await http.request('POST', '/_matrix/client/v3/logout', { schema: logoutSchema, body: {}, retries: 1 });
    } catch (error) {
      const alreadyGone = error instanceof MatrixApiError && error.status === 401;
      if (!alreadyGone)
        this.#sinks.log('warn', 'sign-out: the server could not be told; local data removed anyway');
    } finally {
      http.setAccessToken(undefined);
    }
  }
}

function notYet(): never {
  throw new EngineError('internal', 'Not built yet');
}

function asEngineError(error: unknown): EngineError {
  if (error instanceof EngineError) return error;
  return new EngineError('internal', 'Tessera could not open this account’s local data', { cause: error });
}
