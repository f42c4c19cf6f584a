// Single sign-on pages in main: the engine's browser.openRequested opens a checked URL in the
// system browser (https, or http to this computer only), never reaches the renderer, and the
// URL (it carries the loopback listener's secret state) is never logged.
import { describe, expect, it } from 'vitest';
import { checkSignInPageUrl } from '../../src-main/sso-browser.ts';
import { startShell } from './shell-harness.ts';

const page =
  'https://matrix.example.org/_matrix/client/v3/login/sso/redirect/oidc-corp?redirectUrl=http%3A%2F%2F127.0.0.1%3A41000%2Fsso%2Fsecret-state';

describe('sign-in pages from the engine', () => {
  it('opens a valid page in the system browser and never forwards it to the renderer', async () => {
    const { electron, emitFromEngine, logs } = await startShell();
    const window = electron.BrowserWindow.instances.at(-1);
    emitFromEngine('browser.openRequested', { url: page });
    expect(electron.openedExternally).toEqual([page]);
    const everything = JSON.stringify({ sent: window?.webContents.sent ?? [], logs });
    expect(everything).not.toContain('browser.openRequested');
    expect(everything).not.toContain('secret-state');
  });

  it('opens http only to this computer', async () => {
    const { electron, emitFromEngine } = await startShell();
    const local = 'http://127.0.0.1:8008/_matrix/client/v3/login/sso/redirect?redirectUrl=x';
    emitFromEngine('browser.openRequested', { url: local });
    emitFromEngine('browser.openRequested', {
      url: 'http://matrix.example.org/_matrix/client/v3/login/sso/redirect',
    });
    expect(electron.openedExternally).toEqual([local]);
  });

  it.each([
    ['plain http to another host', 'http://matrix.example.org/login', 'insecure'],
    ['javascript:', 'javascript:alert(1)', 'scheme'],
    ['file:', 'file:///etc/passwd', 'scheme'],
    ['mailto:', 'mailto:someone@example.org', 'scheme'],
    ['a custom scheme', 'tessera://sso?loginToken=x', 'scheme'],
    ['credentials in the URL', 'https://bank.example@evil.example/', 'credentials'],
    ['text that is not a URL', 'not a url', 'malformed'],
    ['a non-string', 42, 'malformed'],
  ])('refuses %s', async (_label, url, reason) => {
    expect(checkSignInPageUrl(url)).toEqual({ allowed: false, reason });
    const { electron, emitFromEngine, window, logs } = await startShellWithWindow();
    emitFromEngine('browser.openRequested', { url } as { url: string });
    expect(electron.openedExternally).toEqual([]);
    expect(JSON.stringify(window.webContents.sent)).not.toContain('browser.openRequested');
    expect(logs.join('\n')).toContain('refused to open a sign-in page');
  });

  it('allows https and loopback http', () => {
    expect(checkSignInPageUrl(page)).toEqual({ allowed: true, url: page });
    expect(checkSignInPageUrl('http://localhost:8008/x')).toMatchObject({ allowed: true });
    expect(checkSignInPageUrl('http://[::1]:8008/x')).toMatchObject({ allowed: true });
  });
});

async function startShellWithWindow() {
  const shell = await startShell();
  const window = shell.electron.BrowserWindow.instances.at(-1);
  if (!window) throw new Error('expected a window');
  return { ...shell, window };
}
