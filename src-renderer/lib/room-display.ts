// Small pure helpers for showing a room row.
import type { RoomSummary } from '../../src-preload/contract.ts';

const avatarHues = 8;

/** A stable colour slot per room, so the same room keeps its colour between runs. */
export function avatarHue(roomId: string): number {
  let hash = 0;
  for (const char of roomId) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return hash % avatarHues;
}

/** The first letter of the name, skipping sigils like # and @. */
export function avatarInitial(name: string): string {
  const letter = name
    .replace(/^[#@!+]+/, '')
    .trim()
    .charAt(0);
  return letter ? letter.toLocaleUpperCase() : '?';
}

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** The secondary line: who invited us, or how many people are in the room. */
export function roomDetail(room: RoomSummary): string {
  if (room.membership === 'invite') {
    return room.inviter ? `Invited by ${room.inviter}` : 'You are invited';
  }
  const parts = [plural(room.joinedMemberCount, 'member', 'members')];
  if (room.invitedMemberCount > 0) parts.push(`${room.invitedMemberCount} invited`);
  return parts.join(' · ');
}

/** Invites first (they wait on the person), then the most recently active. */
export function orderRooms(rooms: readonly RoomSummary[]): RoomSummary[] {
  return [...rooms].sort((a, b) => {
    const invite = Number(b.membership === 'invite') - Number(a.membership === 'invite');
    return invite !== 0 ? invite : b.lastActivity - a.lastActivity;
  });
}
