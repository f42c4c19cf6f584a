// The minimal security handlers: no navigation away from the app, no new windows, no
// permissions, and no network from the renderer's session.
import type { Session, WebContents } from 'electron';
import { describe, expect, it } from 'vitest';
import { applyNavigationPolicy, applySessionPolicy, isBlockedRequest } from '../../src-main/security.ts';
import { FakeEvent, FakeSession, FakeWebContents } from './fake-electron.ts';

function policedContents(): FakeWebContents {
  const contents = new FakeWebContents();
  applyNavigationPolicy(contents as unknown as WebContents);
  return contents;
}

function policedSession(): FakeSession {
  const session = new FakeSession();
  applySessionPolicy(session as unknown as Session);
  return session;
}

describe('navigation policy', () => {
  it('allows navigation within app://tessera', () => {
    const contents = policedContents();
    expect(contents.navigate('will-navigate', 'app://tessera/index.html')).toBe(true);
    expect(contents.navigate('will-navigate', 'app://tessera/index.html#rooms')).toBe(true);
  });

  it.each([
    'https://evil.example/',
    'http://127.0.0.1:8008/',
    'file:///etc/passwd',
    'app://evil/index.html',
    'app://tessera.evil/',
    'javascript:alert(1)',
    'data:text/html,<script>1</script>',
    'not a url',
  ])('refuses navigation to %s', (url) => {
    const contents = policedContents();
    expect(contents.navigate('will-navigate', url)).toBe(false);
    expect(contents.navigate('will-redirect', url)).toBe(false);
  });

  it('denies every window.open', () => {
    const contents = policedContents();
    expect(contents.windowOpenHandler?.({ url: 'https://example.org/' })).toEqual({ action: 'deny' });
    expect(contents.windowOpenHandler?.({ url: 'app://tessera/index.html' })).toEqual({ action: 'deny' });
  });

  it('refuses to attach a webview', () => {
    const contents = policedContents();
    const event = new FakeEvent();
    contents.emit('will-attach-webview', event, {}, {});
    expect(event.defaultPrevented).toBe(true);
  });
});

describe('session policy', () => {
  it.each(['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'fullscreen'])(
    'denies the %s permission',
    async (permission) => {
      const session = policedSession();
      expect(await session.requestPermission(permission)).toBe(false);
      expect(session.permissionCheckHandler?.({}, permission, 'app://tessera', {})).toBe(false);
    },
  );

  it.each([
    'http://127.0.0.1:8008/_matrix/client/versions',
    'https://matrix.org/',
    'ws://127.0.0.1:1234/',
    'wss://example.org/socket',
    'file:///etc/passwd',
    'HTTPS://MATRIX.ORG/',
  ])('cancels the renderer request %s', (url) => {
    expect(policedSession().request(url)).toBe(false);
    expect(isBlockedRequest(url)).toBe(true);
  });

  it.each([
    'app://tessera/index.html',
    'app://tessera/assets/index.js',
    'devtools://devtools/bundled/x.html',
  ])('lets %s through', (url) => {
    expect(policedSession().request(url)).toBe(true);
  });
});
