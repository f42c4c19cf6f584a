// One profile, one process: a second opener is refused with profile_in_use, and the lock is
// an OS file lock that disappears with its holder, even on SIGKILL.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startChildProfile as startChild } from './child-profile.ts';
import { makeProfile, thrownBy, type Profile } from './store-fixture.ts';

describe('profile lock', () => {
  let profile: Profile;
  beforeEach(() => {
    profile = makeProfile();
    profile.open().close();
  });
  afterEach(() => profile.cleanup());

  it('a second process opening the same profile is refused with profile_in_use', async () => {
    const db = profile.open();
    try {
      const second = startChild(profile, 'once');
      const report = await second.report;
      await second.exited;
      expect(report.opened).toBe(false);
      expect(report.code).toBe('profile_in_use');
      expect(report.message).toMatch(/already open in another Tessera process/);
    } finally {
      db.close();
    }
  });

  it('a second open in the same process is refused too', () => {
    const db = profile.open();
    try {
      expect(thrownBy(() => profile.open()).code).toBe('profile_in_use');
    } finally {
      db.close();
    }
  });

  it('after the holder is killed with SIGKILL, the profile opens', async () => {
    const holder = startChild(profile, 'write-and-hold');
    expect((await holder.report).opened).toBe(true);
    expect(thrownBy(() => profile.open()).code).toBe('profile_in_use');

    holder.child.kill('SIGKILL');
    await holder.exited;
    const db = profile.open();
    // What the killed process committed is there (recovered from its WAL).
    expect(db.settings.get('written-by-child')).toMatchObject({ at: expect.any(Number) });
    db.close();
  });

  it('after a holder closes normally, another process opens it', async () => {
    profile.open().close();
    const next = startChild(profile, 'once');
    expect((await next.report).opened).toBe(true);
    await next.exited;
  });
});
