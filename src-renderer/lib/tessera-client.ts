// The renderer's only way out: a typed wrapper over `window.tessera` (DESIGN.md §1) that turns
// each InvokeOutcome into a value or a thrown TesseraError, so views can use try/catch.
import type {
  CommandArgs,
  CommandName,
  CommandResult,
  ErrorCode,
  ErrorView,
  EventName,
  EventPayloads,
  TesseraBridge,
} from '../../src-preload/contract.ts';

export class TesseraError extends Error {
  readonly code: ErrorCode;
  /** The form field the error is about, when the engine or the router named one. */
  readonly field: string | undefined;

  constructor(view: ErrorView) {
    super(view.message);
    this.name = 'TesseraError';
    this.code = view.code;
    this.field = view.field;
  }
}

export interface TesseraClient {
  invoke<C extends CommandName>(command: C, args: CommandArgs<C>): Promise<CommandResult<C>>;
  on<E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void): () => void;
}

export function createTesseraClient(bridge: TesseraBridge): TesseraClient {
  return {
    async invoke(command, args) {
      let outcome;
      try {
        outcome = await bridge.invoke(command, args);
      } catch {
        // The bridge itself failed (it should always resolve with an envelope).
        throw new TesseraError({ code: 'internal', message: 'Tessera could not reach its engine.' });
      }
      if (outcome.ok) return outcome.value;
      throw new TesseraError(outcome.error);
    },
    on(event, listener) {
      return bridge.on(event, listener);
    },
  };
}

/** Normalises anything caught into a TesseraError, so views handle one shape. */
export function asTesseraError(error: unknown): TesseraError {
  if (error instanceof TesseraError) return error;
  return new TesseraError({ code: 'internal', message: 'Something went wrong inside Tessera.' });
}
