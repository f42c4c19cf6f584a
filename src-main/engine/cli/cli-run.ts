// Runs one parsed CLI command on the real Engine, in-process, and turns its outcome into output
// and an exit code. Messages go to stdout; diagnostics to stderr, never with message text, a
// password or a token.
import type {
  CommandName,
  CommandResults,
  ErrorView,
  EventName,
  EventPayloads,
  MessageStatus,
  SessionView,
} from '../../../src-preload/contract.ts';
import { Engine } from '../engine.ts';
import { EngineError } from '../errors.ts';
import type { EngineLogLevel } from '../protocol.ts';
import { resolveRoom } from '../rooms/membership.ts';
import type { TimelineItem } from '../timeline/decrypted-timeline.ts';
import { UsageError, usage, type CliCommand, type CliInvocation } from './cli-args.ts';
import { exitCodeFor, exitCodes, type ExitCode } from './exit-codes.ts';
import { formatOutput, type CliResult } from './cli-output.ts';
import { cliPolicy } from './cli-policy.ts';
import type { PolicyOutcome } from '../../policy/load-admin-policy.ts';

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** The password for login: stdin when asked, else TESSERA_PASSWORD. */
  readPassword(fromStdin: boolean): Promise<string | undefined>;
}

export interface CliRunOptions {
  profileDir: string;
  /** How long to wait for the sync to catch up or a message to be sent. */
  waitMs?: number;
  /** The organization's policy: loadAdminPolicy with the system's readers (tests: their own). */
  loadPolicy(): Promise<PolicyOutcome>;
}

/** A failure the CLI reports: an engine error view, or a usage error. */
class CliFailure extends Error {
  readonly view: ErrorView;
  constructor(view: ErrorView) {
    super(view.message);
    this.view = view;
  }
}

export async function runCli(
  invocation: CliInvocation,
  io: CliIo,
  options: CliRunOptions,
): Promise<ExitCode> {
  if (invocation.command.name === 'help') {
    io.stdout(usage);
    return exitCodes.ok;
  }
  const policy = await cliPolicy(options.loadPolicy);
  if (policy.kind === 'refused') {
    // Like the app, which refuses to start: nothing is opened or sent.
    const view: ErrorView = { code: 'internal', message: policy.message };
    if (invocation.json) io.stdout(`${JSON.stringify({ ok: false, error: view })}\n`);
    io.stderr(`tessera: ${policy.message}\n`);
    return exitCodes.failure;
  }
  for (const warning of policy.warnings) io.stderr(`tessera: ${warning}\n`);
  const listeners = new Set<(name: EventName, payload: unknown) => void>();
  const engine = new Engine(
    // A short long-poll: a stored sync position would otherwise hold `sync --once` (and every
    // command that waits to be caught up) until the server has news or the poll times out.
    { profileDir: options.profileDir, syncTimeoutMs: 1_000, policy: policy.policy },
    {
      emit(name, payload) {
        for (const listener of listeners) listener(name, payload);
      },
      log(level: EngineLogLevel, message: string) {
        // Engine log lines never carry content or tokens; only the ones worth a person's attention.
        if (level === 'warn' || level === 'error') io.stderr(`tessera: ${message}\n`);
      },
    },
  );
  const context: RunContext = { engine, listeners, waitMs: options.waitMs ?? 60_000, io };
  try {
    await engine.start();
    const result = await execute(context, invocation.command);
    io.stdout(formatOutput(result, invocation.json));
    return exitCodes.ok;
  } catch (error) {
    const view = failureView(error);
    if (invocation.json) io.stdout(`${JSON.stringify({ ok: false, error: view })}\n`);
    io.stderr(`tessera: ${view.message} (${view.code})\n`);
    return error instanceof UsageError ? exitCodes.usage : exitCodeFor(view.code);
  } finally {
    await engine.shutdown().catch(() => undefined);
  }
}

interface RunContext {
  engine: Engine;
  listeners: Set<(name: EventName, payload: unknown) => void>;
  waitMs: number;
  io: CliIo;
}

async function invoke<C extends CommandName>(
  context: RunContext,
  command: C,
  args: Record<string, unknown>,
): Promise<CommandResults[C]> {
  const outcome = await context.engine.handle(command, args);
  if (!outcome.ok) throw new CliFailure(outcome.error);
  return outcome.value as CommandResults[C];
}

async function execute(context: RunContext, command: CliCommand): Promise<CliResult> {
  switch (command.name) {
    case 'help':
      return { kind: 'none' };
    case 'login': {
      const password = await context.io.readPassword(command.passwordStdin);
      if (!password) {
        throw new UsageError('No password: pass --password-stdin or set TESSERA_PASSWORD');
      }
      const session = await invoke(context, 'session.login', {
        homeserver: command.homeserver,
        user: command.user,
        password,
      });
      return { kind: 'session', session };
    }
    case 'login-sso': {
      // The CLI has no browser to open: the person opens the address (it is for them only).
      const showAddress = (name: EventName, payload: unknown) => {
        if (name === 'browser.openRequested') {
          const { url } = payload as EventPayloads['browser.openRequested'];
          context.io.stderr(`tessera: to sign in, open this address in your browser:\n${url}\n`);
        }
      };
      context.listeners.add(showAddress);
      try {
        const session = await invoke(context, 'session.loginSso', {
          homeserver: command.homeserver,
          ...(command.identityProvider !== undefined ? { identityProviderId: command.identityProvider } : {}),
        });
        return { kind: 'session', session };
      } finally {
        context.listeners.delete(showAddress);
      }
    }
    case 'whoami':
      return { kind: 'session', session: openSession(await invoke(context, 'session.get', {})) };
    case 'rooms':
      openSession(await invoke(context, 'session.get', {}));
      return { kind: 'rooms', rooms: await invoke(context, 'rooms.list', {}) };
    case 'sync':
      await waitUntilLive(context);
      return { kind: 'session', session: openSession(await invoke(context, 'session.get', {})) };
    case 'logout':
      await invoke(context, 'session.logout', {});
      return { kind: 'done', what: 'signed out; local data removed' };
    case 'create-room': {
      openSession(await invoke(context, 'session.get', {}));
      const { roomId } = await invoke(context, 'rooms.create', {
        name: command.roomName,
        invite: command.invite,
        direct: command.dm,
        encrypted: command.encrypted,
      });
      return { kind: 'room', roomId };
    }
    case 'invite': {
      await waitUntilLive(context);
      const roomId = await resolve(context, command.room);
      await invoke(context, 'rooms.invite', { roomId, userId: command.user });
      return { kind: 'room', roomId };
    }
    case 'join': {
      await waitUntilLive(context);
      return {
        kind: 'room',
        roomId: (await invoke(context, 'rooms.join', { roomIdOrAlias: command.room })).roomId,
      };
    }
    case 'leave': {
      await waitUntilLive(context);
      const roomId = await resolve(context, command.room);
      await invoke(context, 'rooms.leave', { roomId });
      return { kind: 'room', roomId };
    }
    case 'send':
      return send(context, command.room, command.text);
    case 'read':
      return read(context, command.room, command.limit);
  }
}

function openSession(session: SessionView | null): SessionView {
  if (!session) throw new EngineError('not_signed_in', 'Not signed in; run tessera login first');
  if (session.storage.state === 'unavailable') throw new CliFailure(session.storage.error);
  if (session.storage.state === 'locked') {
    throw new EngineError(
      'passphrase_wrong',
      'The local data is locked with a passphrase; open the app to unlock it',
    );
  }
  return session;
}

async function resolve(context: RunContext, room: string): Promise<string> {
  const session = context.engine.session;
  if (!session) throw new EngineError('not_signed_in', 'Not signed in; run tessera login first');
  return resolveRoom({ http: session.http }, room);
}

/** Waits for the first sync to catch up (the engine's sync state `live`). */
async function waitUntilLive(context: RunContext): Promise<void> {
  openSession(await invoke(context, 'session.get', {}));
  if (context.engine.syncState === 'live') return;
  await waitFor(
    context,
    'the sync to catch up',
    (name, payload) => {
      if (name !== 'session.changed') return undefined;
      const session = payload as SessionView | null;
      if (!session || session.storage.state !== 'open')
        throw new EngineError('not_signed_in', 'The session ended');
      return session.syncState === 'live' ? true : undefined;
    },
    () => (context.engine.syncState === 'live' ? true : undefined),
    () =>
      context.engine.syncState === 'offline'
        ? new EngineError('unreachable', 'The homeserver could not be reached')
        : new EngineError('timeout', 'The sync did not catch up in time'),
  );
}

/**
 * Resolves with the first value `onEvent` (or `probe`, checked on every event and once a second)
 * returns; rejects with `onTimeout()` when the wait runs out.
 */
function waitFor<T>(
  context: RunContext,
  what: string,
  onEvent: (name: EventName, payload: unknown) => T | undefined,
  probe: () => T | undefined,
  onTimeout: () => Error,
  timeoutMs = context.waitMs,
): Promise<T> {
  return new Promise<T>((resolvePromise, reject) => {
    const finish = (settle: () => void) => {
      context.listeners.delete(listener);
      clearInterval(poll);
      clearTimeout(deadline);
      settle();
    };
    const check = (value: T | undefined) => {
      if (value !== undefined) finish(() => resolvePromise(value));
    };
    const listener = (name: EventName, payload: unknown) => {
      try {
        check(onEvent(name, payload) ?? probe());
      } catch (error) {
        finish(() => reject(error instanceof Error ? error : new Error(what)));
      }
    };
    context.listeners.add(listener);
    const poll = setInterval(() => check(probe()), 1_000);
    const deadline = setTimeout(() => finish(() => reject(onTimeout())), timeoutMs);
    check(probe());
  });
}

async function send(context: RunContext, room: string, text: string): Promise<CliResult> {
  await waitUntilLive(context);
  const roomId = await resolve(context, room);
  const statuses: MessageStatus[] = [];
  const collect = (name: EventName, payload: unknown) => {
    if (name === 'message.status') statuses.push(payload as MessageStatus);
  };
  // Listen before sending: the status may arrive before message.send answers.
  context.listeners.add(collect);
  try {
    const { transactionId } = await invoke(context, 'message.send', { roomId, body: text });
    const settled = () =>
      statuses.find((status) => status.transactionId === transactionId && status.state !== 'pending');
    const status = await waitFor(
      context,
      'the message to be sent',
      () => settled(),
      settled,
      () => new EngineError('timeout', 'The message is still queued; it will be sent on the next run'),
    );
    if (status.state === 'failed') {
      throw new CliFailure(status.error ?? { code: 'message_refused', message: 'The message was not sent' });
    }
    return { kind: 'sent', roomId, transactionId, eventId: status.eventId ?? null };
  } finally {
    context.listeners.delete(collect);
  }
}

async function read(context: RunContext, room: string, limit: number): Promise<CliResult> {
  await waitUntilLive(context);
  const roomId = await resolve(context, room);
  const session = context.engine.session;
  if (!session) throw new EngineError('not_signed_in', 'Not signed in; run tessera login first');
  // The room is opened: its decryption and backfill go first, then one page fills its newest gap.
  session.openRoom(roomId);
  await session.paginate(roomId, limit).catch(() => undefined);
  // Decryption runs in the background after sync; give the room's waiting events their turn.
  const ready = () => {
    const items = session.timeline(roomId, limit);
    return items.some((item) => item.decryption === 'pending') ? undefined : items;
  };
  let items: TimelineItem[];
  try {
    items = await waitFor(
      context,
      'decryption',
      () => ready(),
      ready,
      () => new Error('pending'),
      10_000,
    );
  } catch {
    // Whatever is still waiting is shown as such.
    items = session.timeline(roomId, limit);
  }
  return { kind: 'timeline', roomId, items };
}

function failureView(error: unknown): ErrorView {
  if (error instanceof CliFailure) return error.view;
  if (error instanceof UsageError) return { code: 'invalid_arguments', message: error.message };
  if (error instanceof EngineError) return error.toView();
  return { code: 'internal', message: 'Something went wrong inside Tessera' };
}
