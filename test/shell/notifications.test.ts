// Desktop notifications in main: shown only while the window is unfocused, with the text only
// when the engine sent one, a click focuses the window and asks the app to open the room, and
// neither the renderer nor the log sees the notification's content.
import { describe, expect, it } from 'vitest';
import { ipcChannels, type NotificationShow } from '../../src-preload/contract.ts';
import { startShell } from './shell-harness.ts';

const secret = 'the launch code is 0000';

function message(overrides: Partial<NotificationShow> = {}): NotificationShow {
  return {
    roomId: '!dm:example.org',
    eventId: '$new',
    roomName: 'Bob',
    senderName: 'Bob',
    preview: secret,
    ...overrides,
  };
}

async function unfocusedShell() {
  const shell = await startShell();
  const window = shell.electron.BrowserWindow.instances.at(-1);
  if (!window) throw new Error('expected a window');
  window.hasFocus = false;
  return { ...shell, window };
}

describe('desktop notifications', () => {
  it('shows a new message while the window is not focused, with its text', async () => {
    const { electron, emitFromEngine } = await unfocusedShell();
    emitFromEngine('notification.show', message());
    const [shown] = electron.Notification.instances;
    expect(electron.Notification.instances).toHaveLength(1);
    expect(shown?.shown).toBe(true);
    expect(shown?.options).toEqual({ title: 'Bob', body: `Bob: ${secret}`, silent: false });
  });

  it('shows nothing while the person looks at the window', async () => {
    const { electron, emitFromEngine, window } = await unfocusedShell();
    window.hasFocus = true;
    emitFromEngine('notification.show', message());
    expect(electron.Notification.instances).toHaveLength(0);
  });

  it('shows nothing where the system has no notifications', async () => {
    const { electron, emitFromEngine } = await unfocusedShell();
    electron.Notification.supported = false;
    emitFromEngine('notification.show', message());
    expect(electron.Notification.instances).toHaveLength(0);
  });

  it('says only "New message" when the message has no text to show', async () => {
    const { electron, emitFromEngine } = await unfocusedShell();
    emitFromEngine('notification.show', message({ preview: null }));
    expect(electron.Notification.instances[0]?.options).toEqual({
      title: 'Bob',
      body: 'New message',
      silent: false,
    });
  });

  it('names neither the room nor the sender when previews are off', async () => {
    const { electron, emitFromEngine } = await unfocusedShell();
    emitFromEngine('notification.show', message({ roomName: null, senderName: null, preview: null }));
    expect(electron.Notification.instances[0]?.options).toEqual({
      title: 'Tessera',
      body: 'New message',
      silent: false,
    });
  });

  it('focuses the window and asks the app to open the room on click', async () => {
    const { electron, emitFromEngine, window } = await unfocusedShell();
    window.minimized = true;
    emitFromEngine('notification.show', message());
    electron.Notification.instances[0]?.click();
    expect(window.minimized).toBe(false);
    expect(window.visible).toBe(true);
    expect(window.focused).toBeGreaterThan(0);
    expect(window.webContents.sent).toContainEqual({
      channel: ipcChannels.event,
      args: ['room.focusRequested', { roomId: '!dm:example.org' }],
    });
  });

  it('never forwards the notification to the renderer nor logs its content', async () => {
    const { emitFromEngine, window, logs } = await unfocusedShell();
    emitFromEngine('notification.show', message({ roomName: 'Secret project', senderName: 'Mallory' }));
    window.hasFocus = true;
    emitFromEngine('notification.show', message({ roomName: 'Secret project', senderName: 'Mallory' }));
    const everything = JSON.stringify({ sent: window.webContents.sent, logs });
    expect(everything).not.toContain('notification.show');
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain('Secret project');
    expect(everything).not.toContain('Mallory');
  });

  it('still forwards the other engine events to the window', async () => {
    const { emitFromEngine, window } = await unfocusedShell();
    emitFromEngine('typing.changed', { roomId: '!dm:example.org', userIds: [] });
    expect(window.webContents.sent).toContainEqual({
      channel: ipcChannels.event,
      args: ['typing.changed', { roomId: '!dm:example.org', userIds: [] }],
    });
  });
});
