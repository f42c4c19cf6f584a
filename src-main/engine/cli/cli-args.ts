// The CLI's argv, parsed with node:util parseArgs into one typed command. Anything else is a
// usage error (exit code 2). The surface is fixed by issue 4 so that scripts can rely on it.
import { parseArgs } from 'node:util';

export type CliCommand =
  | { name: 'help' }
  | { name: 'login'; homeserver: string; user: string; passwordStdin: boolean }
  | { name: 'login-sso'; homeserver: string; identityProvider: string | undefined }
  | { name: 'whoami' }
  | { name: 'rooms' }
  | { name: 'sync' }
  | { name: 'logout' }
  | { name: 'create-room'; roomName: string; invite: string[]; dm: boolean; encrypted: boolean }
  | { name: 'invite'; room: string; user: string }
  | { name: 'join'; room: string }
  | { name: 'leave'; room: string }
  | { name: 'send'; room: string; text: string }
  | { name: 'read'; room: string; limit: number };

export interface CliInvocation {
  /** From --profile; undefined means the app's own profile folder. */
  profileDir: string | undefined;
  json: boolean;
  command: CliCommand;
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const usage = `Usage: tessera [--profile DIR] [--json] <command>

Commands:
  login --homeserver URL --user USER [--password-stdin]
                          sign in (password from stdin, else TESSERA_PASSWORD)
  login --homeserver URL --sso [--idp ID]
                          single sign-on: open the printed address in a browser
  whoami                  the signed-in account
  rooms                   the room list
  sync --once             sync until caught up, then exit
  logout                  sign out and remove the local data
  create-room --name NAME [--invite USER]... [--dm] [--unencrypted]
  invite ROOM USER        invite a user (ROOM is a room id or #alias:server)
  join ROOM               join a room
  leave ROOM              leave a room
  send ROOM TEXT          send a text message (encrypted in an encrypted room)
  read ROOM [--limit N]   the latest messages, decrypted, with shield and UTD reason

The organization's policy (/etc/tessera/policy.json, macOS managed preferences,
Windows Group Policy) applies as in the app: allowed homeservers, single sign-on
only, locked settings and certificate pins.

Options:
  --profile DIR           the profile folder (default: the app's)
  --json                  print one JSON document
  -h, --help              this help

Exit codes:
  0  ok
  1  any other failure, or an organization policy Tessera cannot apply
     (the app would refuse to start with it too)
  2  usage error
  3  authentication failure (wrong credentials, not signed in, session ended)
  4  network failure (unreachable, timeout, TLS, server error, rate limited)
  5  crypto or local storage failure (encryption, keychain, encrypted store)
`;

const globalOptions = {
  profile: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Each command's own options, besides the global ones. */
const commandOptions = {
  login: {
    homeserver: { type: 'string' },
    user: { type: 'string' },
    'password-stdin': { type: 'boolean' },
    sso: { type: 'boolean' },
    idp: { type: 'string' },
  },
  whoami: {},
  rooms: {},
  sync: { once: { type: 'boolean' } },
  logout: {},
  'create-room': {
    name: { type: 'string' },
    invite: { type: 'string', multiple: true },
    dm: { type: 'boolean' },
    unencrypted: { type: 'boolean' },
  },
  invite: {},
  join: {},
  leave: {},
  send: {},
  read: { limit: { type: 'string' } },
} as const;

type CommandWord = keyof typeof commandOptions;

const positionalCounts: Record<CommandWord, number> = {
  login: 0,
  whoami: 0,
  rooms: 0,
  sync: 0,
  logout: 0,
  'create-room': 0,
  invite: 2,
  join: 1,
  leave: 1,
  send: 2,
  read: 1,
};

function isCommandWord(word: string): word is CommandWord {
  return Object.hasOwn(commandOptions, word);
}

export function parseCli(argv: readonly string[]): CliInvocation {
  // Global options come before the command word; parse them first, stopping at the command.
  const commandIndex = argv.findIndex(
    (arg, index) => !arg.startsWith('-') && argv[index - 1] !== '--profile',
  );
  const globals = parse(
    argv.slice(0, commandIndex === -1 ? argv.length : commandIndex),
    globalOptions,
    false,
  );
  const base = {
    profileDir: optionalString(globals.values.profile),
    json: globals.values.json === true,
  };
  if (globals.values.help === true || commandIndex === -1) {
    if (globals.values.help !== true) throw new UsageError('No command given');
    return { ...base, command: { name: 'help' } };
  }
  const word = argv[commandIndex] ?? '';
  if (!isCommandWord(word)) throw new UsageError(`Unknown command: ${word}`);
  const parsed = parse(argv.slice(commandIndex + 1), { ...commandOptions[word], ...globalOptions }, true);
  const values = parsed.values as Record<string, string | boolean | string[] | undefined>;
  if (values.help === true) return { ...base, command: { name: 'help' } };
  const invocation = {
    profileDir: optionalString(values.profile) ?? base.profileDir,
    json: values.json === true || base.json,
  };
  if (parsed.positionals.length !== positionalCounts[word]) {
    throw new UsageError(`${word} takes ${positionalCounts[word]} argument(s)`);
  }
  const [first = '', second = ''] = parsed.positionals;
  return { ...invocation, command: toCommand(word, values, first, second) };
}

function toCommand(
  word: CommandWord,
  values: Record<string, string | boolean | string[] | undefined>,
  first: string,
  second: string,
): CliCommand {
  switch (word) {
    case 'login':
      if (values.sso === true) {
        if (values.user !== undefined || values['password-stdin'] !== undefined) {
          throw new UsageError('login --sso takes no --user or --password-stdin');
        }
        return {
          name: 'login-sso',
          homeserver: required(values.homeserver, '--homeserver'),
          identityProvider: optionalString(values.idp),
        };
      }
      if (values.idp !== undefined) throw new UsageError('--idp needs --sso');
      return {
        name: 'login',
        homeserver: required(values.homeserver, '--homeserver'),
        user: required(values.user, '--user'),
        passwordStdin: values['password-stdin'] === true,
      };
    case 'sync':
      if (values.once !== true) throw new UsageError('sync needs --once');
      return { name: 'sync' };
    case 'create-room': {
      const invite = Array.isArray(values.invite) ? values.invite : [];
      for (const user of invite) roomOrUser(user, '@', 'a user id (@user:server)');
      return {
        name: 'create-room',
        roomName: required(values.name, '--name'),
        invite,
        dm: values.dm === true,
        encrypted: values.unencrypted !== true,
      };
    }
    case 'invite':
      return {
        name: 'invite',
        room: roomOrUser(first, '!#', 'a room id or alias'),
        user: roomOrUser(second, '@', 'a user id (@user:server)'),
      };
    case 'join':
    case 'leave':
      return { name: word, room: roomOrUser(first, '!#', 'a room id or alias') };
    case 'send':
      if (second.length === 0) throw new UsageError('send needs a non-empty TEXT');
      return { name: 'send', room: roomOrUser(first, '!#', 'a room id or alias'), text: second };
    case 'read':
      return {
        name: 'read',
        room: roomOrUser(first, '!#', 'a room id or alias'),
        limit: limit(values.limit),
      };
    case 'whoami':
    case 'rooms':
    case 'logout':
      return { name: word };
  }
}

function parse(
  args: string[],
  options: Parameters<typeof parseArgs>[0] extends infer C
    ? C extends { options?: infer O }
      ? O
      : never
    : never,
  allowPositionals: boolean,
) {
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (error) {
    // parseArgs's messages name the option, never a value.
    throw new UsageError(error instanceof Error ? error.message : 'Invalid arguments');
  }
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function required(value: unknown, flag: string): string {
  if (typeof value !== 'string' || value.trim().length === 0) throw new UsageError(`${flag} is required`);
  return value;
}

/** Room ids of room version 12 have no server part; aliases and user ids always do. */
function roomOrUser(value: string, sigils: string, what: string): string {
  const shape = value.startsWith('!') ? /^!\S+$/ : /^.[^:\s]+:\S+$/;
  if (!sigils.includes(value.charAt(0)) || !shape.test(value)) {
    throw new UsageError(`Expected ${what}`);
  }
  return value;
}

function limit(value: unknown): number {
  if (value === undefined) return 20;
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw new UsageError('--limit must be between 1 and 1000');
  return n;
}
