// Where `matrix:` links wait for the window: macOS may hand one over (open-url) before `ready`,
// and a link on the first instance's command line arrives before the page has loaded. Only the
// latest link waits: a burst of clicks before the window shows asks the person once.
import type { OpenedLink } from '../src-preload/contract.ts';
import { parseMatrixUri, schemeOf } from './matrix-uri.ts';

export interface MatrixUriInboxOptions {
  /** Whether a loaded window can take a link now. */
  canDeliver: () => boolean;
  /** Sends the link to the window (and brings it to the front). */
  deliver: (link: OpenedLink) => void;
  /** A link waits and there is no window: open one if the app may. */
  onWaiting: () => void;
  log: (level: 'info' | 'warn' | 'error', line: string) => void;
}

export interface MatrixUriInbox {
  /** A URI from the operating system: parsed, then delivered or kept until the window loads. */
  receive(uri: string): void;
  /** The window has loaded: hand over what waits. */
  flush(): void;
}

export function createMatrixUriInbox(options: MatrixUriInboxOptions): MatrixUriInbox {
  let waiting: OpenedLink | null = null;

  const flush = () => {
    if (waiting === null || !options.canDeliver()) return;
    const link = waiting;
    waiting = null;
    options.deliver(link);
  };

  return {
    receive(uri) {
      const parsed = parseMatrixUri(uri);
      if (!parsed.ok) {
        // The scheme and the reason only: the link itself may name people and rooms.
        options.log('warn', `dropped an invalid ${schemeOf(uri)}: link (${parsed.reason})`);
        return;
      }
      waiting = parsed.link;
      if (options.canDeliver()) flush();
      else options.onWaiting();
    },
    flush,
  };
}
