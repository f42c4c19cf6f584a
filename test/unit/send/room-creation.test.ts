import { describe, expect, it } from 'vitest';
import { MatrixApiError } from '../../../src-main/engine/http/matrix-api-error.ts';
import { createRoom, createRoomBody, withDirectRoom } from '../../../src-main/engine/send/room-creation.ts';

describe('createRoomBody', () => {
  it('turns encryption on in the initial state by default', () => {
    expect(createRoomBody({ name: 'Plans', invite: ['@b:x'], direct: false, encrypted: true })).toEqual({
      preset: 'private_chat',
      name: 'Plans',
      invite: ['@b:x'],
      is_direct: false,
      initial_state: [
        { type: 'm.room.encryption', state_key: '', content: { algorithm: 'm.megolm.v1.aes-sha2' } },
      ],
    });
  });

  it('leaves encryption off only when asked, and flags a direct chat', () => {
    expect(createRoomBody({ invite: ['@b:x'], direct: true, encrypted: false })).toEqual({
      preset: 'trusted_private_chat',
      invite: ['@b:x'],
      is_direct: true,
      initial_state: [],
    });
  });
});

describe('withDirectRoom', () => {
  it('adds the room under each invitee and keeps the other entries', () => {
    expect(
      withDirectRoom({ '@b:x': ['!old:x'], '@c:x': ['!c:x'], junk: 3 }, '!new:x', ['@b:x', '@d:x']),
    ).toEqual({
      '@b:x': ['!old:x', '!new:x'],
      '@c:x': ['!c:x'],
      '@d:x': ['!new:x'],
    });
  });
});

describe('createRoom', () => {
  it('records a direct chat in m.direct, starting from none', async () => {
    const calls: { method: string; path: string; body?: unknown }[] = [];
    const http = {
      request: async (method: string, path: string, options: { body?: unknown }) => {
        calls.push({ method, path, body: options.body });
        if (path.endsWith('/createRoom')) return { room_id: '!new:x' };
        if (method === 'GET') throw new MatrixApiError(404, 'M_NOT_FOUND', '');
        return {};
      },
    };
    expect(
      await createRoom(http as never, '@me:x', { invite: ['@b:x'], direct: true, encrypted: true }),
    ).toBe('!new:x');
    expect(calls.map((call) => `${call.method} ${call.path}`)).toEqual([
      'POST /_matrix/client/v3/createRoom',
      'GET /_matrix/client/v3/user/%40me%3Ax/account_data/m.direct',
      'PUT /_matrix/client/v3/user/%40me%3Ax/account_data/m.direct',
    ]);
    expect(calls[2]?.body).toEqual({ '@b:x': ['!new:x'] });
  });

  it('reports a refusal with a code, not the server’s text', async () => {
    const http = {
      request: async () => {
        throw new MatrixApiError(403, 'M_FORBIDDEN', 'secret server words');
      },
    };
    const failure = createRoom(http as never, '@me:x', { invite: [], direct: false, encrypted: true });
    await expect(failure).rejects.toMatchObject({ code: 'room_refused' });
    await expect(failure).rejects.not.toMatchObject({ message: expect.stringContaining('secret') });
  });
});
