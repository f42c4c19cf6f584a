// The room list: what we know of each room we are in or invited to, updated from sync
// batches and read as RoomSummary view models.
import type { Membership, RoomSummary } from '../../../src-preload/contract.ts';
import type { MemberRecord as StoredMember } from '../store/member-store.ts';
import type { RoomRecord as StoredRoom } from '../store/room-store.ts';
import type { HeroLite, RoomUpdate, StateEventLite, SyncBatch } from '../sync/sync-batch.ts';
import { computeRoomName, disambiguatedName, type NamedMember } from './room-name.ts';

interface MemberRecord {
  membership: Membership;
  displayName: string | null;
  avatarUrl: string | null;
  isDirect: boolean;
  sender: string;
}

/** Unread counts the engine computed itself (encrypted rooms), and the latest message's preview. */
export interface RoomActivityView {
  lastMessage: string | null;
  /** null: no local count (no receipt of ours yet, or not encrypted); the server's count is shown. */
  localCounts: { notificationCount: number; highlightCount: number } | null;
}

interface RoomModel {
  roomId: string;
  membership: Membership;
  name: string | null;
  canonicalAlias: string | null;
  topic: string | null;
  /** The m.room.avatar URL, when the room has one. */
  avatarUrl: string | null;
  isEncrypted: boolean;
  members: Map<string, MemberRecord>;
  heroes: HeroLite[] | null;
  joinedCount: number | null;
  invitedCount: number | null;
  notificationCount: number;
  highlightCount: number;
  lastActivity: number;
  activity: RoomActivityView;
}

const MEMBERSHIPS: ReadonlySet<string> = new Set(['join', 'invite', 'knock', 'leave', 'ban']);

function asString(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function newRecord(roomId: string): RoomModel {
  return {
    roomId,
    membership: 'join',
    name: null,
    canonicalAlias: null,
    topic: null,
    avatarUrl: null,
    isEncrypted: false,
    members: new Map(),
    heroes: null,
    joinedCount: null,
    invitedCount: null,
    notificationCount: 0,
    highlightCount: 0,
    lastActivity: 0,
    activity: { lastMessage: null, localCounts: null },
  };
}

/** An mxc:// URI from state content, or null (anything else is not fetched). */
function mxcUri(value: unknown): string | null {
  return typeof value === 'string' && value.startsWith('mxc://') && value.length <= 2048 ? value : null;
}

/** An update carrying receipts or typing only: it changes nothing the room list shows. */
function ephemeralOnly(update: RoomUpdate): boolean {
  return (
    update.membership === undefined &&
    !update.replaceState &&
    update.state.length === 0 &&
    update.timeline === undefined &&
    update.heroes === undefined &&
    update.joinedCount === undefined &&
    update.invitedCount === undefined &&
    update.notificationCount === undefined &&
    update.highlightCount === undefined &&
    update.latestTimestamp === undefined &&
    update.serverName === undefined
  );
}

/** What changed since the last `takeChanges()`, in the store's shapes. */
export interface RoomListChanges {
  rooms: StoredRoom[];
  members: Map<string, StoredMember[]>;
  removed: string[];
  /** The m.direct content when it changed. */
  direct: Record<string, string[]> | undefined;
}

export class RoomList {
  readonly #ownUserId: string;
  readonly #rooms = new Map<string, RoomModel>();
  #directRoomIds = new Set<string>();
  #direct: Record<string, string[]> | undefined;
  readonly #dirty = new Set<string>();
  readonly #removed = new Set<string>();
  #directChanged = false;

  constructor(ownUserId: string) {
    this.#ownUserId = ownUserId;
  }

  /** Rebuilds the list from what the store kept, so a restart shows it before the network answers. */
  static restore(
    ownUserId: string,
    rooms: readonly StoredRoom[],
    membersOf: (roomId: string) => readonly StoredMember[],
    direct: Record<string, string[]> | undefined,
  ): RoomList {
    const list = new RoomList(ownUserId);
    if (direct) {
      list.#direct = direct;
      list.#directRoomIds = new Set(Object.values(direct).flat());
    }
    for (const stored of rooms) {
      const room = newRecord(stored.roomId);
      room.membership = stored.membership;
      room.name = stored.name;
      room.canonicalAlias = stored.canonicalAlias;
      room.topic = stored.topic;
      room.avatarUrl = stored.avatarUrl;
      room.isEncrypted = stored.isEncrypted;
      room.heroes = stored.heroes;
      room.joinedCount = stored.joinedMemberCount;
      room.invitedCount = stored.invitedMemberCount;
      room.notificationCount = stored.notificationCount;
      room.highlightCount = stored.highlightCount;
      room.lastActivity = stored.lastActivity;
      for (const member of membersOf(stored.roomId)) {
        const own = member.userId === ownUserId;
        room.members.set(member.userId, {
          membership: member.membership,
          displayName: member.displayName,
          avatarUrl: member.avatarUrl,
          isDirect: own && stored.membership === 'invite' && stored.isDirect,
          sender: own && stored.inviter ? stored.inviter : member.userId,
        });
      }
      list.#rooms.set(stored.roomId, room);
    }
    return list;
  }

  /** The rooms, members and m.direct changed since the last call, for the store. */
  takeChanges(): RoomListChanges {
    const rooms: StoredRoom[] = [];
    const members = new Map<string, StoredMember[]>();
    for (const roomId of this.#dirty) {
      const room = this.#rooms.get(roomId);
      if (!room) continue;
      const summary = this.#summarize(room);
      rooms.push({
        roomId,
        membership: room.membership,
        displayName: summary.name,
        name: room.name,
        canonicalAlias: room.canonicalAlias,
        topic: room.topic,
        avatarUrl: room.avatarUrl,
        isDirect: summary.isDirect,
        isEncrypted: room.isEncrypted,
        inviter: summary.inviter,
        heroes: room.heroes,
        joinedMemberCount: room.joinedCount,
        invitedMemberCount: room.invitedCount,
        notificationCount: summary.notificationCount,
        highlightCount: summary.highlightCount,
        lastActivity: room.lastActivity,
      });
      members.set(
        roomId,
        [...room.members].map(([userId, member]) => ({
          userId,
          membership: member.membership,
          displayName: member.displayName,
          avatarUrl: member.avatarUrl,
        })),
      );
    }
    const changes: RoomListChanges = {
      rooms,
      members,
      removed: [...this.#removed],
      direct: this.#directChanged ? this.#direct : undefined,
    };
    this.#dirty.clear();
    this.#removed.clear();
    this.#directChanged = false;
    return changes;
  }

  get size(): number {
    return this.#rooms.size;
  }

  /** Applies one sync batch; returns true when anything a person could see changed. */
  apply(batch: SyncBatch): boolean {
    let changed = false;
    if (batch.direct) {
      this.#direct = batch.direct;
      this.#directRoomIds = new Set(Object.values(batch.direct).flat());
      this.#directChanged = true;
      // Every room's isDirect may have changed with it.
      for (const roomId of this.#rooms.keys()) this.#dirty.add(roomId);
      changed = true;
    }
    for (const update of batch.rooms) {
      if (ephemeralOnly(update)) continue;
      this.#applyRoom(update);
      changed = true;
    }
    return changed;
  }

  has(roomId: string): boolean {
    return this.#rooms.has(roomId);
  }

  roomIds(): string[] {
    return [...this.#rooms.keys()];
  }

  isEncrypted(roomId: string): boolean {
    return this.#rooms.get(roomId)?.isEncrypted ?? false;
  }

  summary(roomId: string): RoomSummary | null {
    const room = this.#rooms.get(roomId);
    return room ? this.#summarize(room) : null;
  }

  /**
   * Sets the preview and the locally computed counts of a room; returns true when the room's
   * summary changed (the room is then written with the next changes).
   */
  setActivity(roomId: string, activity: RoomActivityView): boolean {
    const room = this.#rooms.get(roomId);
    if (!room) return false;
    const before = this.#summarize(room);
    room.activity = activity;
    const after = this.#summarize(room);
    const changed =
      before.lastMessage !== after.lastMessage ||
      before.notificationCount !== after.notificationCount ||
      before.highlightCount !== after.highlightCount;
    if (changed) this.#dirty.add(roomId);
    return changed;
  }

  /** The server's counts, lowered at once when we read the room (the next sync restates them). */
  setServerCounts(roomId: string, counts: { notificationCount: number; highlightCount: number }): boolean {
    const room = this.#rooms.get(roomId);
    if (!room) return false;
    if (room.notificationCount === counts.notificationCount && room.highlightCount === counts.highlightCount)
      return false;
    room.notificationCount = counts.notificationCount;
    room.highlightCount = counts.highlightCount;
    this.#dirty.add(roomId);
    return true;
  }

  #applyRoom(update: RoomUpdate): void {
    let room = this.#rooms.get(update.roomId);
    if (!room || update.replaceState) {
      const previous = room;
      room = newRecord(update.roomId);
      // A fresh view of a room keeps the counters it had unless the update restates them.
      if (previous) {
        room.lastActivity = previous.lastActivity;
        room.activity = previous.activity;
      }
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
    if (room.membership === 'leave' || room.membership === 'ban') {
      this.#rooms.delete(update.roomId);
      this.#dirty.delete(update.roomId);
      this.#removed.add(update.roomId);
    } else {
      this.#dirty.add(update.roomId);
      this.#removed.delete(update.roomId);
    }
  }

  #applyState(room: RoomModel, event: StateEventLite): void {
    switch (event.type) {
      case 'm.room.name':
        if (event.stateKey === '') room.name = asString(event.content.name);
        break;
      case 'm.room.canonical_alias':
        if (event.stateKey === '') room.canonicalAlias = asString(event.content.alias);
        break;
      case 'm.room.topic':
        if (event.stateKey === '') room.topic = asString(event.content.topic);
        break;
      case 'm.room.avatar':
        if (event.stateKey === '') room.avatarUrl = mxcUri(event.content.url);
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
          avatarUrl: mxcUri(event.content.avatar_url),
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

  #namedMembers(room: RoomModel): NamedMember[] {
    return [...room.members.entries()]
      .filter(([, member]) => member.membership === 'join' || member.membership === 'invite')
      .map(([userId, member]) => ({ userId, displayName: member.displayName }));
  }

  #heroNames(room: RoomModel): string[] {
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

  #inviter(room: RoomModel): string | null {
    const own = room.members.get(this.#ownUserId);
    return own && own.membership === 'invite' ? own.sender : null;
  }

  #summarize(room: RoomModel): RoomSummary {
    const members = [...room.members.values()];
    const joined = room.joinedCount ?? members.filter((member) => member.membership === 'join').length;
    const invited = room.invitedCount ?? members.filter((member) => member.membership === 'invite').length;
    const heroes = this.#heroNames(room);
    const isInvite = room.membership === 'invite';
    const own = room.members.get(this.#ownUserId);
    const isDirect = this.#directRoomIds.has(room.roomId) || (isInvite && own?.isDirect === true);
    // Encrypted rooms: the server cannot read the messages, so its counts miss mentions and
    // count reactions and edits; the local count from the decrypted events is shown once we have
    // a receipt to count from. Other rooms: the server's counts (it applies the push rules).
    const counts =
      room.isEncrypted && room.activity.localCounts
        ? room.activity.localCounts
        : { notificationCount: room.notificationCount, highlightCount: room.highlightCount };
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
      isDirect,
      isEncrypted: room.isEncrypted,
      inviter: this.#inviter(room),
      joinedMemberCount: joined,
      invitedMemberCount: invited,
      notificationCount: counts.notificationCount,
      highlightCount: counts.highlightCount,
      lastActivity: room.lastActivity,
      lastMessage: room.activity.lastMessage,
      avatarUrl: room.avatarUrl ?? (isDirect ? this.#otherMemberAvatar(room) : null),
    };
  }

  /** A direct chat without its own avatar shows the other person's. */
  #otherMemberAvatar(room: RoomModel): string | null {
    const inviter = this.#inviter(room);
    if (inviter) return room.members.get(inviter)?.avatarUrl ?? null;
    const others = [...room.members.entries()]
      .filter(
        ([userId, member]) =>
          userId !== this.#ownUserId && (member.membership === 'join' || member.membership === 'invite'),
      )
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return others.find(([, member]) => member.avatarUrl !== null)?.[1].avatarUrl ?? null;
  }
}
