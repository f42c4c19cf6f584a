// Typing notices: who is typing in each room (from m.typing, us left out), and ours to the server
// when the setting allows it. While the person keeps typing, "typing" is repeated at most once
// per TYPING_REPEAT_MS per room; the server forgets it after TYPING_TIMEOUT_MS.
import { z } from 'zod';
import type { TypingChange } from '../../../src-preload/contract.ts';
import type { MatrixHttp } from '../http/matrix-http.ts';
import type { EngineLogLevel } from '../protocol.ts';

export const TYPING_TIMEOUT_MS = 30_000;
export const TYPING_REPEAT_MS = 20_000;

const anyObject = z.looseObject({});

export interface TypingNoticesOptions {
  http: Pick<MatrixHttp, 'request'>;
  userId: string;
  /** The sendTypingNotices setting, read at each call. */
  sendEnabled(): boolean;
  onChange(change: TypingChange): void;
  log(level: EngineLogLevel, message: string): void;
  now?: () => number;
}

export class TypingNotices {
  readonly #options: TypingNoticesOptions;
  readonly #now: () => number;
  /** Who types in each room, as last shown. */
  readonly #typing = new Map<string, string[]>();
  /** When we last told the server we type, per room (absent: we are not typing). */
  readonly #sentAt = new Map<string, number>();

  constructor(options: TypingNoticesOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** The server's full list of typers for a room; emits when it changed. */
  receive(roomId: string, userIds: readonly string[]): void {
    const others = [...new Set(userIds)].filter((userId) => userId !== this.#options.userId).sort();
    const before = this.#typing.get(roomId) ?? [];
    if (before.length === others.length && before.every((userId, index) => userId === others[index])) return;
    if (others.length === 0) this.#typing.delete(roomId);
    else this.#typing.set(roomId, others);
    this.#options.onChange({ roomId, userIds: others });
  }

  typingIn(roomId: string): string[] {
    return [...(this.#typing.get(roomId) ?? [])];
  }

  /** The person types (or stopped); nothing is sent while the setting is off. */
  async set(roomId: string, typing: boolean): Promise<void> {
    if (!this.#options.sendEnabled()) {
      this.#sentAt.delete(roomId);
      return;
    }
    const sentAt = this.#sentAt.get(roomId);
    if (typing) {
      if (sentAt !== undefined && this.#now() - sentAt < TYPING_REPEAT_MS) return;
      this.#sentAt.set(roomId, this.#now());
    } else {
      // Nothing to take back if the server was never told.
      if (sentAt === undefined) return;
      this.#sentAt.delete(roomId);
    }
    try {
      await this.#options.http.request(
        'PUT',
        `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/typing/${encodeURIComponent(this.#options.userId)}`,
        {
          schema: anyObject,
          body: typing ? { typing: true, timeout: TYPING_TIMEOUT_MS } : { typing: false },
          retries: 1,
        },
      );
    } catch (error) {
      // Best effort: a lost notice is not worth an error in the composer. A failed "typing" is
      // tried again at the next keystroke rather than after the repeat interval.
      if (typing) this.#sentAt.delete(roomId);
      this.#options.log(
        'warn',
        `typing: the notice was not delivered (${error instanceof Error ? error.name : typeof error})`,
      );
    }
  }
}
