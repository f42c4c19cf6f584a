// The one loop per account that sends what the OlmMachine asks for (DESIGN.md §3): take its
// outgoing requests, send each with MatrixHttp, hand the response back with markRequestAsSent.
// Serialized, because the machine expects its requests answered one at a time and in order
// (a keys/upload must not race the next one), and coalesced: kick() while a pass runs asks
// for exactly one more pass after it.
import type { MatrixHttp } from '../http/matrix-http.ts';
import { z } from 'zod';
import type { RequestType } from '@matrix-org/matrix-sdk-crypto-wasm';
import type { EngineLogLevel } from '../protocol.ts';
import { describeFailure } from './failure-text.ts';
import {
  httpCallFor,
  RETRIES_PER_REQUEST,
  type HttpCall,
  type OutgoingRequestLike,
} from './outgoing-request-http.ts';

/** The parts of the OlmMachine this loop uses. */
export interface RequestSource {
  outgoingRequests(): Promise<OutgoingRequestLike[]>;
  markRequestAsSent(requestId: string, requestType: RequestType, response: string): Promise<unknown>;
}

export interface OutgoingRequestLoopOptions {
  machine: RequestSource;
  http: Pick<MatrixHttp, 'request'>;
  /**
   * The crypto store's barrier (journal flush), called before each request goes out: nothing
   * the server sees may refer to keys that a crash could still take back.
   */
  barrier(): void;
  log(level: EngineLogLevel, message: string): void;
  /** Passes in a row while the machine keeps producing requests; a guard against a loop that never settles. */
  maxPasses?: number;
}

/** Any JSON object; the machine parses the response itself. */
const responseSchema = z.record(z.string(), z.unknown());

export class OutgoingRequestLoop {
  readonly #machine: RequestSource;
  readonly #http: Pick<MatrixHttp, 'request'>;
  readonly #barrier: () => void;
  readonly #log: (level: EngineLogLevel, message: string) => void;
  readonly #maxPasses: number;
  readonly #abort = new AbortController();
  #running: Promise<void> | undefined;
  #again = false;

  constructor(options: OutgoingRequestLoopOptions) {
    this.#machine = options.machine;
    this.#http = options.http;
    this.#barrier = options.barrier;
    this.#log = options.log;
    this.#maxPasses = options.maxPasses ?? 10;
  }

  /** Runs a pass now, or one more pass after the running one. */
  kick(): void {
    if (this.#abort.signal.aborted) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = this.#run().finally(() => {
      this.#running = undefined;
    });
  }

  /** Resolves when no pass is running or asked for (tests, shutdown). */
  async whenIdle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  /** Aborts the request in flight and ends the loop; later kicks do nothing. */
  async stop(): Promise<void> {
    this.#abort.abort(new DOMException('crypto requests stopped', 'AbortError'));
    await this.whenIdle();
  }

  async #run(): Promise<void> {
    let passes = 0;
    do {
      this.#again = false;
      let progressed: boolean;
      try {
        progressed = await this.#pass();
      } catch (error) {
        // Only outgoingRequests() or the barrier get here; a failed barrier means the store has stopped.
        this.#log('error', `crypto requests: pass failed (${describeFailure(error)})`);
        return;
      }
      passes++;
      // The machine often has follow-ups once a response is in (more keys, a claim after a
      // query): look again while something was sent, up to a bound.
      if (progressed && passes < this.#maxPasses) this.#again = true;
    } while (this.#again && !this.#abort.signal.aborted);
  }

  /** One look at the machine's requests; true when at least one was answered. */
  async #pass(): Promise<boolean> {
    const requests = await this.#machine.outgoingRequests();
    let progressed = false;
    for (const request of requests) {
      if (this.#abort.signal.aborted) break;
      if (await this.#send(request)) progressed = true;
    }
    return progressed;
  }

  async #send(request: OutgoingRequestLike): Promise<boolean> {
    let call: HttpCall;
    try {
      call = httpCallFor(request);
    } catch (error) {
      this.#log(
        'error',
        `crypto requests: cannot send a request of type ${String(request.type)} (${describeFailure(error)})`,
      );
      return false;
    }
    // Outside the try: a failed barrier means the store has stopped, and so does this loop.
    this.#barrier();
    let response: unknown;
    try {
      response = await this.#http.request(call.method, call.path, {
        schema: responseSchema,
        body: call.body,
        ...(call.query ? { query: call.query } : {}),
        retries: RETRIES_PER_REQUEST,
        signal: this.#abort.signal,
      });
    } catch (error) {
      if (this.#abort.signal.aborted) return false;
      // Left with the machine: it offers the request again on the next pass (the next kick).
      this.#log('warn', `crypto requests: ${call.label} failed (${describeFailure(error)})`);
      return false;
    }
    // A SignatureUpload made outside a verification has no id and nothing to mark.
    if (request.id === undefined) return true;
    try {
      await this.#machine.markRequestAsSent(request.id, request.type, JSON.stringify(response));
      return true;
    } catch (error) {
      this.#log(
        'warn',
        `crypto requests: the response to ${call.label} was refused (${describeFailure(error)})`,
      );
      return false;
    }
  }
}
