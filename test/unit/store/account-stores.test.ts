// The typed stores over the schema: what goes in comes back out.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AccountDatabase } from '../../../src-main/engine/store/account-database.ts';
import { makeProfile, message, room, type Profile } from './store-fixture.ts';

describe('account stores', () => {
  let profile: Profile;
  let db: AccountDatabase;
  beforeEach(() => {
    profile = makeProfile();
    db = profile.open();
  });
  afterEach(() => {
    db.close();
    profile.cleanup();
  });

  it('session: one row, saved and replaced', () => {
    expect(db.session.get()).toBeNull();
    const session = {
      homeserver: 'https://matrix.example.org',
      userId: '@alice:example.org',
      deviceId: 'DEVICE1',
      accessToken: 'syt_secret',
      createdAt: 1,
    };
    db.session.save(session);
    db.session.save({ ...session, accessToken: 'syt_other' });
    expect(db.session.get()).toEqual({
      ...session,
      accessToken: 'syt_other',
      refreshToken: null,
      accessTokenExpiresAt: null,
    });
    db.session.clear();
    expect(db.session.get()).toBeNull();
  });

  it('sync positions per API', () => {
    db.sync.savePosition('sliding', 'pos-1');
    db.sync.savePosition('sliding', 'pos-2');
    db.sync.savePosition('v3', 's_1');
    expect(db.sync.position('sliding')).toBe('pos-2');
    expect(db.sync.position('v3')).toBe('s_1');
    db.sync.clear();
    expect(db.sync.position('sliding')).toBeNull();
  });

  it('rooms: upsert, list by activity, and encryption stays on', () => {
    db.rooms.upsertMany([
      room('!old:x', { lastActivity: 1, heroes: [{ userId: '@b:x', displayName: 'Bob' }] }),
      room('!new:x', { lastActivity: 9, isEncrypted: true, isDirect: true }),
    ]);
    db.rooms.upsertMany([room('!new:x', { lastActivity: 10, isEncrypted: false, notificationCount: 3 })]);
    const list = db.rooms.list();
    expect(list.map((r) => r.roomId)).toEqual(['!new:x', '!old:x']);
    expect(list[0]).toMatchObject({
      isEncrypted: true,
      notificationCount: 3,
      lastActivity: 10,
      isDirect: false,
    });
    expect(list[1]?.heroes).toEqual([{ userId: '@b:x', displayName: 'Bob' }]);
    expect(() =>
      db.connection.prepare("UPDATE rooms SET is_encrypted = 0 WHERE room_id = '!new:x'").run(),
    ).toThrow(/cannot go back/);
  });

  it('removing a room removes its state, members, timeline and gaps', () => {
    db.rooms.upsertMany([room('!r:x')]);
    db.roomState.putMany('!r:x', [
      { type: 'm.room.name', stateKey: '', eventId: '$n', sender: '@a:x', content: { name: 'N' } },
    ]);
    db.members.upsertMany('!r:x', [
      { userId: '@a:x', membership: 'join', displayName: 'A', avatarUrl: null },
    ]);
    db.timeline.appendBatch('!r:x', [message('$1', 'hello')], { prevBatch: 't' });
    db.rooms.remove('!r:x');
    expect(db.roomState.all('!r:x')).toEqual([]);
    expect(db.members.list('!r:x')).toEqual([]);
    expect(db.timeline.count('!r:x')).toBe(0);
    expect(db.timeline.gaps('!r:x')).toEqual([]);
  });

  it('room state: the last event per (type, state key) wins; replaceAll starts over', () => {
    db.rooms.upsertMany([room('!r:x')]);
    const name = (value: string) => ({
      type: 'm.room.name',
      stateKey: '',
      eventId: `$${value}`,
      sender: '@a:x',
      content: { name: value },
    });
    db.roomState.putMany('!r:x', [name('one'), name('two')]);
    expect(db.roomState.get('!r:x', 'm.room.name')?.content).toEqual({ name: 'two' });
    db.roomState.replaceAll('!r:x', [
      { type: 'm.room.topic', stateKey: '', eventId: null, sender: '@a:x', content: { topic: 't' } },
    ]);
    expect(db.roomState.all('!r:x').map((event) => event.type)).toEqual(['m.room.topic']);
  });

  it('state for an unknown room is refused (foreign keys are on)', () => {
    expect(() =>
      db.roomState.putMany('!nowhere:x', [
        { type: 'm.room.name', stateKey: '', eventId: null, sender: '@a:x', content: {} },
      ]),
    ).toThrow(/FOREIGN KEY/);
  });

  it('members', () => {
    db.rooms.upsertMany([room('!r:x')]);
    db.members.upsertMany('!r:x', [
      { userId: '@b:x', membership: 'invite', displayName: null, avatarUrl: null },
      { userId: '@a:x', membership: 'join', displayName: 'Alice', avatarUrl: 'mxc://x/a' },
    ]);
    db.members.upsertMany('!r:x', [
      { userId: '@b:x', membership: 'join', displayName: 'Bob', avatarUrl: null },
    ]);
    expect(db.members.list('!r:x').map((m) => [m.userId, m.membership])).toEqual([
      ['@a:x', 'join'],
      ['@b:x', 'join'],
    ]);
    expect(db.members.get('!r:x', '@b:x')?.displayName).toBe('Bob');
    expect(db.members.get('!r:x', '@c:x')).toBeNull();
  });

  it('outgoing queue: pending in order, attempts, sent, failed and retried', () => {
    db.outgoing.enqueue(
      { txnId: 't1', roomId: '!r:x', eventType: 'm.room.message', content: { body: 'a' } },
      1,
    );
    db.outgoing.enqueue(
      { txnId: 't2', roomId: '!r:x', eventType: 'm.room.message', content: { body: 'b' } },
      2,
    );
    db.outgoing.recordAttempt('t1', 'timeout', 3);
    expect(db.outgoing.pending().map((m) => [m.txnId, m.attempts, m.lastError])).toEqual([
      ['t1', 1, 'timeout'],
      ['t2', 0, null],
    ]);
    db.outgoing.markSent('t1', '$sent', 4);
    db.outgoing.markFailed('t2', 'forbidden', 5);
    expect(db.outgoing.pending()).toEqual([]);
    expect(db.outgoing.get('t1')).toMatchObject({
      state: 'sent',
      eventId: '$sent',
      attempts: 2,
      lastError: null,
    });
    db.outgoing.retry('t2', 6);
    expect(db.outgoing.pending().map((m) => m.txnId)).toEqual(['t2']);
    db.outgoing.remove('t2');
    expect(db.outgoing.get('t2')).toBeNull();
  });

  it('settings hold JSON values', () => {
    expect(db.settings.get('theme')).toBeUndefined();
    db.settings.set('theme', { dark: true, size: 14 });
    db.settings.set('sendReadReceipts', false);
    expect(db.settings.get('theme')).toEqual({ dark: true, size: 14 });
    expect(db.settings.get('sendReadReceipts')).toBe(false);
    db.settings.delete('theme');
    expect(db.settings.get('theme')).toBeUndefined();
    expect(() => db.settings.set('nothing', undefined)).toThrow(/no JSON form/);
  });

  it('the crypto store tables are there for the persistent IndexedDB', () => {
    db.connection
      .prepare('INSERT INTO crypto_idb_records (db_name, store_name, key, value) VALUES (?, ?, ?, ?)')
      .run('matrix-sdk-crypto', 'session', Buffer.from([1]), Buffer.from([2]));
    expect(db.connection.prepare('SELECT count(*) FROM crypto_idb_records').pluck().get()).toBe(1);
  });
});
