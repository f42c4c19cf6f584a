// Migration 003: the relation-target index exists, serves RelationIndex's query, and covers
// events written before it (an index is built from the rows already there).
import Sqlite from 'better-sqlite3-multiple-ciphers';
import { afterEach, describe, expect, it } from 'vitest';
import { migrations } from '../../../src-main/engine/store/migrations/index.ts';
import { SchemaMigrations } from '../../../src-main/engine/store/schema-migrations.ts';
import { RelationIndex } from '../../../src-main/engine/timeline/relation-index.ts';
import { makeProfile, message, room, type Profile } from './store-fixture.ts';

let profile: Profile | undefined;
afterEach(() => profile?.cleanup());

describe('003 relations', () => {
  it('indexes the target of relations and redactions, including rows written before it', () => {
    const db = new Sqlite(':memory:');
    new SchemaMigrations(migrations.slice(0, 2)).migrate(db);
    db.prepare(
      "INSERT INTO rooms (room_id, membership, display_name, updated_at) VALUES ('!r', 'join', 'R', 0)",
    ).run();
    db.prepare(
      `INSERT INTO timeline_events (room_id, ordering, event_id, sender, type, origin_server_ts, content, decryption)
       VALUES ('!r', 0, '$reaction', '@b:x', 'm.reaction', 0, '{"m.relates_to":{"rel_type":"m.annotation","event_id":"$t","key":"k"}}', 'none')`,
    ).run();
    new SchemaMigrations(migrations.slice(0, 3)).migrate(db);
    const indexes = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'timeline_events'")
      .pluck()
      .all();
    expect(indexes).toContain('timeline_events_by_relation_target');
    db.close();
  });

  it('serves RelationIndex.relatedTo with the index, for clear, redaction and decrypted relations', () => {
    profile = makeProfile();
    const db = profile.open();
    db.rooms.upsertMany([room('!r')]);
    db.timeline.appendBatch('!r', [
      message('$t', 'target'),
      message('$edit', 'edit', {
        content: { body: '* x', 'm.relates_to': { rel_type: 'm.replace', event_id: '$t' } },
      }),
      message('$redaction', '', { type: 'm.room.redaction', content: { redacts: '$t' } }),
      message('$enc', '', {
        type: 'm.room.encrypted',
        content: { algorithm: 'm.megolm.v1.aes-sha2', ciphertext: 'x' },
        decryption: 'decrypted',
        decrypted: {
          type: 'm.reaction',
          content: { 'm.relates_to': { rel_type: 'm.annotation', event_id: '$t', key: 'k' } },
        },
      }),
      message('$other', 'unrelated'),
    ]);
    const index = new RelationIndex(db);
    expect(index.relatedTo('!r', '$t').map((event) => event.eventId)).toEqual([
      '$edit',
      '$redaction',
      '$enc',
    ]);
    expect(index.plan().join('\n')).toContain('timeline_events_by_relation_target');
    db.close();
  });
});
