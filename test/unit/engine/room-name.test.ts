import { describe, expect, it } from 'vitest';
import { computeRoomName, disambiguatedName } from '../../../src-main/engine/rooms/room-name.ts';

const base = { name: null, canonicalAlias: null, heroes: [] as string[], joinedCount: 2, invitedCount: 0 };

describe('computeRoomName (spec: calculating the display name for a room)', () => {
  it('prefers m.room.name, then the canonical alias', () => {
    expect(computeRoomName({ ...base, name: 'Launch', canonicalAlias: '#launch:x' })).toBe('Launch');
    expect(computeRoomName({ ...base, name: '  ', canonicalAlias: '#launch:x' })).toBe('#launch:x');
  });

  it('names a room after its heroes', () => {
    expect(computeRoomName({ ...base, heroes: ['Bob'] })).toBe('Bob');
    expect(computeRoomName({ ...base, heroes: ['Bob', 'Carol'], joinedCount: 3 })).toBe('Bob and Carol');
    expect(
      computeRoomName({ ...base, heroes: ['Bob', 'Carol', 'Dan'], joinedCount: 3, invitedCount: 1 }),
    ).toBe('Bob, Carol and Dan');
  });

  it('counts the members beyond the heroes', () => {
    expect(computeRoomName({ ...base, heroes: ['Bob', 'Carol'], joinedCount: 10 })).toBe(
      'Bob, Carol and 7 others',
    );
    expect(computeRoomName({ ...base, heroes: ['Bob'], joinedCount: 3 })).toBe('Bob and 1 other');
  });

  it('says when a room is empty, and who was there', () => {
    expect(computeRoomName({ ...base, joinedCount: 1 })).toBe('Empty Room');
    expect(computeRoomName({ ...base, heroes: ['Bob'], joinedCount: 1 })).toBe('Empty Room (was Bob)');
    expect(computeRoomName({ ...base, heroes: ['Bob', 'Carol'], joinedCount: 1 })).toBe(
      'Empty Room (was Bob and Carol)',
    );
  });
});

describe('disambiguatedName', () => {
  it('uses the display name, or the user id when there is none', () => {
    expect(disambiguatedName({ userId: '@b:x', displayName: 'Bob' }, [])).toBe('Bob');
    expect(disambiguatedName({ userId: '@b:x', displayName: null }, [])).toBe('@b:x');
    expect(disambiguatedName({ userId: '@b:x', displayName: ' ' }, [])).toBe('@b:x');
  });

  it('adds the user id when two members share a display name', () => {
    const others = [{ userId: '@bob:evil', displayName: 'Bob' }];
    expect(disambiguatedName({ userId: '@b:x', displayName: 'Bob' }, others)).toBe('Bob (@b:x)');
  });

  it('adds the user id when a display name looks like someone else’s user id', () => {
    expect(disambiguatedName({ userId: '@eve:x', displayName: '@alice:x' }, [])).toBe('@alice:x (@eve:x)');
  });
});
