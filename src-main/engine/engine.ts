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
  type SignInOptions,
  type SyncState,
} from '../../src-preload/contract.ts';
import { AccountSession, settingKeys } from './account/account-session.ts';
import { loadCryptoWasm } from './crypto/crypto-wasm.ts';
import { warmUpFetch } from './http/fetch-warm-up.ts';
import { OlmCryptoAccount } from './account/olm-crypto-account.ts';
import { discoverHomeserver, supportsSimplifiedSlidingSync } from './auth/discovery.ts';
import type { LoginResult } from './auth/login-response.ts';
import { passwordLogin } from './auth/password-login.ts';
import {
  checkHomeserverAllowed,
  checkPassphraseAllowed,
  checkSignInAllowed,
  policyView,
} from './auth/sign-in-policy.ts';
import { fetchLoginFlows, signInOptionsView } from './auth/sign-in-options.ts';
import { SsoBrowserSignIn } from './auth/sso-browser-sign-in.ts';
import { checkSsoOffered, tokenLogin } from './auth/sso-login.ts';
import type { Homeserver } from './auth/discovery.ts';
import { fetchDisplayName } from './auth/profile.ts';
import { parseUserInput } from './auth/user-id.ts';
import { EngineError, toErrorView } from './errors.ts';
import { MatrixApiError } from './http/matrix-api-error.ts';
import { MatrixHttp } from './http/matrix-http.ts';
import { createEngineFetch } from './http/engine-fetch.ts';
import { AccessTokenRefresh } from './http/access-token-refresh.ts';
import type { StoreKeys } from './keychain/store-keys.ts';
import { zeroStoreKeys } from './keychain/store-keys.ts';
import { AccountProfile, defaultKeySources, type KeySources } from './profile/account-profile.ts';
import type { ProfileManifest } from './profile/profile-manifest.ts';
import type { EngineCommands, EngineLogLevel, EngineOptions, ValidArgs } from './protocol.ts';
import type { SyncApi } from './store/sync-position-store.ts';
import * as membership from './rooms/membership.ts';
import { mentionsMe } from './rooms/mentions.ts';
import { readersAt } from './rooms/read-receipts.ts';
import { activityOf } from './rooms/room-activity.ts';
import { resolveRoomAlias } from './rooms/room-alias-resolution.ts';
import { senderMayNotifyRoom } from './rooms/unread-counts.ts';
import { createSendQueue } from './send/account-sending.ts';
import { createRoom } from './send/room-creation.ts';
import { MEGOLM_ALGORITHM } from './send/room-encryption.ts';
import { RoomEncryptionPins } from './send/room-encryption-pins.ts';
import type { SendQueue } from './send/send-queue.ts';
import { editMessage, react, sendMessage, type MessageActionsContext } from './send/message-actions.ts';
import { redactEvent } from './send/redaction.ts';
import { RoomTimelines } from './timeline/room-timelines.ts';
import { eventOnServer } from './timeline/event-search.ts';
import type { MediaRequest, MediaResult } from './media/media-request.ts';
import { mediaFetcherFor } from './media/session-media.ts';

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
  | {
      kind: 'locked';
      manifest: ProfileManifest;
      /** Tokens from a sign-in again (soft logout), written once the database is unlocked. */
      reopen?: (db: AccountDb) => void;
    }
  | { kind: 'unavailable'; manifest: ProfileManifest | null; error: EngineError }
  | { kind: 'open'; session: AccountSession };

type AccountDb = ReturnType<AccountProfile['openDatabase']>;

export class Engine {
  readonly #options: EngineOptions;
  readonly #sinks: EngineSinks;
  readonly #profile: AccountProfile;
  /** Every request to a homeserver goes through it: it enforces the policy's certificate pins. */
  readonly #fetch: typeof fetch;
  /** The single sign-on that waits for the browser, if any (one at a time). */
  readonly #ssoSignIn: SsoBrowserSignIn;
  #state: EngineState = { kind: 'signed_out' };
  /** Serializes every change of state (start, sign-in, unlock, sign-out) so none can race. */
  #stateChange: Promise<unknown> = Promise.resolve();
  /** The open account's send queue, beside its session. */
  #sending: { session: AccountSession; queue: SendQueue } | undefined;
  /** The open account's timelines (open rooms, timeline.changed), beside its session. */
  #timelines: { session: AccountSession; timelines: RoomTimelines; unsubscribe: () => void } | undefined;

  constructor(options: EngineOptions, sinks: EngineSinks, dependencies: EngineDependencies = {}) {
    this.#options = options;
    this.#sinks = sinks;
    this.#profile = new AccountProfile(options.profileDir, dependencies.keySources ?? defaultKeySources);
    this.#fetch = createEngineFetch(options.policy?.certificatePins);
    this.#ssoSignIn = new SsoBrowserSignIn({
      // Main opens it; the renderer never sees the URL (it carries the listener's secret state).
      openBrowser: (url) => this.#sinks.emit('browser.openRequested', { url }),
      log: (level, message) => this.#sinks.log(level, message),
    });
  }

  readonly commands: EngineCommands = {
    'session.get': () => this.#serialized(async () => this.#sessionView()),
    'session.login': (args) => this.#serialized(() => this.#login(args)),
    'session.unlock': (args) => this.#serialized(() => this.#unlock(args.passphrase)),
    'session.retry': () => this.#serialized(() => this.#retry()),
    'session.logout': () => this.#serialized(() => this.#logout()),
    'rooms.list': async () => (this.#state.kind === 'open' ? this.#state.session.rooms.summaries() : []),
    'message.send': async (args) => sendMessage(this.#messageActions(), args.roomId, args.body, args.replyTo),
    'rooms.create': (args) => this.#createRoom(args),
    'rooms.invite': (args) => membership.invite(this.#membership(), args.roomId, args.userId),
    'rooms.join': (args) => membership.join(this.#membership(), args.roomIdOrAlias, args.via),
    'rooms.leave': (args) => membership.leave(this.#membership(), args.roomId),
    'rooms.kick': (args) => membership.kick(this.#membership(), args.roomId, args.userId, args.reason),
    'rooms.ban': (args) => membership.ban(this.#membership(), args.roomId, args.userId, args.reason),
    'session.reauthenticate': (args) => this.#serialized(() => this.#reauthenticate(args.password)),
    'session.signInOptions': (args) => this.#signInOptions(args.homeserver),
    // Not serialized while the browser is open: the wait can be minutes; the sign-in itself is.
    'session.loginSso': (args) => this.#loginSso(args),
    'session.cancelSso': async () => (this.#ssoSignIn.cancel(), null),
    'session.reauthenticateSso': (args) => this.#reauthenticateSso(args.identityProviderId ?? null),
    'rooms.details': async (args) => activityOf(this.session).details(args.roomId),
    'rooms.resolveAlias': (args) => {
      const session = this.#openTimelinesSession();
      const { http, db } = session;
      return resolveRoomAlias({ http, rooms: db.rooms, roomState: db.roomState }, args.alias);
    },
    'timeline.open': async (args) =>
      args.aroundEvent
        ? this.#openTimelines().openAround(args.roomId, args.aroundEvent, args.limit)
        : this.#openTimelines().open(args.roomId, args.limit),
    'timeline.close': async (args) => (this.#openTimelines().close(args.roomId), null),
    'timeline.back': (args) => this.#openTimelines().back(args.roomId, args.before, args.limit),
    'message.edit': async (args) => editMessage(this.#messageActions(), args.roomId, args.eventId, args.body),
    'message.react': async (args) => react(this.#messageActions(), args.roomId, args.eventId, args.key),
    'message.redact': (args) => {
      const session = this.#openTimelinesSession();
      return redactEvent(session, args.roomId, args.eventId, args.reason);
    },
    'message.retry': async (args) => {
      this.#openQueue().retry(args.transactionId);
      return null;
    },
    'message.cancel': async (args) => {
      await this.#openQueue().cancel(args.transactionId);
      return null;
    },
    'receipts.markRead': (args) => activityOf(this.session).markRead(args.roomId, args.eventId),
    'typing.set': (args) => activityOf(this.session).setTyping(args.roomId, args.typing),
    'settings.get': async () => activityOf(this.session).settings.view(),
    'settings.set': async (args) => activityOf(this.session).settings.set(args),
    'policy.get': async () => policyView(this.#options.policy),
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

  /** For tests: the open account's timelines. */
  get timelines(): RoomTimelines | null {
    return this.#state.kind === 'open' && this.#timelines?.session === this.#state.session
      ? this.#timelines.timelines
      : null;
  }

  #openTimelines(): RoomTimelines {
    const timelines = this.timelines;
    if (!timelines) throw new EngineError('not_signed_in', 'Sign in to read rooms');
    return timelines;
  }

  #openTimelinesSession(): AccountSession {
    if (!this.timelines || this.#state.kind !== 'open')
      throw new EngineError('not_signed_in', 'Sign in to read rooms');
    return this.#state.session;
  }

  #messageActions(): MessageActionsContext {
    const queue = this.#openQueue();
    const session = this.#openTimelinesSession();
    return { db: session.db, queue, relations: this.#openTimelines().relations, userId: session.userId };
  }

  /** Follows the session's stored events for open rooms; applies redactions in every room. */
  #startTimelines(session: AccountSession): void {
    const timelines = new RoomTimelines({
      db: session.db,
      userId: session.userId,
      openRoom: (roomId) => session.openRoom(roomId),
      paginate: (roomId, limit) => session.paginate(roomId, limit),
      eventOnServer: (roomId, eventId) => eventOnServer(session.http, roomId, eventId),
      emit: (change) => this.#sinks.emit('timeline.changed', change),
      log: (level, message) => this.#sinks.log(level, message),
      readersAt: (roomId, eventIds) => readersAt(session.db, roomId, eventIds, session.userId),
      mentionsMe: (content, sender, roomId) =>
        mentionsMe(
          content,
          { userId: session.userId, displayName: session.displayName },
          { senderMayNotifyRoom: senderMayNotifyRoom(session.db, roomId, sender) },
        ),
    });
    const offStored = session.onTimelineStored((change) => timelines.onStored(change));
    const offReaders = session.activity.onReadersMoved((roomId, eventIds) =>
      timelines.refresh(roomId, eventIds),
    );
    const unsubscribe = () => {
      offStored();
      offReaders();
    };
    this.#timelines = { session, timelines, unsubscribe };
  }

  #stopTimelines(session: AccountSession): void {
    if (this.#timelines?.session !== session) return;
    this.#timelines.unsubscribe();
    this.#timelines = undefined;
  }

  /** Starts the session's send queue and picks up what a previous run left pending. */
  #startSending(session: AccountSession): void {
    this.#startTimelines(session);
    if (!(session.crypto instanceof OlmCryptoAccount)) return;
    const queue = createSendQueue({
      db: session.db,
      http: session.http,
      crypto: session.crypto,
      userId: session.userId,
      emit: (status) => {
        this.#sinks.emit('message.status', status);
        if (this.#timelines?.session === session) this.#timelines.timelines.onStatus(status);
      },
      onCancelled: ({ roomId, transactionId }) => {
        if (this.#timelines?.session === session) this.#timelines.timelines.forget(roomId, transactionId);
      },
      // Through the settings registry, so a value locked by policy applies to sending too.
      crossSignedOnly: () => session.activity.settings.value('shareKeysWithCrossSignedOnly'),
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
    this.#stopTimelines(session);
    await this.#stopSending(session);
    await session.stop();
  }

  /** Opens the stored account, if any: the room list comes from disk before the network answers. */
  start(): Promise<void> {
    return this.#serialized(async () => {
      if (!this.#profile.exists()) return;
      // Off the critical path: the wasm compiles on another thread while the keychain and the
      // database open, and the HTTP client loads during the first wait, not after the room list.
      void loadCryptoWasm().catch(() => undefined);
      setImmediate(() => void warmUpFetch());
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
      // Commands main answers itself (updates) are unknown here.
      if (!Object.hasOwn(commandSchemas, command) || !Object.hasOwn(this.commands, command)) {
        throw new EngineError('unknown_command', 'Unknown command');
      }
      const parsed = commandSchemas[command].safeParse(args ?? {});
      if (!parsed.success) throw new EngineError('invalid_arguments', 'The request was not valid');
      const run = this.commands[command as keyof EngineCommands] as (valid: unknown) => Promise<unknown>;
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
    this.#ssoSignIn.cancel();
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

  /** Answers a tessera-media:// request (engine/media); never throws. */
  fetchMedia(request: MediaRequest): Promise<MediaResult> {
    if (this.#state.kind !== 'open') return Promise.resolve({ ok: false, reason: 'not_signed_in' });
    return mediaFetcherFor(this.#state.session, (level, message) => this.#sinks.log(level, message)).fetch(
      request,
    );
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

  #requireSignedOut(): void {
    if (this.#state.kind !== 'signed_out') {
      const who = this.#sessionView()?.userId;
      throw new EngineError(
        'already_signed_in',
        `Already signed in${who ? ` as ${who}` : ''}; sign out first`,
      );
    }
  }

  /** Discovery, then the policy's list: nothing is sent to (or opened for) a server not on it. */
  async #discoverAllowed(typed: string, serverNameFromUserId: string | undefined): Promise<Homeserver> {
    const homeserver = await discoverHomeserver(typed, serverNameFromUserId, {
      allowInsecureHttp: this.#options.allowInsecureHttp ?? false,
      fetch: this.#fetch,
    });
    checkHomeserverAllowed(this.#options.policy, homeserver.baseUrl);
    return homeserver;
  }

  async #signInOptions(typed: string): Promise<SignInOptions> {
    const homeserver = await this.#discoverAllowed(typed, undefined);
    const flows = await fetchLoginFlows(new MatrixHttp({ baseUrl: homeserver.baseUrl, fetch: this.#fetch }));
    return signInOptionsView(homeserver.baseUrl, flows, this.#options.policy?.passwordSignIn !== false);
  }

  async #login(args: ValidArgs<'session.login'>): Promise<SessionView> {
    this.#requireSignedOut();
    checkSignInAllowed(this.#options.policy, args);
    const user = parseUserInput(args.user);
    const homeserver = await this.#discoverAllowed(
      args.homeserver,
      user.kind === 'full' ? user.id.serverName : undefined,
    );
    const http = new MatrixHttp({ baseUrl: homeserver.baseUrl, fetch: this.#fetch });
    const login = await passwordLogin(
      http,
      user.kind === 'full' ? user.id.full : user.localpart,
      args.password,
    );
    return this.#completeSignIn(homeserver, http, login, args.storagePassphrase);
  }

  /**
   * Single sign-on: the same checks as a password sign-in (the passphrase fallback, the list of
   * homeservers) before the browser opens, then the wait for the browser outside the state lock,
   * then the same path as a password sign-in.
   */
  async #loginSso(args: ValidArgs<'session.loginSso'>): Promise<SessionView> {
    this.#requireSignedOut();
    checkPassphraseAllowed(this.#options.policy, args);
    const attempt = this.#ssoSignIn.begin();
    try {
      const identityProviderId = args.identityProviderId ?? null;
      const homeserver = await this.#discoverAllowed(args.homeserver, undefined);
      const http = new MatrixHttp({ baseUrl: homeserver.baseUrl, fetch: this.#fetch });
      checkSsoOffered(http.host, await fetchLoginFlows(http), identityProviderId);
      const loginToken = await attempt.loginToken(homeserver.baseUrl, identityProviderId);
      return await this.#serialized(async () => {
        this.#requireSignedOut();
        const login = await tokenLogin(http, loginToken);
        return this.#completeSignIn(homeserver, http, login, args.storagePassphrase);
      });
    } finally {
      attempt.end();
    }
  }

  /**
   * After the server accepted a new device (password or single sign-on): the local profile, its
   * keys, the database and the session. Any failure signs the new device out again.
   */
  async #completeSignIn(
    homeserver: Homeserver,
    http: MatrixHttp,
    login: LoginResult,
    storagePassphrase: string | undefined,
  ): Promise<SessionView> {
    http.setAccessToken(login.accessToken);
    this.#sinks.log('info', `signed in on ${homeserver.baseUrl.host} as a new device`);

    let created: { manifest: ProfileManifest; keys: StoreKeys };
    try {
      created = await this.#profile.create(
        { userId: login.userId, deviceId: login.deviceId, homeserver: homeserver.baseUrl.href },
        storagePassphrase,
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
          refreshToken: login.refreshToken ?? null,
          accessTokenExpiresAt: login.expiresInMs !== undefined ? Date.now() + login.expiresInMs : null,
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
      ...(state.reopen ? { initialize: state.reopen } : {}),
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
    options: { rethrow?: (error: EngineError) => boolean; initialize?: (db: AccountDb) => void } = {},
  ): Promise<void> {
    try {
      const keys = await this.#profile.openKeys(manifest, passphrase);
      const session = await this.#openAccount(manifest, keys, options.initialize ?? (() => {}));
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
      const http = new MatrixHttp({
        baseUrl: new URL(record.homeserver),
        accessToken: record.accessToken,
        fetch: this.#fetch,
      });
      const openDb = db;
      if (record.refreshToken) {
        http.setTokenRenewal(
          new AccessTokenRefresh({
            http,
            refreshToken: record.refreshToken,
            accessTokenExpiresAt: record.accessTokenExpiresAt ?? null,
            persist: (tokens) =>
              openDb.transaction(() => {
                openDb.session.saveTokens(tokens);
                openDb.securityLog.append('token_refreshed', {
                  userId: record.userId,
                  deviceId: record.deviceId,
                });
              }),
            log: (level, message) => this.#sinks.log(level, message),
          }),
        );
      }
      // The callbacks below run later, once the session exists.
      const opened: { session?: AccountSession } = {};
      let lastSyncState: SyncState | undefined;
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
        ...(this.#options.policy ? { lockedSettings: this.#options.policy.lockedSettings } : {}),
        onRoomsChanged: (rooms) => this.#sinks.emit('rooms.changed', rooms),
        emit: (name, payload) => this.#sinks.emit(name, payload),
        onSessionChanged: () => {
          if (this.#state.kind === 'open' && this.#state.session === opened.session) {
            this.#sinks.emit('session.changed', session.view());
          }
          // Back online: messages waiting for their backoff go now.
          const syncState = opened.session?.syncState;
          const sending = this.#sending;
          if (
            syncState === 'live' &&
            lastSyncState === 'offline' &&
            sending &&
            sending.session === opened.session
          )
            sending.queue.retryNow();
          lastSyncState = syncState;
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
    if (error.softLogout) {
      try {
        session.db.securityLog.append('soft_logout', { userId: session.userId, deviceId: session.deviceId });
      } catch {
        // The database may have failed under the session; the state change matters more.
      }
    }
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

  /**
   * After a soft logout: signs the SAME device in again with the password, so its keys stay valid,
   * stores the new tokens in the account's database and opens it again (sync resumes from the
   * stored position, the crypto store is the same). A wrong password leaves the soft logout.
   */
  async #reauthenticate(password: string): Promise<SessionView> {
    const manifest = this.#softLoggedOutManifest();
    // Signing in again is a password sign-in too: the same policy applies.
    checkSignInAllowed(this.#options.policy, {});
    checkHomeserverAllowed(this.#options.policy, new URL(manifest.homeserver));
    const http = new MatrixHttp({ baseUrl: new URL(manifest.homeserver), fetch: this.#fetch });
    const login = await passwordLogin(http, manifest.userId, password, { deviceId: manifest.deviceId });
    return this.#completeReauthentication(manifest, http, login);
  }

  /** After a soft logout with single sign-on: the browser as in #loginSso, then the same device. */
  async #reauthenticateSso(identityProviderId: string | null): Promise<SessionView> {
    const manifest = this.#softLoggedOutManifest();
    const baseUrl = new URL(manifest.homeserver);
    checkHomeserverAllowed(this.#options.policy, baseUrl);
    const attempt = this.#ssoSignIn.begin();
    try {
      const http = new MatrixHttp({ baseUrl, fetch: this.#fetch });
      checkSsoOffered(http.host, await fetchLoginFlows(http), identityProviderId);
      const loginToken = await attempt.loginToken(baseUrl, identityProviderId);
      return await this.#serialized(async () => {
        const current = this.#softLoggedOutManifest();
        if (current.userId !== manifest.userId || current.deviceId !== manifest.deviceId)
          throw new EngineError('not_signed_in', 'The expired session changed while signing in again');
        const login = await tokenLogin(http, loginToken, { deviceId: manifest.deviceId });
        return this.#completeReauthentication(manifest, http, login);
      });
    } finally {
      attempt.end();
    }
  }

  #softLoggedOutManifest(): ProfileManifest {
    const state = this.#state;
    if (state.kind !== 'unavailable' || state.error.code !== 'soft_logout' || !state.manifest)
      throw new EngineError('not_signed_in', 'There is no expired session to sign in to again');
    return state.manifest;
  }

  /**
   * The server signed a device in again after a soft logout: it must be the same account and
   * device (its keys stay valid); its new tokens are stored and the account opens again.
   */
  async #completeReauthentication(
    manifest: ProfileManifest,
    http: MatrixHttp,
    login: LoginResult,
  ): Promise<SessionView> {
    if (login.userId !== manifest.userId) {
      // Single sign-on may come back as another account: this device's data is not theirs.
      http.setAccessToken(login.accessToken);
      await this.#revoke(http);
      throw new EngineError(
        'sso_failed',
        `You signed in as ${login.userId}, but this session belongs to ${manifest.userId}; sign in as ${manifest.userId}`,
      );
    }
    if (login.deviceId !== manifest.deviceId) {
      // Another device would not hold this device's keys: sign it out again, stay soft-logged-out.
      http.setAccessToken(login.accessToken);
      await this.#revoke(http);
      throw new EngineError('server_error', `${http.host} signed in a different device; try again later`);
    }
    const signedInAt = Date.now();
    const reopen = (db: AccountDb) => {
      db.transaction(() => {
        db.session.saveTokens({
          accessToken: login.accessToken,
          refreshToken: login.refreshToken ?? null,
          accessTokenExpiresAt: login.expiresInMs !== undefined ? signedInAt + login.expiresInMs : null,
        });
        db.securityLog.append('reauthenticated', { userId: login.userId, deviceId: login.deviceId });
      });
    };
    this.#sinks.log('info', `signed in again on ${http.host} as the same device`);
    if (manifest.keyBackend.kind === 'passphrase') {
      // The database key needs the storage passphrase: the tokens are written at unlock.
      this.#setState({ kind: 'locked', manifest, reopen });
    } else {
      await this.#openStored(manifest, undefined, { initialize: reopen });
      // Signed in, but the local data would not open (keychain, disk): say why.
      const after = this.#state as EngineState;
      if (after.kind === 'unavailable') throw after.error;
    }
    const view = this.#sessionView();
    if (!view) throw new EngineError('internal', 'The account was lost while signing in again');
    return view;
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

function asEngineError(error: unknown): EngineError {
  if (error instanceof EngineError) return error;
  return new EngineError('internal', 'Tessera could not open this account’s local data', { cause: error });
}
