-- Sync with the server (DESIGN.md §6): where this till is enrolled, how far it has pulled,
-- and the server's stock levels for this store. The device token lives in the setting
-- table (key sync_token) until Electron wraps it with safeStorage.
CREATE TABLE sync_state (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  server_url TEXT NOT NULL,
  device_id TEXT NOT NULL, -- the server's id for this till
  device_name TEXT NOT NULL,
  store_id TEXT NOT NULL,
  store_name TEXT NOT NULL,
  epoch TEXT NOT NULL, -- the server's epoch as last seen: another one means it was restored
  pull_cursor TEXT, -- NULL: the next pull starts from a full snapshot
  pulled_seq INTEGER NOT NULL DEFAULT 0, -- server_stock includes this till's ops up to this seq
  enrolled_at TEXT NOT NULL,
  last_sync_at TEXT,
  last_error_reason TEXT,
  last_error_message TEXT,
  last_error_at TEXT,
  -- Set when retrying cannot help (revoked, upgrade_required, seq_reused): enrol again.
  halted TEXT
) STRICT;

-- The server's on-hand per product and location for this till's store, as of the last pull.
CREATE TABLE server_stock (
  product_id TEXT NOT NULL,
  location_id TEXT NOT NULL,
  on_hand INTEGER NOT NULL,
  PRIMARY KEY (product_id, location_id)
) STRICT, WITHOUT ROWID;
