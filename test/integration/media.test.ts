// Media through the engine against the real Synapse: another user uploads an image and Tessera
// fetches it back over authenticated media (content and thumbnail); an encrypted attachment sent
// in an event is found by its event, downloaded and decrypted with the event's keys; a tampered
// one, an SVG and a missing media id give no bytes.
import { afterEach, describe, expect, inject, it } from 'vitest';
import type { MediaRequest } from '../../src-main/engine/media/media-request.ts';
import { parseMediaUrl } from '../../src-main/media-protocol.ts';
import type { TimelinePage } from '../../src-preload/contract.ts';
import { MatrixPeer } from '../homeserver/matrix-peer.ts';
import { registerUser, type RegisteredUser } from '../homeserver/synapse.ts';
import { encryptAttachment, pngBytes, svgBytes } from '../unit/media/media-samples.ts';
import { startEngine } from './engine-harness.ts';
import { until } from '../support/until.ts';

const homeserver = inject('homeserver');
const cleanup: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** Uploads bytes as `user` (the peer) and returns its mxc address. */
async function upload(user: RegisteredUser, bytes: Uint8Array, contentType: string) {
  const response = await fetch(`${homeserver.baseUrl}/_matrix/media/v3/upload`, {
    method: 'POST',
    headers: { authorization: `Bearer ${user.accessToken}`, 'content-type': contentType },
    body: bytes,
  });
  if (!response.ok) throw new Error(`upload failed: HTTP ${response.status}`);
  const { content_uri: uri } = (await response.json()) as { content_uri: string };
  const [serverName = '', mediaId = ''] = uri.slice('mxc://'.length).split('/');
  return { uri, serverName, mediaId };
}

async function sendEvent(user: RegisteredUser, roomId: string, content: Record<string, unknown>) {
  const txn = `m${Date.now()}${Math.random().toString(36).slice(2)}`;
  const response = await fetch(
    `${homeserver.baseUrl}/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/send/m.room.message/${txn}`,
    {
      method: 'PUT',
      headers: { authorization: `Bearer ${user.accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(content),
    },
  );
  if (!response.ok) throw new Error(`send failed: HTTP ${response.status}`);
  return ((await response.json()) as { event_id: string }).event_id;
}

async function signedInWithPeer() {
  const alice = await registerUser(homeserver);
  const bob = await registerUser(homeserver);
  const tessera = startEngine({ forceSyncV3: true });
  cleanup.push(() => tessera.dispose());
  const login = await tessera.invoke('session.login', {
    homeserver: homeserver.baseUrl,
    user: alice.localpart,
    password: alice.password,
  });
  if (!login.ok) throw new Error(`sign-in failed: ${login.error.code}`);
  return { tessera, alice, bob };
}

describe('media through the engine', () => {
  it('fetches another user’s upload back over authenticated media, and its thumbnail', async () => {
    const { tessera, bob } = await signedInWithPeer();
    const { serverName, mediaId } = await upload(bob, pngBytes, 'image/png');

    const full = await tessera.engine.fetchMedia({ kind: 'content', serverName, mediaId });
    expect(full).toEqual({ ok: true, contentType: 'image/png', bytes: pngBytes });

    const thumbnail = await tessera.engine.fetchMedia({
      kind: 'content',
      serverName,
      mediaId,
      thumbnail: { width: 32, height: 32, method: 'scale' },
    });
    expect(thumbnail.ok).toBe(true);
    if (thumbnail.ok) expect(['image/png', 'image/jpeg', 'image/webp']).toContain(thumbnail.contentType);
  });

  it('gives no bytes for a missing media id or an SVG', async () => {
    const { tessera, bob } = await signedInWithPeer();
    const missing: MediaRequest = {
      kind: 'content',
      serverName: homeserver.serverName,
      mediaId: 'NoSuchMediaHere',
    };
    expect(await tessera.engine.fetchMedia(missing)).toEqual({
      ok: false,
      reason: 'not_found',
    });
    const svg = await upload(bob, svgBytes, 'image/png');
    expect(
      await tessera.engine.fetchMedia({ kind: 'content', serverName: svg.serverName, mediaId: svg.mediaId }),
    ).toEqual({
      ok: false,
      reason: 'unsupported_type',
    });
  });

  it('decrypts an encrypted attachment found by its event, and refuses a tampered one', async () => {
    const { tessera, alice, bob } = await signedInWithPeer();
    const peer = new MatrixPeer({ baseUrl: homeserver.baseUrl, ...bob });
    const roomId = await peer.createRoom({ name: 'Media', invite: [alice.userId] });
    await new MatrixPeer({ baseUrl: homeserver.baseUrl, ...alice }).join(roomId);

    const sealed = encryptAttachment(pngBytes);
    const stored = await upload(bob, sealed.ciphertext, 'application/octet-stream');
    const file = { ...sealed.file, url: stored.uri };
    const goodId = await sendEvent(bob, roomId, { msgtype: 'm.image', body: 'cat.png', file });

    const tampered = encryptAttachment(pngBytes);
    tampered.ciphertext[0] = (tampered.ciphertext[0] ?? 0) ^ 1;
    const storedTampered = await upload(bob, tampered.ciphertext, 'application/octet-stream');
    const badId = await sendEvent(bob, roomId, {
      msgtype: 'm.image',
      body: 'cat.png',
      file: { ...tampered.file, url: storedTampered.uri },
    });

    await until('both events stored', () => {
      const db = tessera.engine.session?.db;
      return db?.timeline.get(roomId, goodId) && db.timeline.get(roomId, badId) ? true : undefined;
    });

    expect(
      await tessera.engine.fetchMedia({ kind: 'event', roomId, eventId: goodId, variant: 'full' }),
    ).toEqual({
      ok: true,
      contentType: 'image/png',
      bytes: pngBytes,
    });
    expect(
      await tessera.engine.fetchMedia({ kind: 'event', roomId, eventId: badId, variant: 'full' }),
    ).toEqual({
      ok: false,
      reason: 'integrity',
    });
    expect(tessera.logs.map((line) => line.message).join('\n')).not.toContain(sealed.file.key.k);
  });

  it('shows an image message as a media-scheme URL that main resolves to the decrypted bytes', async () => {
    const { tessera, alice, bob } = await signedInWithPeer();
    const peer = new MatrixPeer({ baseUrl: homeserver.baseUrl, ...bob });
    const roomId = await peer.createRoom({ name: 'Pictures', invite: [alice.userId] });
    await new MatrixPeer({ baseUrl: homeserver.baseUrl, ...alice }).join(roomId);
    const sealed = encryptAttachment(pngBytes);
    const stored = await upload(bob, sealed.ciphertext, 'application/octet-stream');
    const eventId = await sendEvent(bob, roomId, {
      msgtype: 'm.image',
      body: 'cat.png',
      file: { ...sealed.file, url: stored.uri },
      info: { w: 640, h: 480, mimetype: 'image/png' },
    });
    await until(
      'the image stored',
      () => tessera.engine.session?.db.timeline.get(roomId, eventId) ?? undefined,
    );

    const opened = await tessera.invoke('timeline.open', { roomId, limit: 20 });
    if (!opened.ok) throw new Error(`timeline.open failed: ${opened.error.code}`);
    const item = (opened.value as TimelinePage).items.find((entry) => entry.eventId === eventId);
    if (item?.content.kind !== 'message' || !item.content.image) throw new Error('expected an image item');
    const image = item.content.image;
    expect(image).toMatchObject({ width: 640, height: 480, thumbnailUrl: null });
    // Nothing of the attachment's keys or server address reaches the renderer.
    expect(JSON.stringify(item)).not.toContain(sealed.file.key.k);
    expect(JSON.stringify(item)).not.toContain('mxc://');

    const request = parseMediaUrl(image.url);
    expect(request).toEqual({ kind: 'event', roomId, eventId, variant: 'full' });
    expect(await tessera.engine.fetchMedia(request!)).toEqual({
      ok: true,
      contentType: 'image/png',
      bytes: pngBytes,
    });
  });
});
