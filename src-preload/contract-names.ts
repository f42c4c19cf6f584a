// The names that cross the renderer boundary, without their schemas, so the sandboxed preload
// can check names without bundling the schema library. contract.ts pairs each name with its
// schema and types, and the compiler checks the two lists agree.

export const commandNames = [
  'session.get',
  'session.login',
  'session.unlock',
  'session.retry',
  'session.logout',
  /** After a soft logout: the same device signs in again with the password. */
  'session.reauthenticate',
  /** The ways a homeserver offers to sign in (password, single sign-on providers), under the policy. */
  'session.signInOptions',
  /** Single sign-on in the system browser; answers once the browser has come back. */
  'session.loginSso',
  /** Stops a single sign-on that waits for the browser (it fails with sso_cancelled). */
  'session.cancelSso',
  /** After a soft logout: the same device signs in again with single sign-on. */
  'session.reauthenticateSso',
  'rooms.list',
  'message.send',
  'rooms.create',
  'rooms.invite',
  'rooms.join',
  'rooms.leave',
  'rooms.kick',
  'rooms.ban',
  'rooms.details',
  /** A matrix: link's `#alias:server` → its room id and servers to join through. */
  'rooms.resolveAlias',
  'timeline.open',
  'timeline.close',
  'timeline.back',
  'message.edit',
  'message.react',
  'message.redact',
  'message.retry',
  'message.cancel',
  'receipts.markRead',
  'typing.set',
  'settings.get',
  'settings.set',
  /** The organization's policy as the sign-in form and settings need it (answered signed out too). */
  'policy.get',
  /** The person's consent to install a downloaded update now (answered by main, not the engine). */
  'update.install',
] as const;
export type CommandName = (typeof commandNames)[number];

export const eventNames = [
  'rooms.changed',
  'session.changed',
  'message.status',
  'timeline.changed',
  'typing.changed',
  'settings.changed',
  /** A downloaded, verified update waits (sent by main, not the engine). */
  'update.ready',
  /** A new message to show as a desktop notification (engine to main only, never forwarded). */
  'notification.show',
  /** A single sign-on page to open in the system browser (engine to main only, never forwarded). */
  'browser.openRequested',
  /** The person clicked a notification: open the room (sent by main). */
  'room.focusRequested',
  /** The person opened a matrix: link (sent by main). */
  'link.opened',
] as const;
export type EventName = (typeof eventNames)[number];

/** Commands main answers itself; every other command goes to the engine. */
export const mainCommandNames = ['update.install'] as const satisfies readonly CommandName[];
export type MainCommandName = (typeof mainCommandNames)[number];

/** IPC channel names used by the preload and main. */
export const ipcChannels = {
  invoke: 'tessera:invoke',
  event: 'tessera:event',
} as const;
