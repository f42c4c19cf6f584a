// The router is the only door from the renderer to the engine: these are the requests it must
// turn away before the engine sees them (issue 2, "bad input that must get a clear error").
import { describe, expect, it } from 'vitest';
import type { CommandName, CommandResults, InvokeOutcome } from '../../src-preload/contract.ts';
import type { ValidArgs } from '../../src-main/engine/protocol.ts';
import { IpcRouter, type CommandDispatcher } from '../../src-main/ipc-router.ts';

interface FakeSender {
  trusted: boolean;
}

class RecordingDispatcher implements CommandDispatcher {
  readonly calls: Array<{ command: CommandName; args: unknown }> = [];

  dispatch<C extends CommandName>(command: C, args: ValidArgs<C>): Promise<InvokeOutcome<CommandResults[C]>> {
    this.calls.push({ command, args });
    return Promise.resolve({ ok: true, value: null as CommandResults[C] });
  }
}

const password = 'correct horse battery staple';
const validLogin = { homeserver: 'https://matrix.example.org', user: '@alice:example.org', password };
const trusted: FakeSender = { trusted: true };

function setUp(isTrustedSender: (sender: FakeSender) => boolean = (sender) => sender.trusted) {
  const dispatcher = new RecordingDispatcher();
  const rejections: Array<{ reason: string; command: string }> = [];
  const router = new IpcRouter<FakeSender>({
    isTrustedSender,
    dispatcher,
    onRejected: (reason, command) => rejections.push({ reason, command }),
  });
  return { router, dispatcher, rejections };
}

function expectError(outcome: InvokeOutcome<unknown>, code: string): { message: string; field?: string } {
  expect(outcome.ok).toBe(false);
  if (outcome.ok) throw new Error('expected an error outcome');
  expect(outcome.error.code).toBe(code);
  return outcome.error;
}

describe('IpcRouter rejects', () => {
  it.each(['rooms.delete', 'session.get ', 'SESSION.GET', '', 'a'.repeat(10_000)])(
    'an unknown command %#',
    async (command) => {
      const { router, dispatcher } = setUp();
      expectError(await router.route(trusted, command, {}), 'unknown_command');
      expect(dispatcher.calls).toEqual([]);
    },
  );

  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__'])(
    'a prototype name as a command: %s',
    async (command) => {
      const { router, dispatcher } = setUp();
      expectError(await router.route(trusted, command, {}), 'unknown_command');
      expect(dispatcher.calls).toEqual([]);
    },
  );

  it.each([
    ['a number', 42],
    ['null', null],
    ['undefined', undefined],
    ['an object', { toString: () => 'session.get' }],
    ['an array', ['session.get']],
    ['a boxed string', Object('session.get') as unknown],
  ])('a command that is not a string: %s', async (_label, command) => {
    const { router, dispatcher } = setUp();
    expectError(await router.route(trusted, command, {}), 'unknown_command');
    expect(dispatcher.calls).toEqual([]);
  });

  it.each([
    ['a missing field', { homeserver: 'matrix.example.org', password }, 'user'],
    ['an extra field', { ...validLogin, deviceId: 'ABC' }, undefined],
    ['a wrong type', { ...validLogin, user: 42 }, 'user'],
    ['a homeserver that is not a string', { ...validLogin, homeserver: null }, 'homeserver'],
    ['an empty password', { ...validLogin, password: '' }, 'password'],
    ['a too long password', { ...validLogin, password: 'p'.repeat(1025) }, 'password'],
    ['a too long user', { ...validLogin, user: 'u'.repeat(256) }, 'user'],
    ['an array instead of an object', [validLogin], undefined],
    ['a string instead of an object', 'alice', undefined],
  ])('session.login with %s', async (_label, args, field) => {
    const { router, dispatcher } = setUp();
    const error = expectError(await router.route(trusted, 'session.login', args), 'invalid_arguments');
    if (field) expect(error.field).toBe(field);
    expect(dispatcher.calls).toEqual([]);
  });

  it('arguments to a command that takes none', async () => {
    const { router, dispatcher } = setUp();
    expectError(await router.route(trusted, 'rooms.list', { limit: 5 }), 'invalid_arguments');
    expect(dispatcher.calls).toEqual([]);
  });

  it('without echoing the password in the message', async () => {
    const { router } = setUp();
    for (const args of [
      { ...validLogin, password: `${password}${'x'.repeat(1024)}` },
      { ...validLogin, user: 42 },
      { ...validLogin, extra: password },
      { homeserver: 42, user: password, password },
    ]) {
      const error = expectError(await router.route(trusted, 'session.login', args), 'invalid_arguments');
      expect(JSON.stringify(error)).not.toContain(password);
    }
  });

  it.each([
    ['a sub-frame', () => false],
    ['another origin', () => false],
    [
      'a predicate that throws',
      () => {
        throw new Error('senderFrame was destroyed');
      },
    ],
  ])('a sender that is not trusted: %s', async (_label, predicate) => {
    const { router, dispatcher, rejections } = setUp(predicate);
    const error = expectError(await router.route(trusted, 'session.login', validLogin), 'forbidden_sender');
    expect(error.message).not.toContain(password);
    expect(dispatcher.calls).toEqual([]);
    expect(rejections).toEqual([{ reason: 'forbidden_sender', command: 'session.login' }]);
  });

  it('an untrusted sender before it looks at the command', async () => {
    const { router, dispatcher } = setUp();
    expectError(await router.route({ trusted: false }, '__proto__', null), 'forbidden_sender');
    expect(dispatcher.calls).toEqual([]);
  });

  it('and reports each rejection without the arguments', async () => {
    const { router, rejections } = setUp();
    await router.route(trusted, 'nope', {});
    await router.route(trusted, 'session.login', { ...validLogin, password: '' });
    expect(rejections).toEqual([
      { reason: 'unknown_command', command: 'nope' },
      { reason: 'invalid_arguments', command: 'session.login' },
    ]);
    expect(JSON.stringify(rejections)).not.toContain(password);
  });
});

describe('IpcRouter forwards', () => {
  it('a valid call to the dispatcher with trimmed arguments', async () => {
    const { router, dispatcher } = setUp();
    const outcome = await router.route(trusted, 'session.login', {
      homeserver: '  matrix.example.org ',
      user: ' alice ',
      password: ' keep my spaces ',
    });
    expect(outcome).toEqual({ ok: true, value: null });
    expect(dispatcher.calls).toEqual([
      {
        command: 'session.login',
        args: { homeserver: 'matrix.example.org', user: 'alice', password: ' keep my spaces ' },
      },
    ]);
  });

  it('a command without arguments when args are omitted', async () => {
    const { router, dispatcher } = setUp();
    await router.route(trusted, 'session.get', undefined);
    await router.route(trusted, 'rooms.list', {});
    expect(dispatcher.calls).toEqual([
      { command: 'session.get', args: {} },
      { command: 'rooms.list', args: {} },
    ]);
  });

  it('the dispatcher outcome unchanged, errors included', async () => {
    const failing: CommandDispatcher = {
      dispatch: () =>
        Promise.resolve({
          ok: false,
          error: { code: 'invalid_credentials', message: 'Wrong user or password' },
        }),
    };
    const router = new IpcRouter<FakeSender>({ isTrustedSender: () => true, dispatcher: failing });
    expect(await router.route(trusted, 'session.login', validLogin)).toEqual({
      ok: false,
      error: { code: 'invalid_credentials', message: 'Wrong user or password' },
    });
  });
});
