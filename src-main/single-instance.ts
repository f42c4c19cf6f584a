// One Tessera per user: a second start hands over to the first (which comes to the front)
// and quits itself.
import type { App } from 'electron';

/** Returns false when another instance holds the lock; this instance then quits. */
export function claimSingleInstance(
  app: Pick<App, 'requestSingleInstanceLock' | 'quit' | 'on'>,
  onSecondInstance: () => void,
): boolean {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return false;
  }
  app.on('second-instance', () => onSecondInstance());
  return true;
}
