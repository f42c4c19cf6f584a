// The hardened shell as main assembles it, against the fake electron: the options of every
// window it creates, links opened outside, devtools, media through tessera-media://,
// certificate errors and pins, and permissions.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FakeEvent } from './fake-electron.ts';
import { appRoot, RecordingEngine, startShell } from './shell-harness.ts';
import { pngBytes } from '../unit/media/media-samples.ts';
import { leafPem, otherPem } from './certificate-fixtures.ts';

/** Opens a second window the way Electron can (macOS dock activation after closing the first). */
async function withTwoWindows(options: Parameters<typeof startShell>[0] = {}) {
  const shell = await startShell(options);
  shell.electron.BrowserWindow.instances[0]?.close();
  shell.electron.app.emit('activate');
  return shell;
}

describe('every window', () => {
  const required = {
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    // Decided: off, because Chromium's spellchecker downloads its dictionaries from Google.
    spellcheck: false,
  };

  it.each([
    ['an unpackaged build', { isPackaged: false }],
    ['a packaged build', { isPackaged: true }],
    ['a packaged build whose policy allows devtools', { isPackaged: true, policy: { allowDevTools: true } }],
  ])('has the hardened webPreferences in %s', async (_name, options) => {
    const { electron } = await withTwoWindows(options);
    expect(electron.BrowserWindow.instances).toHaveLength(2);
    for (const window of electron.BrowserWindow.instances) {
      const preferences = window.options.webPreferences ?? {};
      expect(preferences).toMatchObject(required);
      expect(preferences).not.toHaveProperty('enableBlinkFeatures');
      expect(preferences).not.toHaveProperty('additionalArguments');
      const preload = String(preferences['preload']);
      expect(path.isAbsolute(preload)).toBe(true);
      expect(path.relative(appRoot, preload).startsWith('..')).toBe(false);
      expect(window.loadedUrl).toBe('app://tessera/index.html');
    }
  });

  it('has devtools off in a packaged build', async () => {
    const { electron } = await withTwoWindows({ isPackaged: true });
    for (const window of electron.BrowserWindow.instances) {
      expect(window.options.webPreferences?.['devTools']).toBe(false);
      window.webContents.openDevTools();
      expect(window.webContents.devToolsOpen).toBe(false);
    }
  });

  it('has devtools in a packaged build only when the policy allows them', async () => {
    const { electron } = await startShell({ isPackaged: true, policy: { allowDevTools: true } });
    const window = electron.BrowserWindow.instances[0]!;
    expect(window.options.webPreferences?.['devTools']).toBe(true);
    window.webContents.openDevTools();
    expect(window.webContents.devToolsOpen).toBe(true);
  });

  it('has devtools off in a packaged build whose policy says no', async () => {
    const { electron } = await startShell({ isPackaged: true, policy: { allowDevTools: false } });
    const window = electron.BrowserWindow.instances[0]!;
    expect(window.options.webPreferences?.['devTools']).toBe(false);
    window.webContents.openDevTools();
    expect(window.webContents.devToolsOpen).toBe(false);
  });
});

describe('links from the renderer', () => {
  it('open an https link outside Tessera, never in a window', async () => {
    const { electron } = await startShell();
    const contents = electron.BrowserWindow.instances[0]!.webContents;
    expect(contents.windowOpenHandler?.({ url: 'https://example.org/page' })).toEqual({ action: 'deny' });
    expect(electron.openedExternally).toEqual(['https://example.org/page']);
    expect(electron.BrowserWindow.instances).toHaveLength(1);
  });

  it.each([
    'javascript:alert(1)',
    'file:///etc/passwd',
    'data:text/html,<b>x</b>',
    'tessera-evil:x?token=1',
    '%%%',
  ])('refuse %s and log it without the URL', async (url) => {
    const { electron, logs } = await startShell();
    const contents = electron.BrowserWindow.instances[0]!.webContents;
    expect(contents.windowOpenHandler?.({ url })).toEqual({ action: 'deny' });
    expect(electron.openedExternally).toEqual([]);
    expect(logs.filter((line) => line.includes('refused to open'))).toHaveLength(1);
    expect(logs.join('\n')).not.toContain(url);
  });

  it('cannot navigate the window to an external URL', async () => {
    const { electron } = await startShell();
    const contents = electron.BrowserWindow.instances[0]!.webContents;
    expect(contents.navigate('will-navigate', 'https://evil.example/')).toBe(false);
    expect(electron.openedExternally).toEqual([]);
  });
});

describe('media', () => {
  it('is served through the engine over tessera-media://', async () => {
    const engine = new RecordingEngine();
    engine.mediaResult = { ok: true, contentType: 'image/png', bytes: pngBytes };
    const { electron } = await startShell({ engine });
    const handle = electron.protocolHandlers.get('tessera-media')!;
    const response = await handle(new Request('tessera-media://media/example.org/abc'));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/png');
    expect(engine.mediaRequests).toEqual([{ kind: 'content', serverName: 'example.org', mediaId: 'abc' }]);
  });

  it('answers 404 for a path outside the scheme’s space without asking the engine', async () => {
    const engine = new RecordingEngine();
    const { electron } = await startShell({ engine });
    const handle = electron.protocolHandlers.get('tessera-media')!;
    expect(
      (await handle(new Request('tessera-media://media/example.org/..%2F..%2Fetc%2Fpasswd'))).status,
    ).toBe(404);
    expect(engine.mediaRequests).toEqual([]);
  });

  it('answers 502 when the engine cannot serve media', async () => {
    const engine = { dispatch: new RecordingEngine().dispatch, stop: () => Promise.resolve() };
    const { electron } = await startShell({ engine });
    const handle = electron.protocolHandlers.get('tessera-media')!;
    expect((await handle(new Request('tessera-media://media/example.org/abc'))).status).toBe(502);
  });
});

describe('certificates', () => {
  it('errors are refused by the app, never overridden', async () => {
    const { electron } = await startShell();
    const event = new FakeEvent();
    const answers: boolean[] = [];
    electron.app.emit(
      'certificate-error',
      event,
      {},
      'https://matrix.example.org/',
      'net::ERR_CERT_DATE_INVALID',
      {},
      (ok: boolean) => answers.push(ok),
    );
    expect(event.defaultPrevented).toBe(false);
    expect(answers).toEqual([false]);
  });

  it('are left to Chromium when the policy sets no pins', async () => {
    const { electron } = await startShell();
    expect(electron.session.defaultSession.certificateVerifyProc).toBeNull();
    expect(electron.session.partitions.size).toBe(0);
  });

  it('of the updater’s own session get the same pins', async () => {
    const { electron } = await startShell({
      policy: {
        certificatePins: { 'updates.example.org': ['sha256/U9fX2q5cjfatFnWzKGNs0OqWN5PZYoVLdRr6GIphLEg='] },
      },
    });
    const verify = electron.session.partitions.get('electron-updater')?.certificateVerifyProc;
    const answers: number[] = [];
    verify?.(
      {
        hostname: 'updates.example.org',
        errorCode: 0,
        validatedCertificate: { data: otherPem },
        certificate: {},
      },
      (result) => answers.push(result),
    );
    expect(answers).toEqual([-2]);
  });

  it('of a pinned host fail on a pin mismatch', async () => {
    const { electron, logs } = await startShell({
      policy: {
        certificatePins: { 'matrix.example.org': ['sha256/U9fX2q5cjfatFnWzKGNs0OqWN5PZYoVLdRr6GIphLEg='] },
      },
    });
    const verify = electron.session.defaultSession.certificateVerifyProc!;
    const answers: number[] = [];
    verify(
      {
        hostname: 'matrix.example.org',
        errorCode: 0,
        validatedCertificate: { data: otherPem },
        certificate: {},
      },
      (r) => answers.push(r),
    );
    verify(
      {
        hostname: 'matrix.example.org',
        errorCode: 0,
        validatedCertificate: { data: leafPem },
        certificate: {},
      },
      (r) => answers.push(r),
    );
    verify(
      {
        hostname: 'other.example.org',
        errorCode: 0,
        validatedCertificate: { data: otherPem },
        certificate: {},
      },
      (r) => answers.push(r),
    );
    expect(answers).toEqual([-2, -3, -3]);
    expect(logs).toContain('warn refused matrix.example.org: its certificate does not carry a pinned key');
  });
});

describe('permissions', () => {
  it('are denied to the app except notifications', async () => {
    const { electron } = await startShell();
    const session = electron.session.defaultSession;
    expect(await session.requestPermission('geolocation')).toBe(false);
    expect(await session.requestPermission('media')).toBe(false);
    expect(await session.requestPermission('notifications')).toBe(true);
  });

  it('deny notifications to another origin', async () => {
    const { electron } = await startShell();
    expect(
      await electron.session.defaultSession.requestPermission('notifications', 'https://evil.example/'),
    ).toBe(false);
  });
});
