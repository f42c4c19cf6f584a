// What a matrix: link leads to: a room we are in opens (by id, whatever address the link used),
// at the linked event; anything else asks first, and a join goes to the resolved room id through
// the link's and the directory's servers.
import { describe, expect, it } from 'vitest';
import type { OpenedLink, RoomSummary } from '../../../src-preload/contract.ts';
import { aliasToResolve, planLink } from '../../../src-renderer/lib/link-plan.ts';

function summary(roomId: string, membership: RoomSummary['membership'] = 'join'): RoomSummary {
  return {
    roomId,
    name: roomId,
    membership,
    isDirect: false,
    isEncrypted: true,
    inviter: null,
    joinedMemberCount: 2,
    invitedMemberCount: 0,
    notificationCount: 0,
    highlightCount: 0,
    lastActivity: 0,
    lastMessage: null,
    avatarUrl: null,
  };
}

const rooms = [summary('!plans:x'), summary('!invited:x', 'invite'), summary('!left:x', 'leave')];
const aliasLink: OpenedLink = { kind: 'room', roomIdOrAlias: '#plans:x', via: ['x'] };

describe('aliasToResolve', () => {
  it('asks the engine only about aliases', () => {
    expect(aliasToResolve(aliasLink)).toBe('#plans:x');
    expect(aliasToResolve({ kind: 'room', roomIdOrAlias: '!plans:x', via: [] })).toBeNull();
    expect(aliasToResolve({ kind: 'user', userId: '@bob:x' })).toBeNull();
  });
});

describe('planLink', () => {
  it('opens a room we are in, by id or by an alias that resolves to it, at the linked event', () => {
    expect(planLink({ kind: 'room', roomIdOrAlias: '!plans:x', via: [] }, null, rooms)).toEqual({
      kind: 'open',
      roomId: '!plans:x',
      eventId: null,
    });
    expect(planLink({ ...aliasLink, eventId: '$e' }, { roomId: '!plans:x', servers: ['y'] }, rooms)).toEqual({
      kind: 'open',
      roomId: '!plans:x',
      eventId: '$e',
    });
  });

  it('opens an invite without an event (the invite asks first)', () => {
    expect(
      planLink({ kind: 'room', roomIdOrAlias: '!invited:x', eventId: '$e', via: [] }, null, rooms),
    ).toEqual({ kind: 'open', roomId: '!invited:x', eventId: null });
  });

  it('asks before joining a room we are not in, through the resolved id and all known servers', () => {
    const plan = planLink(
      { ...aliasLink, eventId: '$e' },
      { roomId: '!other:y', servers: ['y', 'x', 'z'] },
      rooms,
    );
    expect(plan).toEqual({
      kind: 'join',
      address: '#plans:x',
      roomIdOrAlias: '!other:y',
      via: ['x', 'y', 'z'],
      eventId: '$e',
    });
  });

  it('asks before joining a room we left, by its id', () => {
    expect(planLink({ kind: 'room', roomIdOrAlias: '!left:x', via: [] }, null, rooms)).toMatchObject({
      kind: 'join',
      roomIdOrAlias: '!left:x',
      via: [],
    });
  });

  it('keeps the alias when it was not resolved, and at most 20 servers', () => {
    const many = Array.from({ length: 30 }, (_, index) => `s${index}.example`);
    const plan = planLink({ ...aliasLink, via: many }, null, []);
    expect(plan).toMatchObject({ kind: 'join', roomIdOrAlias: '#plans:x' });
    expect(plan.kind === 'join' && plan.via).toHaveLength(20);
  });

  it('asks before starting a chat', () => {
    expect(planLink({ kind: 'user', userId: '@bob:x' }, null, rooms)).toEqual({
      kind: 'chat',
      userId: '@bob:x',
    });
  });
});
