// The power-level check made before a membership request (spec defaults; v12 creators).
import { describe, expect, it } from 'vitest';
import { membershipVerdict, privilegedCreators } from '../../../src-main/engine/rooms/membership-power.ts';

const levels = { users: { '@mod:s': 50, '@admin:s': 100 }, users_default: 0, invite: 0 };

describe('membershipVerdict', () => {
  it('leaves the decision to the server without power levels', () => {
    expect(membershipVerdict(null, 'ban', '@a:s', '@b:s')).toEqual({ allowed: true });
  });

  it('uses the spec defaults: invite 0, kick and ban 50', () => {
    expect(membershipVerdict(levels, 'invite', '@user:s').allowed).toBe(true);
    expect(membershipVerdict(levels, 'kick', '@user:s', '@other:s').allowed).toBe(false);
    expect(membershipVerdict(levels, 'kick', '@mod:s', '@user:s').allowed).toBe(true);
    expect(membershipVerdict({ ...levels, invite: 50 }, 'invite', '@user:s').allowed).toBe(false);
  });

  it('refuses to kick or ban someone at or above the own level', () => {
    expect(membershipVerdict(levels, 'ban', '@mod:s', '@admin:s').allowed).toBe(false);
    expect(
      membershipVerdict({ ...levels, users: { ...levels.users, '@m2:s': 50 } }, 'kick', '@mod:s', '@m2:s')
        .allowed,
    ).toBe(false);
    expect(membershipVerdict(levels, 'ban', '@admin:s', '@mod:s').allowed).toBe(true);
  });

  it('gives room version 12 creators power above everyone', () => {
    const creators = privilegedCreators({ sender: '@creator:s', content: { room_version: '12' } });
    expect(membershipVerdict(levels, 'ban', '@creator:s', '@admin:s', creators).allowed).toBe(true);
    expect(membershipVerdict(levels, 'kick', '@admin:s', '@creator:s', creators).allowed).toBe(false);
    expect(privilegedCreators({ sender: '@creator:s', content: { room_version: '10' } }).size).toBe(0);
  });
});
