// The Matrix engine: one signed-in account, its sync loop and its room list. It answers the
// contract's commands and emits its events; it knows nothing of Electron or windows.
// Storage is in memory for now; the encrypted store comes with issue 3.
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
import { discoverHomeserver, supportsSimplifiedSlidingSync, type Homeserver } from './auth/discovery.ts';
import { passwordLogin } from './auth/password-login.ts';
import { parseUserInput } from './auth/user-id.ts';
import { EngineError, toErrorView } from './errors.ts';
import { MatrixApiError } from './http/matrix-api-error.ts';
import { MatrixHttp } from './http/matrix-http.ts';
import type { EngineCommands, EngineLogLevel, EngineOptions, ValidArgs } from './protocol.ts';
import { RoomList } from './rooms/room-list.ts';
import { fetchDisplayName } from './auth/profile.ts';
import { SlidingSync } from './sync/sliding-sync.ts';
import { SyncLoop } from './sync/sync-loop.ts';
import { V3Sync } from './sync/v3-sync.ts';

const logoutSchema = z.looseObject({});

export interface EngineSinks {
  emit<E extends EventName>(name: E, payload: EventPayloads[E]): void;
  log(level: EngineLogLevel, message: string): void;
}

interface ActiveSession {
  http: MatrixHttp;
  homeserver: Homeserver;
  userId: string;
  deviceId: string;
  displayName: string | null;
  rooms: RoomList;
  sync: SyncLoop;
}

export class Engine {
  readonly #options: EngineOptions;
  readonly #sinks: EngineSinks;
  #session: ActiveSession | undefined;
  /** Serializes sign-in and sign-out so two clicks cannot race. */
  #sessionChange: Promise<unknown> = Promise.resolve();

  constructor(options: EngineOptions, sinks: EngineSinks) {
    this.#options = options;
    this.#sinks = sinks;
  }

  readonly commands: EngineCommands = {
    'session.get': async () => this.#sessionView(),
    'session.login': (args) => this.#serialized(() => this.#login(args)),
    'session.logout': () => this.#serialized(() => this.#logout()),
    'rooms.list': async () => this.#session?.rooms.summaries() ?? [],
  };

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

  async shutdown(): Promise<void> {
    await this.#session?.sync.stop();
  }

  #serialized<T>(task: () => Promise<T>): Promise<T> {
    const next = this.#sessionChange.then(task, task);
    this.#sessionChange = next.catch(() => undefined);
    return next;
  }

  #sessionView(): SessionView | null {
    const session = this.#session;
    if (!session) return null;
    return {
      userId: session.userId,
      deviceId: session.deviceId,
      homeserver: session.homeserver.baseUrl.href,
      displayName: session.displayName,
      syncState: session.sync.state,
    };
  }

  async #login(args: ValidArgs<'session.login'>): Promise<SessionView> {
    if (this.#session) {
      throw new EngineError(
        'already_signed_in',
        `Already signed in as ${this.#session.userId}; sign out first`,
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

    const displayName = await fetchDisplayName(http, login.userId);
    const rooms = new RoomList(login.userId);
    const useSliding = supportsSimplifiedSlidingSync(homeserver) && !this.#options.forceSyncV3;
    const timeoutMs = this.#options.syncTimeoutMs ?? 30_000;
    const source = useSliding
      ? new SlidingSync(http, timeoutMs, { initialWindow: this.#options.slidingSyncInitialWindow })
      : new V3Sync(http, timeoutMs);
    const sync = new SyncLoop(source, {
      onBatch: (batch) => {
        if (rooms.apply(batch)) this.#sinks.emit('rooms.changed', rooms.summaries());
      },
      onState: () => this.#emitSession(),
      onUnauthorized: (error) => void this.#serialized(() => this.#onTokenRefused(error)),
      log: (level, message) => this.#sinks.log(level, message),
    });
    this.#session = {
      http,
      homeserver,
      userId: login.userId,
      deviceId: login.deviceId,
      displayName,
      rooms,
      sync,
    };
    this.#sinks.log(
      'info',
      `sync: using ${source.api === 'sliding' ? 'Simplified Sliding Sync' : '/v3/sync'}`,
    );
    sync.start();
    const view = this.#sessionView();
    if (!view) throw new EngineError('internal', 'The session was lost during sign-in');
    this.#sinks.emit('session.changed', view);
    return view;
  }

  async #logout(): Promise<null> {
    const session = this.#session;
    if (!session) throw new EngineError('not_signed_in', 'Not signed in');
    await session.sync.stop();
    try {
      await session.http.request('POST', '/_matrix/client/v3/logout', {
        schema: logoutSchema,
        body: {},
        retries: 1,
      });
    } catch (error) {
      // The device is forgotten here whatever the server says; an unreachable server keeps
      // the device listed until it is removed from another session (logged, not hidden).
      const alreadyGone = error instanceof MatrixApiError && error.status === 401;
      if (!alreadyGone)
        this.#sinks.log('warn', 'sign-out: the server could not be told; local data removed anyway');
    }
    this.#clearSession();
    return null;
  }

  async #onTokenRefused(error: MatrixApiError): Promise<void> {
    // Soft logout and refresh come with the persistent store (issue 4); for now the session ends.
    this.#sinks.log(
      'warn',
      `session ended by the server (${error.softLogout ? 'soft logout' : 'token revoked'})`,
    );
    this.#clearSession();
  }

  #clearSession(): void {
    const session = this.#session;
    if (!session) return;
    session.http.setAccessToken(undefined);
    this.#session = undefined;
    this.#sinks.emit('session.changed', null);
    this.#sinks.emit('rooms.changed', []);
  }

  #emitSession(): void {
    const view = this.#sessionView();
    if (view) this.#sinks.emit('session.changed', view);
  }

  /** For tests and the CLI: the sync state without a round trip. */
  get syncState(): SyncState | null {
    return this.#session?.sync.state ?? null;
  }
}
