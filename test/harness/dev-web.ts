// `npm run dev:web`: the real UI and engine in a local browser page, for UI work where the
// Electron binary is unavailable (DESIGN.md §7). Development tooling only; never packaged.
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startHarness } from './server.ts';

const rendererDir = fileURLToPath(new URL('../../dist/renderer', import.meta.url));

/** Kept apart from the app's own profile, so trying the UI never touches a real account. */
function devProfileDir(): string {
  if (process.env.TESSERA_PROFILE_DIR) return path.resolve(process.env.TESSERA_PROFILE_DIR);
  const dataHome = process.env.XDG_DATA_HOME || path.join(homedir(), '.local', 'share');
  return path.join(dataHome, 'tessera-dev');
}

const profileDir = devProfileDir();
mkdirSync(profileDir, { recursive: true, mode: 0o700 });

const harness = await startHarness({
  rendererDir,
  profileDir,
  onLog: (level, message) => {
    if (level !== 'debug') process.stderr.write(`[engine ${level}] ${message}\n`);
  },
  // Main would open the system browser; here the developer opens the single sign-on page.
  onBrowserOpen: (url) => process.stdout.write(`\n  Sign in: open ${url}\n`),
});

const homeserver = process.env.TESSERA_HOMESERVER;
process.stdout.write(
  [
    '',
    'Tessera UI (dev:web) is running.',
    '',
    `  Open: ${harness.url}`,
    '',
    `Account data: ${profileDir} (set TESSERA_PROFILE_DIR for another folder)`,
    'Each page URL works for one page load. Press Enter for a fresh one (after a reload).',
    homeserver
      ? `Homeserver from TESSERA_HOMESERVER: ${homeserver}`
      : 'Need a homeserver? Run `npm run homeserver` in another terminal and sign in with the user it prints.',
    'Stop with Ctrl-C.',
    '',
  ].join('\n'),
);

const input = createInterface({ input: process.stdin });
input.on('line', () => process.stdout.write(`  Open: ${harness.newPageUrl()}\n`));

let stopping = false;
async function shutdown(): Promise<void> {
  if (stopping) return;
  stopping = true;
  input.close();
  await harness.stop();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());
