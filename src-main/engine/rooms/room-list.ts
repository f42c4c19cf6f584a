// The room list: what we know of each room we are in or invited to, updated from sync
// batches and read as RoomSummary view models.
import type { Membership, RoomSummary } from '../../../src-preload/contract.ts';
import type { HeroLite, RoomUpdate, StateEventLite, SyncBatch } from '../sync/sync-batch.ts';
import { computeRoomName, disambiguatedName, type NamedMember } from './room-name.ts';

interface MemberRecord {
  membership: Membership;
  displayName: string | null;
  isDirect: boolean;
  sender: string;
}

interface RoomRecord {
  roomId: string;
  membership: Membership;
  name: string | null;
  canonicalAlias: string | null;
  isEncrypted: boolean;
  members: Map<string, MemberRecord>;
  heroes: HeroLite[] | null;
  joinedCount: number | null;
  invitedCount: number | null;
  notificationCount: number;
  highlightCount: number;
  lastActivity: number;
}

const MEMBERSHIPS: ReadonlySet<string> = new Set(['join', 'invite', 'knock', 'leave', 'ban']);

function asString(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function newRecord(roomId: string): RoomRecord {
  return {
    roomId,
    membership: 'join',
    name: null,
    canonicalAlias: null,
    isEncrypted: false,
    members: new Map(),
    heroes: null,
    joinedCount: null,
    invitedCount: null,
    notificationCount: 0,
    highlightCount: 0,
    lastActivity: 0,
  };
}

export class RoomList {
  readonly #ownUserId: string;
  readonly #rooms = new Map<string, RoomRecord>();
  #directRoomIds = new Set<string>();

  constructor(ownUserId: string) {
    this.#ownUserId = ownUserId;
  }

  get size(): number {
    return this.#rooms.size;
  }

  /** Applies one sync batch; returns true when anything a person could see changed. */
  apply(batch: SyncBatch): boolean {
    let changed = false;
    if (batch.direct) {
      this.#directRoomIds = new Set(Object.values(batch.direct).flat());
      changed = true;
    }
    for (const update of batch.rooms) {
      this.#applyRoom(update);
      changed = true;
    }
    return changed;
  }

  #applyRoom(update: RoomUpdate): void {
    let room = this.#rooms.get(update.roomId);
    if (!room || update.replaceState) {
      const previous = room;
      room = newRecord(update.roomId);
      // A fresh view of a room keeps the counters it had unless the update restates them.
      if (previous) room.lastActivity = previous.lastActivity;
      this.#rooms.set(update.roomId, room);
    }
    for (const event of update.state) this.#applyState(room, event);
    if (update.membership) room.membership = update.membership;
    if (update.heroes) room.heroes = update.heroes;
    if (update.serverName !== undefined && update.serverName !== null && !room.name)
      room.name = update.serverName;
    if (update.joinedCount !== undefined) room.joinedCount = update.joinedCount;
    if (update.invitedCount !== undefined) room.invitedCount = update.invitedCount;
    if (update.notificationCount !== undefined) room.notificationCount = update.notificationCount;
    if (update.highlightCount !== undefined) room.highlightCount = update.highlightCount;
    if (update.latestTimestamp !== undefined)
      room.lastActivity = Math.max(room.lastActivity, update.latestTimestamp);
    if (room.membership === 'leave' || room.membership === 'ban') this.#rooms.delete(update.roomId);
  }

  #applyState(room: RoomRecord, event: StateEventLite): void {
    switch (event.type) {
      case 'm.room.name':
        if (event.stateKey === '') room.name = asString(event.content.name);
        break;
      case 'm.room.canonical_alias':
        if (event.stateKey === '') room.canonicalAlias = asString(event.content.alias);
        break;
      case 'm.room.encryption':
        // Once encrypted, always encrypted: a later state event cannot turn it off.
        if (event.stateKey === '' && typeof event.content.algorithm === 'string') room.isEncrypted = true;
        break;
      case 'm.room.member': {
        const membership = asString(event.content.membership);
        if (!membership || !MEMBERSHIPS.has(membership)) break;
        room.members.set(event.stateKey, {
          membership: membership as Membership,
          displayName: asString(event.content.displayname),
          isDirect: event.content.is_direct === true,
          sender: event.sender,
        });
        if (event.stateKey === this.#ownUserId) room.membership = membership as Membership;
        break;
      }
    }
  }

  summaries(): RoomSummary[] {
    const list = [...this.#rooms.values()].map((room) => this.#summarize(room));
    return list.sort(
      (a, b) =>
        Number(b.membership === 'invite') - Number(a.membership === 'invite') ||
        b.lastActivity - a.lastActivity ||
        a.name.localeCompare(b.name),
    );
  }

  #namedMembers(room: RoomRecord): NamedMember[] {
    return [...room.members.entries()]
      .filter(([, member]) => member.membership === 'join' || member.membership === 'invite')
      .map(([userId, member]) => ({ userId, displayName: member.displayName }));
  }

  #heroNames(room: RoomRecord): string[] {
    const members = this.#namedMembers(room);
    const known = new Map(members.map((member) => [member.userId, member]));
    let heroes: NamedMember[];
    if (room.heroes) {
      heroes = room.heroes
        .filter((hero) => hero.userId !== this.#ownUserId)
        .map(
          (hero) => known.get(hero.userId) ?? { userId: hero.userId, displayName: hero.displayName ?? null },
        );
    } else {
      heroes = members
        .filter((member) => member.userId !== this.#ownUserId)
        .sort((a, b) => (a.userId < b.userId ? -1 : 1));
    }
    if (heroes.length === 0 && room.membership === 'invite') {
      const inviter = this.#inviter(room);
      if (inviter)
        heroes = [
          known.get(inviter) ?? {
            userId: inviter,
            displayName: room.members.get(inviter)?.displayName ?? null,
          },
        ];
    }
    const everyone = [...members, ...heroes];
    return heroes.map((hero) => disambiguatedName(hero, everyone));
  }

  #inviter(room: RoomRecord): string | null {
    const own = room.members.get(this.#ownUserId);
    return own && own.membership === 'invite' ? own.sender : null;
  }

  #summarize(room: RoomRecord): RoomSummary {
    const members = [...room.members.values()];
    const joined = room.joinedCount ?? members.filter((member) => member.membership === 'join').length;
    const invited = room.invitedCount ?? members.filter((member) => member.membership === 'invite').length;
    const heroes = this.#heroNames(room);
    const isInvite = room.membership === 'invite';
    const own = room.members.get(this.#ownUserId);
    return {
      roomId: room.roomId,
      name: computeRoomName({
        name: room.name,
        canonicalAlias: room.canonicalAlias,
        heroes,
        // An invite's stripped state rarely carries counts; the inviter and we make two.
        joinedCount: isInvite ? Math.max(joined, 1) : joined,
        invitedCount: isInvite ? Math.max(invited, 1) : invited,
      }),
      membership: room.membership,
      isDirect: this.#directRoomIds.has(room.roomId) || (isInvite && own?.isDirect === true),
      isEncrypted: room.isEncrypted,
      inviter: this.#inviter(room),
      joinedMemberCount: joined,
      invitedMemberCount: invited,
      notificationCount: room.notificationCount,
      highlightCount: room.highlightCount,
      lastActivity: room.lastActivity,
    };
  }
}
