// The IPC router: the only door from the renderer to the engine (DESIGN.md §1).
// It checks who is calling before it looks at what is asked, validates every argument
// against the contract, and only then forwards. Nothing here imports electron, so the
// same router runs in the Electron main process and in the e2e harness.
import type { z } from 'zod';
import {
  commandSchemas,
  type CommandName,
  type CommandResults,
  type ErrorView,
  type InvokeOutcome,
} from '../src-preload/contract.ts';
import type { ValidArgs } from './engine/protocol.ts';

export interface CommandDispatcher {
  dispatch<C extends CommandName>(command: C, args: ValidArgs<C>): Promise<InvokeOutcome<CommandResults[C]>>;
}

export interface IpcRouterOptions<Sender> {
  /** True only for the app's own top frame (or the harness's authenticated page). */
  isTrustedSender: (sender: Sender) => boolean;
  dispatcher: CommandDispatcher;
  /** Receives a line about each rejection; never the argument values. */
  onRejected?: (reason: ErrorView['code'], command: string) => void;
}

export function isCommandName(value: unknown): value is CommandName {
  return typeof value === 'string' && Object.hasOwn(commandSchemas, value);
}

function reject(error: ErrorView): InvokeOutcome<never> {
  return { ok: false, error };
}

/** Describes the first schema issue without echoing the value (it may be a password). */
function describeIssue(error: z.ZodError): ErrorView {
  const issue = error.issues[0];
  const field = issue?.path.map(String).join('.') ?? '';
  return {
    code: 'invalid_arguments',
    message: issue ? issue.message : 'The request was not valid',
    ...(field ? { field } : {}),
  };
}

export class IpcRouter<Sender> {
  readonly #options: IpcRouterOptions<Sender>;

  constructor(options: IpcRouterOptions<Sender>) {
    this.#options = options;
  }

  async route(sender: Sender, command: unknown, args: unknown): Promise<InvokeOutcome<unknown>> {
    const name = typeof command === 'string' ? command.slice(0, 64) : typeof command;
    let trusted = false;
    try {
      trusted = this.#options.isTrustedSender(sender);
    } catch {
      trusted = false;
    }
    if (!trusted) {
      this.#options.onRejected?.('forbidden_sender', name);
      return reject({
        code: 'forbidden_sender',
        message: 'This request did not come from the Tessera window',
      });
    }
    if (!isCommandName(command)) {
      this.#options.onRejected?.('unknown_command', name);
      return reject({ code: 'unknown_command', message: 'Unknown command' });
    }
    const parsed = commandSchemas[command].safeParse(args ?? {});
    if (!parsed.success) {
      this.#options.onRejected?.('invalid_arguments', name);
      return reject(describeIssue(parsed.error));
    }
    return this.#options.dispatcher.dispatch(command, parsed.data as ValidArgs<typeof command>);
  }
}
