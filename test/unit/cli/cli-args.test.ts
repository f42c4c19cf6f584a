// The CLI's argv surface (issue 4) and its usage errors, which exit with code 2.
import { describe, expect, it } from 'vitest';
import { UsageError, parseCli, usage } from '../../../src-main/engine/cli/cli-args.ts';

describe('parseCli', () => {
  it('reads global options before the command', () => {
    expect(parseCli(['--profile', '/tmp/p', '--json', 'whoami'])).toEqual({
      profileDir: '/tmp/p',
      json: true,
      command: { name: 'whoami' },
    });
  });

  it('accepts --json after the command too', () => {
    expect(parseCli(['rooms', '--json'])).toMatchObject({ json: true, command: { name: 'rooms' } });
  });

  it('reads login with --password-stdin', () => {
    expect(
      parseCli(['login', '--homeserver', 'https://m.example', '--user', 'alice', '--password-stdin']).command,
    ).toEqual({ name: 'login', homeserver: 'https://m.example', user: 'alice', passwordStdin: true });
  });

  it('reads create-room with repeated --invite and its flags', () => {
    expect(
      parseCli([
        'create-room',
        '--name',
        'X',
        '--invite',
        '@a:s',
        '--invite',
        '@b:s',
        '--dm',
        '--unencrypted',
      ]).command,
    ).toEqual({ name: 'create-room', roomName: 'X', invite: ['@a:s', '@b:s'], dm: true, encrypted: false });
    expect(parseCli(['create-room', '--name', 'Y']).command).toMatchObject({ invite: [], encrypted: true });
  });

  it('reads the room commands, with ids and aliases', () => {
    expect(parseCli(['invite', '#room:s', '@bob:s']).command).toEqual({
      name: 'invite',
      room: '#room:s',
      user: '@bob:s',
    });
    expect(parseCli(['join', '!abc:s']).command).toEqual({ name: 'join', room: '!abc:s' });
    expect(parseCli(['leave', '!opaqueV12']).command).toEqual({ name: 'leave', room: '!opaqueV12' });
    expect(parseCli(['send', '!abc:s', 'hello there']).command).toEqual({
      name: 'send',
      room: '!abc:s',
      text: 'hello there',
    });
    expect(parseCli(['read', '!abc:s']).command).toEqual({ name: 'read', room: '!abc:s', limit: 20 });
    expect(parseCli(['read', '!abc:s', '--limit', '5']).command).toMatchObject({ limit: 5 });
    expect(parseCli(['sync', '--once']).command).toEqual({ name: 'sync' });
    expect(parseCli(['logout']).command).toEqual({ name: 'logout' });
  });

  it('answers --help', () => {
    expect(parseCli(['--help']).command).toEqual({ name: 'help' });
    expect(parseCli(['send', '--help']).command).toEqual({ name: 'help' });
    expect(usage).toMatch(/Exit codes:[\s\S]*2 {2}usage error[\s\S]*3 {2}auth/);
  });

  it.each([
    ['no command', []],
    ['an unknown command', ['frobnicate']],
    ['an unknown option', ['whoami', '--verbose']],
    ['login without --homeserver', ['login', '--user', 'alice']],
    ['login without --user', ['login', '--homeserver', 'h']],
    ['login with a password option', ['login', '--homeserver', 'h', '--user', 'a', '--password', 'x']],
    ['sync without --once', ['sync']],
    ['create-room without --name', ['create-room']],
    ['create-room inviting a non-user', ['create-room', '--name', 'X', '--invite', 'bob']],
    ['invite with one argument', ['invite', '!r:s']],
    ['invite of a non-user', ['invite', '!r:s', 'bob']],
    ['join of a non-room', ['join', 'room']],
    ['an alias without a server', ['join', '#room']],
    ['send without text', ['send', '!r:s']],
    ['send with empty text', ['send', '!r:s', '']],
    ['send with extra arguments', ['send', '!r:s', 'a', 'b']],
    ['read with a bad limit', ['read', '!r:s', '--limit', 'ten']],
    ['read with a zero limit', ['read', '!r:s', '--limit', '0']],
    ['whoami with an argument', ['whoami', 'extra']],
    ['--profile without a value', ['--profile']],
  ])('refuses %s as a usage error', (_label, argv) => {
    expect(() => parseCli(argv)).toThrow(UsageError);
  });

  it('never puts an option value in a usage error', () => {
    try {
      parseCli(['login', '--homeserver', 'h', '--user', 'a', '--password', 'hunter2']);
      expect.unreachable();
    } catch (error) {
      expect(String(error)).not.toContain('hunter2');
    }
  });
});
