// The authoritative member list of a room, from the server: sync delivers members lazily, so the
// stored list may miss people who must receive the room key.
import { z } from 'zod';
import type { Membership } from '../../../src-preload/contract.ts';
import type { MatrixHttp } from '../http/matrix-http.ts';
import type { MemberRecord } from '../store/member-store.ts';

const memberships = ['join', 'invite', 'knock', 'leave', 'ban'] as const;

const membersSchema = z.object({
  chunk: z.array(
    z.looseObject({
      type: z.string(),
      state_key: z.string(),
      content: z.looseObject({}),
    }),
  ),
});

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

export async function fetchRoomMembers(
  http: Pick<MatrixHttp, 'request'>,
  roomId: string,
  signal?: AbortSignal,
): Promise<MemberRecord[]> {
  const response = await http.request(
    'GET',
    `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/members`,
    {
      schema: membersSchema,
      query: { not_membership: 'leave' },
      ...(signal ? { signal } : {}),
    },
  );
  const members: MemberRecord[] = [];
  for (const event of response.chunk) {
    if (event.type !== 'm.room.member' || !event.state_key.startsWith('@')) continue;
    const membership = event.content.membership;
    if (typeof membership !== 'string' || !(memberships as readonly string[]).includes(membership)) continue;
    members.push({
      userId: event.state_key,
      membership: membership as Membership,
      displayName: text(event.content.displayname),
      avatarUrl: text(event.content.avatar_url),
    });
  }
  return members;
}
