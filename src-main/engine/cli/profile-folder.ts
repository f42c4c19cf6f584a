// The app's profile folder, as Electron's userData for the app name Tessera, so the CLI opens the
// same keychain entries and encrypted store as the app.
import path from 'node:path';

export function appProfileFolder(
  platform: NodeJS.Platform,
  env: Readonly<Record<string, string | undefined>>,
  home: string,
): string {
  switch (platform) {
    case 'darwin':
      return path.join(home, 'Library', 'Application Support', 'Tessera');
    case 'win32':
      return path.win32.join(env.APPDATA ?? path.win32.join(home, 'AppData', 'Roaming'), 'Tessera');
    default:
      return path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), 'Tessera');
  }
}
