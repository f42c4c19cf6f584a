// The spec's "calculating the display name for a room" (client-server API, room names):
// m.room.name, then m.room.canonical_alias, then the heroes, then "Empty Room".

export interface NamedMember {
  userId: string;
  displayName: string | null;
}

export interface RoomNameInput {
  name: string | null;
  canonicalAlias: string | null;
  /** Heroes other than us, in the server's order; display names already disambiguated. */
  heroes: string[];
  joinedCount: number;
  invitedCount: number;
}

/** How many heroes are named before "and N others". */
export const MAX_NAMED_HEROES = 5;

function joinNames(names: string[]): string {
  if (names.length <= 1) return names[0] ?? '';
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

function withOthers(names: string[], others: number): string {
  if (others <= 0) return joinNames(names);
  return `${names.join(', ')} and ${others} ${others === 1 ? 'other' : 'others'}`;
}

export function computeRoomName(input: RoomNameInput): string {
  const name = input.name?.trim();
  if (name) return name;
  const alias = input.canonicalAlias?.trim();
  if (alias) return alias;

  const heroes = input.heroes.slice(0, MAX_NAMED_HEROES);
  const total = input.joinedCount + input.invitedCount;
  if (total > 1) {
    if (heroes.length === 0) return 'Empty Room';
    return withOthers(heroes, total - 1 - heroes.length);
  }
  if (heroes.length === 0) return 'Empty Room';
  return `Empty Room (was ${withOthers(heroes, input.heroes.length - heroes.length)})`;
}

/**
 * A member's name as shown beside others: the display name, or the user id when there is none,
 * with the user id added when another member uses the same display name (spec: disambiguation).
 */
export function disambiguatedName(member: NamedMember, others: Iterable<NamedMember>): string {
  const display = member.displayName?.trim();
  if (!display) return member.userId;
  for (const other of others) {
    if (other.userId !== member.userId && other.displayName?.trim() === display) {
      return `${display} (${member.userId})`;
    }
  }
  // A display name that looks like a user id could be used to impersonate; show whose it is.
  if (display.startsWith('@') && display.includes(':') && display !== member.userId) {
    return `${display} (${member.userId})`;
  }
  return display;
}
