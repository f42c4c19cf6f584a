// Relations (MSC2674 edits, MSC2677 reactions) and redactions are found by their target: an
// expression index over the id an event points at, so the aggregation of a page reads only the
// events related to it. The expression must stay byte-identical to RELATION_TARGET in
// timeline/relation-index.ts, or SQLite will not use the index.
//
// The target is the clear m.relates_to (an encrypted event carries it in the clear, per spec),
// else a redaction's `redacts`, else the m.relates_to of the decrypted form. Being an index,
// it follows every write (a decryption, a redaction wiping the content) with no second copy.
import type { Migration } from './migration.ts';

export const relationsSchema: Migration = {
  version: 3,
  name: 'relations',
  up(db) {
    db.exec(`
      CREATE INDEX timeline_events_by_relation_target ON timeline_events (
        room_id,
        coalesce(
          json_extract(content, '$."m.relates_to".event_id'),
          json_extract(content, '$.redacts'),
          json_extract(decrypted, '$.content."m.relates_to".event_id')
        )
      );
    `);
  },
};
