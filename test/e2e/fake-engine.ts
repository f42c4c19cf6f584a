// A stand-in engine inside the page, for renderer tests that need exact control over what the
// engine says (10k items, hostile HTML, a failed send, locked settings, soft logout) and no
// Synapse. The built renderer is served from a made-up origin with the app's real CSP; the
// fake window.tessera is installed by an init script before the app's code runs.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import { contentSecurityPolicy } from '../../src-main/content-security-policy.ts';
import type {
  RoomDetails,
  RoomSummary,
  SessionView,
  SettingsView,
  TimelineItem,
} from '../../src-preload/contract.ts';

const rendererDir = fileURLToPath(new URL('../../dist/renderer', import.meta.url));
export const fakeOrigin = 'http://tessera.test';

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

export interface FakeEngineState {
  session: SessionView | null;
  rooms: RoomSummary[];
  details: Record<string, RoomDetails>;
  /** Each room's whole history, oldest first; timeline.open and .back page through it. */
  timelines: Record<string, TimelineItem[]>;
  settings: SettingsView;
  /** Commands that answer with this error instead. */
  failures: Record<string, { code: string; message: string }>;
  /** What rooms.resolveAlias answers; any other alias is room_not_found. */
  aliases?: Record<string, { roomId: string; servers: string[] }>;
  /** Fixed answers to commands the stand-in does not model (e.g. session.signInOptions). */
  answers?: Record<string, unknown>;
}

export interface RecordedCall {
  command: string;
  args: Record<string, unknown>;
}

export const aliceId = '@alice:tessera.test';

export function fakeSession(overrides: Partial<SessionView> = {}): SessionView {
  return {
    userId: aliceId,
    deviceId: 'ALICEDEVICE',
    homeserver: 'https://tessera.test',
    displayName: 'Alice',
    syncState: 'live',
    storage: { state: 'open', backend: 'os-keychain' },
    ...overrides,
  };
}

export function fakeRoom(roomId: string, name: string, overrides: Partial<RoomSummary> = {}): RoomSummary {
  return {
    roomId,
    name,
    membership: 'join',
    isDirect: false,
    isEncrypted: true,
    inviter: null,
    joinedMemberCount: 2,
    invitedMemberCount: 0,
    notificationCount: 0,
    highlightCount: 0,
    lastActivity: 1_780_000_000_000,
    lastMessage: null,
    avatarUrl: null,
    ...overrides,
  };
}

export function fakeDetails(room: RoomSummary, overrides: Partial<RoomDetails> = {}): RoomDetails {
  return {
    roomId: room.roomId,
    name: room.name,
    topic: 'Where the plans are made',
    avatarUrl: null,
    canonicalAlias: null,
    membership: 'join',
    isDirect: room.isDirect,
    isEncrypted: room.isEncrypted,
    joinRule: 'invite',
    historyVisibility: 'shared',
    joinedMemberCount: room.joinedMemberCount,
    invitedMemberCount: 0,
    power: {
      level: 0,
      canSendMessages: true,
      canInvite: false,
      canKick: false,
      canBan: false,
      canRedactOthers: false,
      canChangeName: false,
      canChangeTopic: false,
    },
    ...overrides,
  };
}

export function fakeItem(index: number, overrides: Partial<TimelineItem> = {}): TimelineItem {
  const fromBob = index % 2 === 0;
  return {
    key: `$event${index}`,
    eventId: `$event${index}`,
    position: index,
    transactionId: null,
    sender: fromBob ? '@bob:tessera.test' : aliceId,
    senderName: fromBob ? 'Bob' : 'Alice',
    timestamp: 1_780_000_000_000 + index * 60_000,
    content: {
      kind: 'message',
      msgtype: 'm.text',
      body: `Message number ${index}`,
      formattedBody: null,
      edited: false,
    },
    encrypted: true,
    shield: fromBob
      ? { level: 'unverified', message: 'Sent by a device its owner has not verified.' }
      : { level: 'verified', message: 'Sent by your verified device.' },
    replyTo: null,
    reactions: [],
    sendState: fromBob ? null : 'sent',
    sendError: null,
    canEdit: !fromBob,
    canRedact: !fromBob,
    readBy: [],
    highlight: false,
    ...overrides,
  };
}

export function defaultSettings(overrides: Partial<SettingsView> = {}): SettingsView {
  return {
    sendTypingNotices: true,
    readReceipts: 'public',
    shareKeysWithCrossSignedOnly: false,
    notificationPreviews: true,
    locked: [],
    ...overrides,
  };
}

/** Serves the built renderer at fakeOrigin with the app CSP, and installs the fake engine. */
export async function openWithFakeEngine(page: Page, state: FakeEngineState): Promise<void> {
  await page.route(`${fakeOrigin}/**`, async (route) => {
    const url = new URL(route.request().url());
    const file = url.pathname === '/' ? '/index.html' : url.pathname;
    const full = path.join(rendererDir, path.normalize(file));
    if (!full.startsWith(rendererDir)) return route.fulfill({ status: 404 });
    try {
      const body = await readFile(full);
      await route.fulfill({
        status: 200,
        body,
        headers: {
          'content-type': types[path.extname(full)] ?? 'application/octet-stream',
          'content-security-policy': contentSecurityPolicy,
        },
      });
    } catch {
      await route.fulfill({ status: 404 });
    }
  });
  await page.addInitScript(installFakeEngine, state);
  await page.goto(`${fakeOrigin}/index.html`);
}

/** The commands the app sent, in order. */
export function callsTo(page: Page, command: string): Promise<Record<string, unknown>[]> {
  return page.evaluate(
    (name) =>
      (globalThis as unknown as { __fake: { calls: RecordedCall[] } }).__fake.calls
        .filter((call) => call.command === name)
        .map((call) => call.args),
    command,
  );
}

/** Sends an engine event to the app. */
export function emit(page: Page, event: string, payload: unknown): Promise<void> {
  return page.evaluate(
    ([name, value]) =>
      (globalThis as unknown as { __fake: { emit: (n: string, p: unknown) => void } }).__fake.emit(
        name as string,
        value,
      ),
    [event, payload] as const,
  );
}

/** Runs in the page before the app (serialized by Playwright: no closures over this module). */
function installFakeEngine(initial: FakeEngineState): void {
  const state = initial;
  const calls: { command: string; args: Record<string, unknown> }[] = [];
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  let txn = 0;

  function emitEvent(name: string, payload: unknown) {
    for (const listener of listeners.get(name) ?? []) listener(payload);
  }

  function page(roomId: string, items: TimelineItem[]) {
    return { roomId, items, hasOlder: false };
  }

  function answer(command: string, args: Record<string, unknown>): unknown {
    const roomId = args.roomId as string;
    const history = state.timelines[roomId] ?? [];
    switch (command) {
      case 'session.get':
        return state.session;
      case 'session.reauthenticate':
        return { ...state.session, storage: { state: 'open', backend: 'os-keychain' } };
      case 'rooms.list':
        return state.rooms;
      case 'rooms.details':
        return state.details[roomId];
      case 'timeline.open': {
        const limit = (args.limit as number | undefined) ?? 50;
        const around = args.aroundEvent as string | undefined;
        const at = around === undefined ? -1 : history.findIndex((item) => item.eventId === around);
        // At a linked event: `limit` items before it and everything after it, as the engine does.
        const start = at >= 0 ? Math.max(0, at - limit) : Math.max(0, history.length - limit);
        return {
          ...page(roomId, history.slice(start)),
          hasOlder: start > 0,
          ...(around === undefined ? {} : { aroundEvent: { eventId: around, found: at >= 0 } }),
        };
      }
      case 'timeline.back': {
        const limit = (args.limit as number | undefined) ?? 50;
        const end = history.findIndex((item) => item.eventId === args.before);
        const start = Math.max(0, end - limit);
        return { ...page(roomId, history.slice(start, Math.max(end, 0))), hasOlder: start > 0 };
      }
      case 'settings.get':
        return state.settings;
      case 'settings.set': {
        state.settings = { ...state.settings, ...(args as Partial<SettingsView>) };
        return state.settings;
      }
      case 'rooms.join':
        // An alias resolves to a room id the stand-in makes up.
        return {
          roomId: (args.roomIdOrAlias as string).startsWith('!')
            ? args.roomIdOrAlias
            : '!joined:tessera.test',
        };
      case 'rooms.create':
        return { roomId: '!created:tessera.test' };
      case 'message.send':
      case 'message.edit':
      case 'message.react':
        txn += 1;
        return { transactionId: `txn${txn}` };
      default:
        return null;
    }
  }

  (globalThis as unknown as { __fake: unknown }).__fake = { calls, emit: emitEvent, state };
  (globalThis as unknown as { tessera: unknown }).tessera = {
    invoke(command: string, args: Record<string, unknown>) {
      calls.push({ command, args });
      const failure = state.failures[command];
      if (failure) return Promise.resolve({ ok: false, error: failure });
      if (state.answers && Object.hasOwn(state.answers, command))
        return Promise.resolve({ ok: true, value: state.answers[command] });
      if (command === 'rooms.resolveAlias') {
        const alias = args.alias as string;
        const target = state.aliases?.[alias];
        if (!target)
          return Promise.resolve({
            ok: false,
            error: { code: 'room_not_found', message: `No room has the address ${alias}` },
          });
        return Promise.resolve({ ok: true, value: target });
      }
      return Promise.resolve({ ok: true, value: answer(command, args) ?? null });
    },
    on(event: string, listener: (payload: unknown) => void) {
      const set = listeners.get(event) ?? new Set();
      set.add(listener);
      listeners.set(event, set);
      return () => set.delete(listener);
    },
  };
}
