// Linux AppImage updates: downloaded only after the feed's facts about the AppImage verify with
// the Ed25519 update key built into Tessera; refused when the signature is missing, wrong, made
// with another key, for another version or file, or when the feed is ambiguous.
import { generateKeyPairSync } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { fetchSignatureText, SIGNATURE_LIMIT_BYTES } from '../../src-main/updates/signature-fetch.ts';
import {
  createUpdateService,
  signedAppImage,
  type AvailableUpdate,
  type Updater,
} from '../../src-main/updates/update-service.ts';
import {
  publicKeyText,
  signUpdate,
  updateSignatureMessage,
  verifyUpdateSignature,
} from '../../src-main/updates/update-signature.ts';

function keyPair(): { privatePem: string; publicText: string } {
  const { privateKey } = generateKeyPairSync('ed25519');
  const privatePem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  return { privatePem, publicText: publicKeyText(privatePem) };
}

const releaseKey = keyPair();
const otherKey = keyPair();
const FEED = 'https://updates.example.org/releases';
const SHA = 'q'.repeat(86) + '==';
const update: AvailableUpdate = {
  version: '0.3.0',
  files: [
    { url: 'Tessera-0.3.0-linux-x86_64.AppImage', sha512: SHA },
    { url: 'Tessera-0.3.0-linux-amd64.deb', sha512: 'd'.repeat(86) + '==' },
  ],
};
const signed = { version: '0.3.0', fileName: 'Tessera-0.3.0-linux-x86_64.AppImage', sha512: SHA };

class FakeUpdater extends EventEmitter implements Updater {
  autoDownload = true;
  autoInstallOnAppQuit = true;
  allowDowngrade = true;
  allowPrerelease = true;
  disableDifferentialDownload = false;
  downloads = 0;
  setFeedURL(): void {}
  checkForUpdates(): Promise<unknown> {
    return Promise.resolve(null);
  }
  downloadUpdate(): Promise<unknown> {
    this.downloads += 1;
    return Promise.resolve([]);
  }
  quitAndInstall(): void {}
}

function linuxService(signatures: Record<string, string>, keys = [releaseKey.publicText]) {
  const updater = new FakeUpdater();
  const logs: string[] = [];
  const fetched: string[] = [];
  const service = createUpdateService({
    updater,
    policy: {},
    platform: 'linux',
    isPackaged: true,
    canSelfUpdate: true,
    publisherNames: [],
    updateSigningKeys: keys,
    feedUrl: FEED,
    fetchSignature: (url) => {
      fetched.push(url);
      const text = signatures[url];
      return text === undefined ? Promise.reject(new Error('HTTP 404')) : Promise.resolve(text);
    },
    onUpdateReady: () => {},
    log: (level, line) => logs.push(`${level} ${line}`),
    setInterval: () => null,
    clearInterval: () => {},
  });
  return { updater, service, logs, fetched };
}

/** Lets the service's fetch-verify-download chain run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
const signatureUrl = `${FEED}/Tessera-0.3.0-linux-x86_64.AppImage.sig`;

describe('update signatures', () => {
  it('verify only the signed version, file and hash, with a built-in key', () => {
    const signature = signUpdate(signed, releaseKey.privatePem);
    expect(verifyUpdateSignature(signed, signature, [releaseKey.publicText])).toBe(true);
    expect(
      verifyUpdateSignature(signed, `${signature}\n`, [otherKey.publicText, releaseKey.publicText]),
    ).toBe(true);
    expect(verifyUpdateSignature({ ...signed, version: '0.3.1' }, signature, [releaseKey.publicText])).toBe(
      false,
    );
    expect(
      verifyUpdateSignature({ ...signed, fileName: 'Other.AppImage' }, signature, [releaseKey.publicText]),
    ).toBe(false);
    expect(
      verifyUpdateSignature({ ...signed, sha512: 'r'.repeat(86) + '==' }, signature, [releaseKey.publicText]),
    ).toBe(false);
    expect(verifyUpdateSignature(signed, signature, [otherKey.publicText])).toBe(false);
    expect(verifyUpdateSignature(signed, signature, [])).toBe(false);
  });

  it('refuse garbage signatures and keys without throwing', () => {
    const signature = signUpdate(signed, releaseKey.privatePem);
    for (const bad of [
      '',
      'not base64 at all',
      signature.slice(4),
      `${signature}${signature}`,
      '\u0000'.repeat(88),
    ]) {
      expect(verifyUpdateSignature(signed, bad, [releaseKey.publicText])).toBe(false);
    }
    expect(verifyUpdateSignature(signed, signature, ['bm90IGEga2V5', ''])).toBe(false);
    // An RSA key is not an update key, even when it parses.
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey;
    expect(
      verifyUpdateSignature(signed, signature, [
        rsa.export({ format: 'der', type: 'spki' }).toString('base64'),
      ]),
    ).toBe(false);
    expect(() => updateSignatureMessage({ ...signed, version: '0.3.0\n0.4.0' })).toThrow(/line break/);
    expect(verifyUpdateSignature({ ...signed, fileName: 'a\nb' }, signature, [releaseKey.publicText])).toBe(
      false,
    );
  });
});

describe('Linux AppImage updates', () => {
  it('stay off without a built-in key, and never download on their own', () => {
    const { service, updater } = linuxService({}, []);
    expect(service.start()).toEqual({ kind: 'disabled', reason: 'unsigned-build' });
    expect(updater.autoDownload).toBe(false);
  });

  it('stay off without an https feed to fetch signatures from', () => {
    const updater = new FakeUpdater();
    const service = createUpdateService({
      updater,
      policy: {},
      platform: 'linux',
      isPackaged: true,
      canSelfUpdate: true,
      publisherNames: [],
      updateSigningKeys: [releaseKey.publicText],
      feedUrl: null,
      fetchSignature: () => Promise.reject(new Error('unused')),
      onUpdateReady: () => {},
      log: () => {},
      setInterval: () => null,
      clearInterval: () => {},
    });
    expect(service.start()).toEqual({ kind: 'disabled', reason: 'no-update-feed' });
  });

  it('download a correctly signed update, whole (no block-wise download)', async () => {
    const { service, updater, fetched, logs } = linuxService({
      [signatureUrl]: signUpdate(signed, releaseKey.privatePem),
    });
    expect(service.start()).toEqual({ kind: 'checking' });
    expect(updater.autoDownload).toBe(false);
    expect(updater.disableDifferentialDownload).toBe(true);
    updater.emit('update-available', update);
    await settle();
    expect(fetched).toEqual([signatureUrl]);
    expect(updater.downloads).toBe(1);
    expect(logs).toContain('info update 0.3.0: signature verified, downloading');
    // The next scheduled check finds the same version: no second fetch or download.
    updater.emit('update-available', update);
    await settle();
    expect(updater.downloads).toBe(1);
  });

  it.each([
    ['no signature file', {}],
    ['a signature by another key', { [signatureUrl]: signUpdate(signed, otherKey.privatePem) }],
    [
      'a signature for another version',
      { [signatureUrl]: signUpdate({ ...signed, version: '0.2.9' }, releaseKey.privatePem) },
    ],
    ['a garbled signature', { [signatureUrl]: 'AAAA' }],
  ])('refuse an update with %s', async (_case, signatures: Record<string, string>) => {
    const { service, updater, logs } = linuxService(signatures);
    service.start();
    updater.emit('update-available', update);
    await settle();
    expect(updater.downloads).toBe(0);
    expect(logs.some((line) => line.startsWith('warn update 0.3.0 refused:'))).toBe(true);
  });

  it('refuse a feed with no AppImage, two of them, or one over http', () => {
    expect(signedAppImage({ version: '1', files: [{ url: 'a.deb', sha512: SHA }] }, FEED)).toEqual({
      refused: 'the feed lists 0 AppImage files',
    });
    expect(
      signedAppImage(
        {
          version: '1',
          files: [
            { url: 'a.AppImage', sha512: SHA },
            { url: 'b.appimage', sha512: SHA },
          ],
        },
        FEED,
      ),
    ).toEqual({ refused: 'the feed lists 2 AppImage files' });
    expect(
      signedAppImage(
        { version: '1', files: [{ url: 'http://mirror.example.org/a.AppImage', sha512: SHA }] },
        FEED,
      ),
    ).toEqual({ refused: 'the AppImage is not served over https' });
  });

  it('look for the signature next to the file, also for absolute and encoded URLs', () => {
    expect(
      signedAppImage(
        { version: '1', files: [{ url: 'https://cdn.example.org/t/Tessera%201.AppImage?x=1', sha512: SHA }] },
        FEED,
      ),
    ).toEqual({
      signatureUrl: 'https://cdn.example.org/t/Tessera%201.AppImage.sig',
      fileName: 'Tessera 1.AppImage',
      sha512: SHA,
    });
    expect(
      signedAppImage({ version: '1', files: [{ url: 'x.AppImage', sha512: SHA }] }, `${FEED}/`),
    ).toMatchObject({
      signatureUrl: `${FEED}/x.AppImage.sig`,
    });
  });
});

describe('fetching a signature', () => {
  const respond = (body: string | Uint8Array, status = 200) =>
    Promise.resolve(new Response(body, { status }));

  it('reads a small https answer, without following redirects', async () => {
    const inits: RequestInit[] = [];
    const text = await fetchSignatureText((_url, init) => {
      inits.push(init);
      return respond('c2ln\n');
    }, signatureUrl);
    expect(text).toBe('c2ln\n');
    expect(inits[0]?.redirect).toBe('error');
  });

  it('refuses http, an error status, an oversized or non-UTF-8 answer', async () => {
    await expect(fetchSignatureText(() => respond('x'), 'http://updates.example.org/a.sig')).rejects.toThrow(
      /https/,
    );
    await expect(fetchSignatureText(() => respond('x', 404), signatureUrl)).rejects.toThrow('HTTP 404');
    await expect(
      fetchSignatureText(() => respond('a'.repeat(SIGNATURE_LIMIT_BYTES + 1)), signatureUrl),
    ).rejects.toThrow(/too large/);
    await expect(
      fetchSignatureText(() => respond(new Uint8Array([0xff, 0xfe])), signatureUrl),
    ).rejects.toThrow();
  });
});
