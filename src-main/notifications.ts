// Desktop notifications for new messages. The engine decides which messages notify and whether
// their text may be shown ('notification.show'; preview null when the setting or the policy
// says no); this shows them while the window is not focused, and a click brings the window
// forward and asks the app to open the room. The event never reaches the renderer, and nothing
// here logs a room name, a sender or a preview.
import type * as Electron from 'electron';
import type { NotificationShow } from '../src-preload/contract.ts';

/** The body when the message text may not be shown. */
export const hiddenPreviewBody = 'New message';
/** The title when the room may not be named (previews off). */
export const hiddenRoomTitle = 'Tessera';

/** Notifications kept referenced until closed or clicked: Electron drops the click of a collected one. */
const SHOWN_LIMIT = 50;

export interface DesktopNotificationsOptions {
  Notification: Pick<typeof Electron.Notification, 'isSupported'> &
    (new (options: Electron.NotificationConstructorOptions) => Pick<Electron.Notification, 'show' | 'on'>);
  window(): Pick<Electron.BrowserWindow, 'isDestroyed' | 'isFocused'> | null;
  /** The person clicked the notification: focus the window and open the room. */
  onClick(roomId: string): void;
}

export type ShowNotification = (notification: NotificationShow) => void;

export function notificationTitle(notification: Pick<NotificationShow, 'roomName'>): string {
  return notification.roomName ?? hiddenRoomTitle;
}

export function notificationBody(notification: Pick<NotificationShow, 'senderName' | 'preview'>): string {
  if (notification.preview === null) return hiddenPreviewBody;
  return notification.senderName === null
    ? notification.preview
    : `${notification.senderName}: ${notification.preview}`;
}

export function createDesktopNotifications(options: DesktopNotificationsOptions): ShowNotification {
  const shown = new Set<Pick<Electron.Notification, 'show' | 'on'>>();
  return (notification) => {
    const window = options.window();
    // The person is looking at Tessera: the room list shows the new message already.
    if (window && !window.isDestroyed() && window.isFocused()) return;
    if (!options.Notification.isSupported()) return;
    const shownNotification = new options.Notification({
      title: notificationTitle(notification),
      body: notificationBody(notification),
      silent: false,
    });
    if (shown.size >= SHOWN_LIMIT) {
      const oldest = shown.values().next();
      if (!oldest.done) shown.delete(oldest.value);
    }
    shown.add(shownNotification);
    shownNotification.on('click', () => {
      shown.delete(shownNotification);
      options.onClick(notification.roomId);
    });
    shownNotification.on('close', () => shown.delete(shownNotification));
    shownNotification.show();
  };
}
