// The security handlers: no navigation away from the app, window.open and target=_blank only
// outside and only for safe schemes, no webviews, devtools closed unless allowed, no permission
// but notifications for the app itself, no network from the renderer, certificate errors refused.
import type { App, Session, WebContents } from 'electron';
import { describe, expect, it } from 'vitest';
import {
  applyNavigationPolicy,
  applySessionPolicy,
  isBlockedRequest,
  refuseCertificateErrors,
} from '../../src-main/security.ts';
import { FakeEvent, FakeSession, FakeWebContents } from './fake-electron.ts';
import { EventEmitter } from 'node:events';

function policedContents(devtools = false) {
  const contents = new FakeWebContents();
  const opened: string[] = [];
  const logs: string[] = [];
  const matrixLinks: string[] = [];
  applyNavigationPolicy(contents as unknown as WebContents, {
    openMatrixLink: (uri) => matrixLinks.push(uri),
    shell: {
      openExternal: (url: string) => {
        opened.push(url);
        return Promise.resolve();
      },
    },
    log: (level, line) => logs.push(`${level} ${line}`),
    devtools,
  });
  return { contents, opened, logs, matrixLinks };
}

function policedSession(): FakeSession {
  const session = new FakeSession();
  applySessionPolicy(session as unknown as Session);
  return session;
}

describe('navigation policy', () => {
  it('allows navigation within app://tessera', () => {
    const { contents } = policedContents();
    expect(contents.navigate('will-navigate', 'app://tessera/index.html')).toBe(true);
    expect(contents.navigate('will-navigate', 'app://tessera/index.html#rooms')).toBe(true);
  });

  it.each([
    'https://evil.example/',
    'http://127.0.0.1:8008/',
    'file:///etc/passwd',
    'app://evil/index.html',
    'app://tessera.evil/',
    'tessera-media://media/example.org/abc',
    'javascript:alert(1)',
    'data:text/html,<script>1</script>',
    'not a url',
  ])('refuses navigation to %s, and opens nothing', (url) => {
    const { contents, opened } = policedContents();
    expect(contents.navigate('will-navigate', url)).toBe(false);
    expect(contents.navigate('will-redirect', url)).toBe(false);
    expect(contents.navigate('will-frame-navigate', url)).toBe(false);
    expect(opened).toEqual([]);
  });

  it('refuses to attach a webview', () => {
    const { contents } = policedContents();
    const event = new FakeEvent();
    contents.emit('will-attach-webview', event, {}, {});
    expect(event.defaultPrevented).toBe(true);
  });
});

describe('window.open and target=_blank', () => {
  it.each(['https://example.org/page?q=1', 'http://example.org/', 'mailto:alice@example.org'])(
    'opens %s outside Tessera, never in a window',
    (url) => {
      const { contents, opened } = policedContents();
      expect(contents.windowOpenHandler?.({ url })).toEqual({ action: 'deny' });
      expect(opened).toEqual([new URL(url).href]);
    },
  );

  it('opens a matrix.to permalink in Tessera, not in the browser', () => {
    const { contents, opened, matrixLinks } = policedContents();
    const url = 'https://matrix.to/#/%23plans%3Aexample.org?via=example.org';
    expect(contents.windowOpenHandler?.({ url })).toEqual({ action: 'deny' });
    expect(opened).toEqual([]);
    expect(matrixLinks).toEqual(['matrix:r/plans%3Aexample.org?via=example.org']);
  });

  it('leaves a matrix.to page that is not a permalink to the browser', () => {
    const { contents, opened, matrixLinks } = policedContents();
    expect(contents.windowOpenHandler?.({ url: 'https://matrix.to/#/+group:example.org' })).toEqual({
      action: 'deny',
    });
    expect(matrixLinks).toEqual([]);
    expect(opened).toEqual(['https://matrix.to/#/+group:example.org']);
  });

  it('never opens the app itself in a second window', () => {
    const { contents, opened } = policedContents();
    expect(contents.windowOpenHandler?.({ url: 'app://tessera/index.html' })).toEqual({ action: 'deny' });
    expect(opened).toEqual([]);
  });

  it.each([
    ['javascript:', 'javascript:alert(document.cookie)'],
    ['file:', 'file:///etc/passwd?secret=1'],
    ['data:', 'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=='],
    ['an unknown scheme', 'ms-msdt:/id PCWDiagnostic?token=abc'],
    ['an unknown scheme', 'smb://attacker.example/share'],
    ['a malformed URL', 'https://'],
    ['a malformed URL', 'not a url?token=abc'],
  ])('refuses a link with %s and logs it without its query', (_kind, url) => {
    const { contents, opened, logs } = policedContents();
    expect(contents.windowOpenHandler?.({ url })).toEqual({ action: 'deny' });
    expect(opened).toEqual([]);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(/^warn refused to open /);
    expect(logs[0]).not.toContain('token');
    expect(logs[0]).not.toContain('secret');
    expect(logs[0]).not.toContain('passwd');
    expect(logs[0]).not.toContain('alert');
  });
});

describe('devtools', () => {
  it('are closed as soon as they open when not allowed', () => {
    const { contents } = policedContents(false);
    contents.openDevTools();
    expect(contents.devToolsOpen).toBe(false);
  });

  it('stay open when allowed', () => {
    const { contents } = policedContents(true);
    contents.openDevTools();
    expect(contents.devToolsOpen).toBe(true);
  });
});

describe('permissions', () => {
  it.each(['media', 'geolocation', 'clipboard-read', 'openExternal', 'fullscreen', 'midi', 'hid', 'unknown'])(
    'denies the %s permission, even to the app',
    async (permission) => {
      const session = policedSession();
      expect(await session.requestPermission(permission)).toBe(false);
      expect(session.permissionCheckHandler?.({}, permission, 'app://tessera', { isMainFrame: true })).toBe(
        false,
      );
    },
  );

  it('grants notifications to the app’s own top frame', async () => {
    const session = policedSession();
    expect(await session.requestPermission('notifications')).toBe(true);
    expect(
      session.permissionCheckHandler?.({}, 'notifications', 'app://tessera', {
        requestingUrl: 'app://tessera/index.html',
        isMainFrame: true,
      }),
    ).toBe(true);
  });

  it.each(['https://evil.example/', 'app://evil/', 'app://tessera.evil/', 'file:///tmp/x.html', 'null'])(
    'denies notifications to %s',
    async (origin) => {
      const session = policedSession();
      expect(await session.requestPermission('notifications', origin)).toBe(false);
      expect(session.permissionCheckHandler?.({}, 'notifications', origin, { isMainFrame: true })).toBe(
        false,
      );
    },
  );

  it('denies notifications to a sub-frame, even of the app', async () => {
    const session = policedSession();
    expect(await session.requestPermission('notifications', 'app://tessera/index.html', false)).toBe(false);
    expect(
      session.permissionCheckHandler?.({}, 'notifications', 'app://tessera', {
        requestingUrl: 'https://evil.example/',
        isMainFrame: false,
      }),
    ).toBe(false);
  });
});

describe('renderer requests', () => {
  it.each([
    'http://127.0.0.1:8008/_matrix/client/versions',
    'https://matrix.org/',
    'ws://127.0.0.1:1234/',
    'wss://example.org/socket',
    'file:///etc/passwd',
    'ftp://example.org/',
    'HTTPS://MATRIX.ORG/',
  ])('cancels the renderer request %s', (url) => {
    expect(policedSession().request(url)).toBe(false);
    expect(isBlockedRequest(url)).toBe(true);
  });

  it.each([
    'app://tessera/index.html',
    'app://tessera/assets/index.js',
    'tessera-media://media/example.org/abc',
    'devtools://devtools/bundled/x.html',
  ])('lets %s through', (url) => {
    expect(policedSession().request(url)).toBe(true);
  });
});

describe('certificate errors', () => {
  it('are never overridden: no preventDefault, and the callback says no', () => {
    const app = new EventEmitter();
    const logs: string[] = [];
    refuseCertificateErrors(app as unknown as App, (level, line) => logs.push(`${level} ${line}`));
    const event = new FakeEvent();
    const answers: boolean[] = [];
    app.emit(
      'certificate-error',
      event,
      {},
      'https://matrix.example.org/_matrix/client/versions?access_token=secret',
      'net::ERR_CERT_AUTHORITY_INVALID',
      {},
      (trusted: boolean) => answers.push(trusted),
      false,
    );
    expect(event.defaultPrevented).toBe(false);
    expect(answers).toEqual([false]);
    expect(logs).toEqual([
      'warn refused a certificate for matrix.example.org (net::ERR_CERT_AUTHORITY_INVALID)',
    ]);
  });
});
