// rooms.resolveAlias against a scripted homeserver: the directory's answer (servers checked),
// an unknown alias as room_not_found, a bad answer as invalid_response, and offline, a room we
// are in whose stored canonical alias names it.
import { afterEach, describe, expect, it } from 'vitest';
import { MatrixHttp } from '../../../src-main/engine/http/matrix-http.ts';
import { resolveRoomAlias } from '../../../src-main/engine/rooms/room-alias-resolution.ts';
import { makeProfile, room } from '../store/store-fixture.ts';

type Answer = { status: number; body: string } | 'offline';

const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const step of cleanup.splice(0).reverse()) step();
});

function setup(answer: Answer) {
  const profile = makeProfile();
  const db = profile.open();
  cleanup.push(() => profile.cleanup());
  cleanup.push(() => db.close());
  const paths: string[] = [];
  const fetchFake: typeof fetch = (input) => {
    paths.push(new URL(input instanceof Request ? input.url : String(input)).pathname);
    if (answer === 'offline')
      return Promise.reject(new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } }));
    return Promise.resolve(
      new Response(answer.body, { status: answer.status, headers: { 'content-type': 'application/json' } }),
    );
  };
  const http = new MatrixHttp({
    baseUrl: new URL('http://127.0.0.1:1'),
    accessToken: 'token',
    fetch: fetchFake,
    backoffBaseMs: 1,
  });
  const context = { http, rooms: db.rooms, roomState: db.roomState };
  return { db, paths, resolve: (alias: string) => resolveRoomAlias(context, alias) };
}

describe('resolveRoomAlias', () => {
  it('answers the room id and the servers to join through, dropping servers that are not server names', async () => {
    const { paths, resolve } = setup({
      status: 200,
      body: JSON.stringify({
        room_id: '!plans:x',
        servers: ['x', 'y.example:8448', 'x', 'evil/../path', 42, '[::1]:8448'],
      }),
    });
    await expect(resolve('#plans:x')).resolves.toEqual({
      roomId: '!plans:x',
      servers: ['x', 'y.example:8448', '[::1]:8448'],
    });
    expect(paths).toEqual(['/_matrix/client/v3/directory/room/%23plans%3Ax']);
  });

  it('says which address has no room when the directory does not know it', async () => {
    const { resolve } = setup({
      status: 404,
      body: JSON.stringify({ errcode: 'M_NOT_FOUND', error: 'Room alias not found' }),
    });
    await expect(resolve('#nowhere:x')).rejects.toMatchObject({
      code: 'room_not_found',
      message: 'No room has the address #nowhere:x',
    });
  });

  it('refuses an answer that is not JSON, or has no room id, as invalid_response', async () => {
    const notJson = setup({ status: 200, body: '<html>surprise</html>' });
    await expect(notJson.resolve('#plans:x')).rejects.toMatchObject({ code: 'invalid_response' });
    const wrongShape = setup({ status: 200, body: JSON.stringify({ room_id: 'plans', servers: 'x' }) });
    await expect(wrongShape.resolve('#plans:x')).rejects.toMatchObject({ code: 'invalid_response' });
  });

  it('offline, finds a room we are in by its stored canonical alias or alternative aliases', async () => {
    const { db, resolve } = setup('offline');
    db.rooms.upsertMany([
      room('!main:x', { canonicalAlias: '#main:x' }),
      room('!alt:x'),
      room('!gone:x', { membership: 'leave', canonicalAlias: '#gone:x' }),
    ]);
    db.roomState.putMany('!alt:x', [
      {
        type: 'm.room.canonical_alias',
        stateKey: '',
        eventId: '$alias',
        sender: '@bob:x',
        content: { alias: '#alt:x', alt_aliases: ['#other-name:x'] },
      },
    ]);
    await expect(resolve('#main:x')).resolves.toEqual({ roomId: '!main:x', servers: [] });
    await expect(resolve('#other-name:x')).resolves.toEqual({ roomId: '!alt:x', servers: [] });
    // A room we left is not ours to open; the network failure stands.
    await expect(resolve('#gone:x')).rejects.toMatchObject({ code: 'unreachable' });
  });
});
