// isTrustedSender: only the Tessera window's own top frame, showing app://tessera, may call.
import type { WebFrameMain } from 'electron';
import { describe, expect, it } from 'vitest';
import { isTrustedSender } from '../../src-main/ipc-binding.ts';
import { fakeFrame } from './fake-electron.ts';

const asFrame = (frame: ReturnType<typeof fakeFrame>) => frame as unknown as WebFrameMain;

describe('isTrustedSender', () => {
  const top = fakeFrame('app://tessera/index.html');

  it('accepts the top frame of the app origin', () => {
    expect(isTrustedSender({ senderFrame: asFrame(top) }, asFrame(top))).toBe(true);
    const routed = fakeFrame('app://tessera/index.html#/rooms?x=1');
    expect(isTrustedSender({ senderFrame: asFrame(routed) }, asFrame(routed))).toBe(true);
  });

  it('refuses a missing sender frame or a missing window', () => {
    expect(isTrustedSender({ senderFrame: null }, asFrame(top))).toBe(false);
    expect(isTrustedSender({ senderFrame: asFrame(top) }, undefined)).toBe(false);
  });

  it('refuses a sub-frame, even of the app origin', () => {
    const sub = fakeFrame('app://tessera/index.html', top);
    expect(isTrustedSender({ senderFrame: asFrame(sub) }, asFrame(top))).toBe(false);
    // Even if it were somehow the registered main frame, a frame with a parent is not top.
    expect(isTrustedSender({ senderFrame: asFrame(sub) }, asFrame(sub))).toBe(false);
  });

  it('refuses a top frame of another window', () => {
    const other = fakeFrame('app://tessera/index.html');
    expect(isTrustedSender({ senderFrame: asFrame(other) }, asFrame(top))).toBe(false);
    const otherProcess = { ...top, processId: top.processId + 1 };
    expect(isTrustedSender({ senderFrame: asFrame(otherProcess) }, asFrame(top))).toBe(false);
  });

  it('recognises the main frame by its ids, not only by object identity', () => {
    const sameFrameOtherWrapper = { ...top };
    expect(isTrustedSender({ senderFrame: asFrame(sameFrameOtherWrapper) }, asFrame(top))).toBe(true);
  });

  it.each([
    'https://tessera/index.html',
    'http://127.0.0.1:5173/',
    'file:///index.html',
    'app://tessera.evil/index.html',
    'app://evil/index.html',
    'app://tessera:1/index.html',
    'about:blank',
    'data:text/html,x',
    '',
  ])('refuses the top frame showing %j', (url) => {
    const frame = fakeFrame(url);
    expect(isTrustedSender({ senderFrame: asFrame(frame) }, asFrame(frame))).toBe(false);
  });
});
