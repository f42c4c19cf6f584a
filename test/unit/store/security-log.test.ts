// The security log's chain: verify() names the first entry that was edited, removed, inserted
// or moved. Tampering goes straight at the table with SQL, after dropping the append-only triggers.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AccountDatabase } from '../../../src-main/engine/store/account-database.ts';
import { canonicalJson } from '../../../src-main/engine/store/canonical-json.ts';
import { entryHash } from '../../../src-main/engine/store/security-log-chain.ts';
import { makeProfile, type Profile } from './store-fixture.ts';

describe('SecurityLog', () => {
  let profile: Profile;
  let db: AccountDatabase;
  const sql = (text: string, ...params: unknown[]) => db.connection.prepare(text).run(...params);

  beforeEach(() => {
    profile = makeProfile();
    db = profile.open();
    const log = db.securityLog;
    log.append('sign_in', { userId: '@a:x', deviceId: 'DEV1', homeserver: 'https://x' }, 1000);
    log.append('new_device_seen', { userId: '@a:x', deviceId: 'DEV2' }, 2000);
    log.append('verification_done', { userId: '@a:x', deviceId: 'DEV2', method: 'sas' }, 3000);
    log.append('keys_backed_up', { backupVersion: '1', count: 12 }, 4000);
    log.append('sign_out', { userId: '@a:x', deviceId: 'DEV1', localDataRemoved: true }, 5000);
  });
  afterEach(() => {
    db.close();
    profile.cleanup();
  });

  function dropTriggers(): void {
    db.connection.exec('DROP TRIGGER security_log_no_update; DROP TRIGGER security_log_no_delete');
  }

  it('an untouched log verifies, and survives a reopen', () => {
    expect(db.securityLog.verify()).toMatchObject({ ok: true, entries: 5 });
    db.close();
    db = profile.open();
    const verdict = db.securityLog.verify();
    expect(verdict).toMatchObject({ ok: true, entries: 5 });
    expect(verdict.ok && verdict.head).toBe(db.securityLog.entries().at(-1)?.hash);
  });

  it('entries chain to each other', () => {
    const entries = db.securityLog.entries();
    expect(entries.map((entry) => entry.kind)).toEqual([
      'sign_in',
      'new_device_seen',
      'verification_done',
      'keys_backed_up',
      'sign_out',
    ]);
    expect(entries[0]?.prevHash).toBe('0'.repeat(64));
    for (let i = 1; i < entries.length; i += 1) expect(entries[i]?.prevHash).toBe(entries[i - 1]?.hash);
    expect(db.securityLog.entries({ afterSeq: 3 }).map((entry) => entry.seq)).toEqual([4, 5]);
  });

  it('the table refuses UPDATE and DELETE', () => {
    expect(() => sql('UPDATE security_log SET kind = ? WHERE seq = 1', 'x')).toThrow(/append-only/);
    expect(() => sql('DELETE FROM security_log WHERE seq = 5')).toThrow(/append-only/);
  });

  it('detects an edited entry', () => {
    dropTriggers();
    sql(`UPDATE security_log SET details = json_set(details, '$.deviceId', 'EVIL') WHERE seq = 2`);
    expect(db.securityLog.verify()).toMatchObject({ ok: false, seq: 2, problem: 'edited' });
  });

  it('detects an edited time', () => {
    dropTriggers();
    sql('UPDATE security_log SET time = time + 1 WHERE seq = 4');
    expect(db.securityLog.verify()).toMatchObject({ ok: false, seq: 4, problem: 'edited' });
  });

  it('detects a removed entry', () => {
    dropTriggers();
    sql('DELETE FROM security_log WHERE seq = 3');
    expect(db.securityLog.verify()).toMatchObject({ ok: false, seq: 3, problem: 'missing' });
  });

  it('detects a removed first entry', () => {
    dropTriggers();
    sql('DELETE FROM security_log WHERE seq = 1');
    expect(db.securityLog.verify()).toMatchObject({ ok: false, seq: 1, problem: 'missing' });
  });

  it('detects a removed entry when the later ones are renumbered to close the hole', () => {
    dropTriggers();
    sql('DELETE FROM security_log WHERE seq = 2');
    for (const seq of [3, 4, 5]) sql('UPDATE security_log SET seq = ? WHERE seq = ?', seq - 1, seq);
    expect(db.securityLog.verify()).toMatchObject({ ok: false, seq: 2, problem: 'broken_link' });
  });

  it('detects an inserted entry, even one with a correct hash of its own', () => {
    dropTriggers();
    for (const seq of [5, 4, 3]) sql('UPDATE security_log SET seq = ? WHERE seq = ?', seq + 1, seq);
    const previous = db.securityLog.entries().find((entry) => entry.seq === 2);
    const forged = {
      seq: 3,
      time: 2500,
      kind: 'verification_done',
      details: { userId: '@a:x', deviceId: 'EVIL', method: 'sas' },
      prevHash: previous?.hash ?? '',
    };
    sql(
      'INSERT INTO security_log (seq, time, kind, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?)',
      forged.seq,
      forged.time,
      forged.kind,
      canonicalJson(forged.details),
      forged.prevHash,
      entryHash(forged),
    );
    // The forged entry links correctly; the one after it no longer does.
    expect(db.securityLog.verify()).toMatchObject({ ok: false, seq: 4, problem: 'broken_link' });
  });

  it('detects an entry appended with a made-up hash', () => {
    sql(
      'INSERT INTO security_log (seq, time, kind, details, prev_hash, hash) VALUES (6, 6000, ?, ?, ?, ?)',
      'sign_in',
      '{}',
      db.securityLog.entries().at(-1)?.hash,
      'f'.repeat(64),
    );
    expect(db.securityLog.verify()).toMatchObject({ ok: false, seq: 6, problem: 'edited' });
  });

  it('detects two entries swapped', () => {
    dropTriggers();
    sql('UPDATE security_log SET seq = 100 WHERE seq = 2');
    sql('UPDATE security_log SET seq = 2 WHERE seq = 3');
    sql('UPDATE security_log SET seq = 3 WHERE seq = 100');
    expect(db.securityLog.verify()).toMatchObject({ ok: false, seq: 2, problem: 'broken_link' });
  });

  it('detects two entries whose contents were swapped in place', () => {
    dropTriggers();
    const [two, three] = db.securityLog.entries().slice(1, 3);
    const move = (seq: number, from: typeof two) =>
      sql(
        'UPDATE security_log SET time = ?, kind = ?, details = ?, hash = ? WHERE seq = ?',
        from?.time,
        from?.kind,
        canonicalJson(from?.details),
        from?.hash,
        seq,
      );
    move(2, three);
    move(3, two);
    expect(db.securityLog.verify()).toMatchObject({ ok: false, seq: 2 });
  });

  it('reports details that are not JSON objects as malformed', () => {
    dropTriggers();
    sql(`UPDATE security_log SET details = '[1]' WHERE seq = 4`);
    expect(db.securityLog.verify()).toMatchObject({ ok: false, seq: 4, problem: 'malformed' });
  });

  it('refuses details that could carry a secret or message content', () => {
    const append = db.securityLog.append.bind(db.securityLog) as (
      kind: string,
      details: Record<string, unknown>,
    ) => void;
    expect(() => append('sign_in', { userId: '@a:x', accessToken: 'syt_x' })).toThrow(/refused/);
    expect(() => append('keys_backed_up', { recoveryKey: 'EsT...' })).toThrow(/refused/);
    expect(() => append('new_device_seen', { body: 'hello' })).toThrow(/refused/);
    expect(() => append('new_device_seen', { note: 'x'.repeat(600) })).toThrow(/refused/);
    expect(() => append('new_device_seen', { nested: { a: 1 } })).toThrow(/refused/);
    expect(db.securityLog.verify()).toMatchObject({ ok: true, entries: 5 });
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { f: 2, e: null }], c: undefined } })).toBe(
      '{"a":{"d":[1,{"e":null,"f":2}]},"b":1}',
    );
  });

  it('has no form for non-finite numbers or functions', () => {
    expect(() => canonicalJson(Number.NaN)).toThrow();
    expect(() => canonicalJson(() => 1)).toThrow();
  });
});
