// The contract is the one list of what crosses the renderer boundary (DESIGN.md §2): every
// command has a schema that refuses bad arguments, and the event list matches the payload map.
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  commandNames,
  commandSchemas,
  errorCodes,
  eventNames,
  ipcChannels,
  mainCommandNames,
  type CommandName,
  type CommandResults,
  type EventName,
  type EventPayloads,
} from '../../src-preload/contract.ts';

describe('contract', () => {
  it('has a schema for every command and no other names', () => {
    expect([...commandNames].sort()).toEqual(Object.keys(commandSchemas).sort());
    for (const name of commandNames) {
      expect(typeof commandSchemas[name].safeParse).toBe('function');
    }
    expectTypeOf<keyof CommandResults>().toEqualTypeOf<CommandName>();
  });

  it('lists exactly the events that have payload types', () => {
    expectTypeOf<EventName>().toEqualTypeOf<keyof EventPayloads>();
    // Every key of EventPayloads is listed once (the record forces completeness at compile time).
    const listed: Record<keyof EventPayloads, true> = {
      'rooms.changed': true,
      'session.changed': true,
      'message.status': true,
      'timeline.changed': true,
      'typing.changed': true,
      'settings.changed': true,
      'update.ready': true,
      'notification.show': true,
      'browser.openRequested': true,
      'room.focusRequested': true,
      'link.opened': true,
    };
    expect([...eventNames].sort()).toEqual(Object.keys(listed).sort());
    expect(new Set(eventNames).size).toBe(eventNames.length);
  });

  it('names commands and events as lowercase dotted verbs', () => {
    for (const name of [...commandNames, ...eventNames]) {
      expect(name).toMatch(/^[a-z]+(\.[a-z][A-Za-z]*)+$/);
    }
  });

  it('keeps error codes unique and includes the router codes', () => {
    expect(new Set(errorCodes).size).toBe(errorCodes.length);
    expect(errorCodes).toEqual(
      expect.arrayContaining(['unknown_command', 'invalid_arguments', 'forbidden_sender']),
    );
  });

  it('lists main-answered commands among the commands', () => {
    expect(mainCommandNames).toEqual(['update.install']);
    for (const name of mainCommandNames) expect(commandNames).toContain(name);
  });

  it('has the policy and update error codes', () => {
    expect(errorCodes).toEqual(
      expect.arrayContaining([
        'homeserver_not_allowed',
        'sign_in_method_not_allowed',
        'passphrase_fallback_not_allowed',
        'update_not_ready',
      ]),
    );
  });

  it('uses distinct IPC channels', () => {
    expect(ipcChannels.invoke).not.toBe(ipcChannels.event);
  });
});

describe('command schemas reject bad arguments', () => {
  const badForEvery: unknown[] = [null, 'text', 42, [], { unexpected: true }];

  it.each(commandNames)('%s rejects non-objects and unknown fields', (name) => {
    for (const args of badForEvery) {
      expect(commandSchemas[name].safeParse(args).success).toBe(false);
    }
  });

  it.each(['session.get', 'session.logout', 'rooms.list', 'policy.get', 'update.install'] as const)(
    '%s accepts an empty object',
    (name) => {
      expect(commandSchemas[name].safeParse({}).success).toBe(true);
    },
  );

  const login = commandSchemas['session.login'];
  const good = { homeserver: 'matrix.org', user: 'alice', password: 'secret' };

  it('session.login accepts a complete form and trims names', () => {
    expect(
      login.parse({ homeserver: ' matrix.org ', user: ' @alice:matrix.org ', password: ' pw ' }),
    ).toEqual({
      homeserver: 'matrix.org',
      user: '@alice:matrix.org',
      password: ' pw ',
    });
  });

  it('session.login accepts a blank homeserver (discovered from the user id) as empty', () => {
    expect(login.parse({ ...good, homeserver: '   ', user: '@alice:matrix.org' }).homeserver).toBe('');
  });

  it.each([
    ['no homeserver', { user: 'alice', password: 'secret' }],
    ['non-string homeserver', { ...good, homeserver: ['matrix.org'] }],
    ['too long homeserver', { ...good, homeserver: `https://${'h'.repeat(2050)}` }],
    ['no user', { homeserver: 'matrix.org', password: 'secret' }],
    ['blank user', { ...good, user: ' ' }],
    ['too long user', { ...good, user: 'u'.repeat(256) }],
    ['no password', { homeserver: 'matrix.org', user: 'alice' }],
    ['empty password', { ...good, password: '' }],
    ['too long password', { ...good, password: 'p'.repeat(1025) }],
    ['numeric password', { ...good, password: 1234 }],
    ['extra field', { ...good, accessToken: 'x' }],
  ])('session.login rejects %s', (_label, args) => {
    expect(login.safeParse(args).success).toBe(false);
  });

  const send = commandSchemas['message.send'];
  const message = { roomId: '!room:example.org', body: 'hello' };

  it('message.send accepts a room id and a body', () => {
    expect(send.parse(message)).toEqual(message);
  });

  it.each([
    ['no room id', { body: 'hello' }],
    ['a room alias', { ...message, roomId: '#room:example.org' }],
    ['too long room id', { ...message, roomId: `!${'r'.repeat(255)}` }],
    ['empty body', { ...message, body: '' }],
    ['too long body', { ...message, body: 'b'.repeat(65_537) }],
    ['non-string body', { ...message, body: 42 }],
    ['extra field', { ...message, txnId: 'x' }],
  ])('message.send rejects %s', (_label, args) => {
    expect(send.safeParse(args).success).toBe(false);
  });

  const create = commandSchemas['rooms.create'];

  it('rooms.create is encrypted unless asked otherwise', () => {
    expect(create.parse({})).toEqual({ encrypted: true });
    expect(
      create.parse({ name: ' Plans ', invite: ['@bob:example.org'], direct: true, encrypted: false }),
    ).toEqual({
      name: 'Plans',
      invite: ['@bob:example.org'],
      direct: true,
      encrypted: false,
    });
  });

  it.each([
    ['a non-user invite', { invite: ['bob'] }],
    ['an invite with spaces', { invite: ['@bob smith:example.org'] }],
    ['too many invites', { invite: Array.from({ length: 101 }, (_, i) => `@u${i}:example.org`) }],
    ['too long name', { name: 'n'.repeat(256) }],
    ['non-boolean encrypted', { encrypted: 'yes' }],
    ['extra field', { preset: 'public_chat' }],
  ])('rooms.create rejects %s', (_label, args) => {
    expect(create.safeParse(args).success).toBe(false);
  });
});

describe('membership command schemas', () => {
  const room = '!room:example.org';
  const user = '@bob:example.org';

  it.each([
    ['rooms.invite', { roomId: room, userId: user }],
    ['rooms.join', { roomIdOrAlias: room }],
    ['rooms.join', { roomIdOrAlias: '#room:example.org' }],
    ['rooms.join', { roomIdOrAlias: '!opaqueV12RoomId' }],
    [
      'rooms.join',
      { roomIdOrAlias: '#room:example.org', via: ['example.org', 'matrix.org:8448', '[::1]:8448'] },
    ],
    ['rooms.resolveAlias', { alias: '#room:example.org' }],
    ['rooms.leave', { roomId: room }],
    ['rooms.kick', { roomId: room, userId: user, reason: 'spam' }],
    ['rooms.ban', { roomId: room, userId: user }],
  ] as const)('%s accepts %j', (name, args) => {
    expect(commandSchemas[name].safeParse(args).success).toBe(true);
  });

  it.each([
    ['rooms.invite', { roomId: room }],
    ['rooms.invite', { roomId: '#alias:example.org', userId: user }],
    ['rooms.invite', { roomId: room, userId: 'bob' }],
    ['rooms.join', { roomIdOrAlias: 'room' }],
    ['rooms.join', { roomIdOrAlias: '#alias-without-server' }],
    ['rooms.join', { roomIdOrAlias: `#${'a'.repeat(300)}:example.org` }],
    ['rooms.join', { roomIdOrAlias: '#room:example.org', via: ['example.org/../x'] }],
    ['rooms.join', { roomIdOrAlias: '#room:example.org', via: ['evil.org&server_name=x'] }],
    ['rooms.join', { roomIdOrAlias: '#room:example.org', via: Array(21).fill('example.org') }],
    ['rooms.resolveAlias', { alias: '!room:example.org' }],
    ['rooms.resolveAlias', { alias: '#alias-without-server' }],
    ['rooms.resolveAlias', { alias: `#${'a'.repeat(300)}:example.org` }],
    ['rooms.leave', { roomId: 42 }],
    ['rooms.kick', { roomId: room, userId: user, reason: 'r'.repeat(1025) }],
    ['rooms.kick', { roomId: room, userId: '@bob' }],
    ['rooms.ban', { roomId: room }],
    ['rooms.ban', { roomId: room, userId: user, extra: true }],
  ] as const)('%s rejects %j', (name, args) => {
    expect(commandSchemas[name].safeParse(args).success).toBe(false);
  });
});

describe('timeline.open at a linked event', () => {
  const open = commandSchemas['timeline.open'];

  it('takes an optional event id to open around', () => {
    expect(open.parse({ roomId: '!room:example.org' })).toEqual({ roomId: '!room:example.org', limit: 50 });
    expect(open.safeParse({ roomId: '!room:example.org', aroundEvent: '$event' }).success).toBe(true);
  });

  it.each([
    ['not an event id', 'event'],
    ['too long', `$${'e'.repeat(300)}`],
    ['not a string', 42],
  ])('rejects an aroundEvent that is %s', (_label, aroundEvent) => {
    expect(open.safeParse({ roomId: '!room:example.org', aroundEvent }).success).toBe(false);
  });
});
