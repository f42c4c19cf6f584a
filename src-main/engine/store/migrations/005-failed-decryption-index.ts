// Events that failed to decrypt, indexed apart: at every start Tessera looks for the ones a key
// that arrived meanwhile may cure, and without this index that look read every stored event
// (139 ms of a 10,000-event profile's restart, before the first timeline could be read).
import type { Migration } from './migration.ts';

export const failedDecryptionIndex: Migration = {
  version: 5,
  name: 'failed decryption index',
  up(db) {
    db.exec(`
      CREATE INDEX timeline_events_failed_decryption ON timeline_events (room_id, id)
        WHERE decryption = 'failed';
    `);
  },
};
