// One Tessera per user: a second start hands over to the first (which comes to the front)
// and quits itself.
import type { App } from 'electron';

/**
 * Returns false when another instance holds the lock; this instance then quits. The first
 * instance gets the second's command line (on Windows and Linux a `matrix:` link arrives there).
 */
export function claimSingleInstance(
  app: Pick<App, 'requestSingleInstanceLock' | 'quit' | 'on'>,
  onSecondInstance: (argv: readonly unknown[]) => void,
): boolean {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return false;
  }
  app.on('second-instance', (_event, argv: unknown) => onSecondInstance(Array.isArray(argv) ? argv : []));
  return true;
}
