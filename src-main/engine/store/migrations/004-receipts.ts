// Read receipts: each user's latest public (m.read) and private (m.read.private) receipt per room,
// on the main timeline only. Ours decide the local unread counts of encrypted rooms; others' show
// who read up to where.
import type { Migration } from './migration.ts';

export const receiptsSchema: Migration = {
  version: 4,
  name: 'receipts',
  up(db) {
    db.exec(`
      CREATE TABLE receipts (
        room_id TEXT NOT NULL REFERENCES rooms (room_id) ON DELETE CASCADE,
        user_id TEXT NOT NULL,
        receipt_type TEXT NOT NULL CHECK (receipt_type IN ('m.read', 'm.read.private')),
        event_id TEXT NOT NULL,
        ts INTEGER NOT NULL,
        PRIMARY KEY (room_id, user_id, receipt_type)
      ) WITHOUT ROWID;

      CREATE INDEX receipts_by_event ON receipts (room_id, event_id);
    `);
  },
};
