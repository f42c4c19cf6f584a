// The names that cross the renderer boundary, without their schemas, so the sandboxed preload
// can check names without bundling the schema library. contract.ts pairs each name with its
// schema and types, and the compiler checks the two lists agree.

export const commandNames = [
  'session.get',
  'session.login',
  'session.unlock',
  'session.retry',
  'session.logout',
  'rooms.list',
  'message.send',
  'rooms.create',
  'rooms.invite',
  'rooms.join',
  'rooms.leave',
  'rooms.kick',
  'rooms.ban',
] as const;
export type CommandName = (typeof commandNames)[number];

export const eventNames = ['rooms.changed', 'session.changed', 'message.status'] as const;
export type EventName = (typeof eventNames)[number];

/** IPC channel names used by the preload and main. */
export const ipcChannels = {
  invoke: 'tessera:invoke',
  event: 'tessera:event',
} as const;
