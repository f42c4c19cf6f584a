// The first schema: everything the engine keeps for one account. JSON columns are checked with
// json_valid so a bug cannot store something unparseable; message text lives only in
// timeline_events (content / decrypted), inside SQLCipher like everything else.
import type { Migration } from './migration.ts';

const MEMBERSHIP = "('join', 'invite', 'knock', 'leave', 'ban')";

const schema = `
CREATE TABLE session (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  homeserver TEXT NOT NULL,
  user_id TEXT NOT NULL,
  device_id TEXT NOT NULL,
  access_token TEXT NOT NULL,
  created_at INTEGER NOT NULL
);

-- One position per sync API: sliding sync's pos, or /v3/sync's since.
CREATE TABLE sync_state (
  api TEXT PRIMARY KEY CHECK (api IN ('sliding', 'v3')),
  position TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE rooms (
  room_id TEXT PRIMARY KEY,
  membership TEXT NOT NULL CHECK (membership IN ${MEMBERSHIP}),
  -- The name the room list shows, as the room model last computed it.
  display_name TEXT,
  name TEXT,
  canonical_alias TEXT,
  topic TEXT,
  avatar_url TEXT,
  is_direct INTEGER NOT NULL DEFAULT 0 CHECK (is_direct IN (0, 1)),
  is_encrypted INTEGER NOT NULL DEFAULT 0 CHECK (is_encrypted IN (0, 1)),
  inviter TEXT,
  heroes TEXT CHECK (heroes IS NULL OR json_valid(heroes)),
  joined_member_count INTEGER,
  invited_member_count INTEGER,
  notification_count INTEGER NOT NULL DEFAULT 0,
  highlight_count INTEGER NOT NULL DEFAULT 0,
  last_activity INTEGER NOT NULL DEFAULT 0,
  updated_at INTEGER NOT NULL
);

-- Once encrypted, always encrypted, whatever a later write says.
CREATE TRIGGER rooms_encryption_is_sticky
BEFORE UPDATE OF is_encrypted ON rooms
WHEN OLD.is_encrypted = 1 AND NEW.is_encrypted = 0
BEGIN
  SELECT RAISE(ABORT, 'rooms.is_encrypted cannot go back to 0');
END;

CREATE TABLE room_state (
  room_id TEXT NOT NULL REFERENCES rooms (room_id) ON DELETE CASCADE,
  type TEXT NOT NULL,
  state_key TEXT NOT NULL,
  event_id TEXT,
  sender TEXT NOT NULL,
  content TEXT NOT NULL CHECK (json_valid(content)),
  PRIMARY KEY (room_id, type, state_key)
) WITHOUT ROWID;

CREATE TABLE members (
  room_id TEXT NOT NULL REFERENCES rooms (room_id) ON DELETE CASCADE,
  user_id TEXT NOT NULL,
  membership TEXT NOT NULL CHECK (membership IN ${MEMBERSHIP}),
  display_name TEXT,
  avatar_url TEXT,
  PRIMARY KEY (room_id, user_id)
) WITHOUT ROWID;

-- Rows go in insertion order (rowid), so a sync batch fills fresh pages at the end of the table
-- instead of splitting pages inside the room's range: fewer pages per commit, and every page
-- written costs an encryption. The (room, ordering) index serves the timeline reads.
CREATE TABLE timeline_events (
  id INTEGER PRIMARY KEY,
  room_id TEXT NOT NULL REFERENCES rooms (room_id) ON DELETE CASCADE,
  ordering INTEGER NOT NULL,
  event_id TEXT NOT NULL,
  sender TEXT NOT NULL,
  type TEXT NOT NULL,
  state_key TEXT,
  origin_server_ts INTEGER NOT NULL,
  content TEXT NOT NULL CHECK (json_valid(content)),
  unsigned TEXT CHECK (unsigned IS NULL OR json_valid(unsigned)),
  -- none: not encrypted; pending: waiting for its room key; decrypted; failed (for good).
  decryption TEXT NOT NULL CHECK (decryption IN ('none', 'pending', 'decrypted', 'failed')),
  -- The decrypted event ({type, content}) for m.room.encrypted events, once decrypted.
  decrypted TEXT CHECK (decrypted IS NULL OR json_valid(decrypted))
);

CREATE UNIQUE INDEX timeline_events_by_ordering ON timeline_events (room_id, ordering);
CREATE UNIQUE INDEX timeline_events_by_event_id ON timeline_events (room_id, event_id);
CREATE INDEX timeline_events_pending_decryption ON timeline_events (room_id) WHERE decryption = 'pending';

-- Missing history: the events just before \`ordering\` can be fetched with /messages from prev_batch.
CREATE TABLE timeline_gaps (
  room_id TEXT NOT NULL REFERENCES rooms (room_id) ON DELETE CASCADE,
  ordering INTEGER NOT NULL,
  prev_batch TEXT NOT NULL,
  PRIMARY KEY (room_id, ordering)
) WITHOUT ROWID;

CREATE TABLE outgoing_queue (
  txn_id TEXT PRIMARY KEY,
  room_id TEXT NOT NULL,
  event_type TEXT NOT NULL,
  content TEXT NOT NULL CHECK (json_valid(content)),
  state TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  event_id TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE INDEX outgoing_queue_by_state ON outgoing_queue (state, created_at);

CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL CHECK (json_valid(value))
) WITHOUT ROWID;

-- Append-only, hash-chained (security-log.ts). The triggers make an edit take deliberate work.
CREATE TABLE security_log (
  seq INTEGER PRIMARY KEY,
  time INTEGER NOT NULL,
  kind TEXT NOT NULL,
  details TEXT NOT NULL CHECK (json_valid(details)),
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);

CREATE TRIGGER security_log_no_update BEFORE UPDATE ON security_log
BEGIN
  SELECT RAISE(ABORT, 'security_log is append-only');
END;

CREATE TRIGGER security_log_no_delete BEFORE DELETE ON security_log
BEGIN
  SELECT RAISE(ABORT, 'security_log is append-only');
END;

-- The persistent IndexedDB behind the OlmMachine store (src-main/engine/crypto-store).
CREATE TABLE crypto_idb_schema (
  db_name TEXT PRIMARY KEY,
  version INTEGER NOT NULL,
  schema TEXT NOT NULL
);

CREATE TABLE crypto_idb_records (
  db_name TEXT NOT NULL,
  store_name TEXT NOT NULL,
  key BLOB NOT NULL,
  value BLOB NOT NULL,
  PRIMARY KEY (db_name, store_name, key)
) WITHOUT ROWID;
`;

export const initialSchema: Migration = {
  version: 1,
  name: 'initial schema',
  up(db) {
    db.exec(schema);
  },
};
