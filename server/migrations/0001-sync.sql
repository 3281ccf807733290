-- The sync server's schema (DESIGN.md §6). Quantities are BIGINT thousandths and money
-- BIGINT minor units, as on the till. Store-scoped rows carry store_id; the catalog is
-- chain-wide with optional per-store prices.

-- One row: this database's epoch. A database restored from a backup is given a new one
-- (admin new-epoch), so tills re-push what the backup lost. pull_floor: cursors below it
-- must start again from a snapshot.
CREATE TABLE server_state (
  id BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (id),
  epoch TEXT NOT NULL,
  pull_floor BIGINT NOT NULL DEFAULT 0,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE store (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  currency TEXT NOT NULL DEFAULT 'EUR',
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- A till's location ids ('shop', 'backroom') are per store: store A's shop is not store B's.
CREATE TABLE location (
  store_id TEXT NOT NULL REFERENCES store (id),
  id TEXT NOT NULL,
  name TEXT NOT NULL,
  PRIMARY KEY (store_id, id)
);

CREATE TABLE device (
  id TEXT PRIMARY KEY,
  store_id TEXT NOT NULL REFERENCES store (id),
  name TEXT NOT NULL,
  install_id TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE, -- sha256 of the token; the token itself is never stored
  last_seq BIGINT NOT NULL DEFAULT 0,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  last_seen_at TIMESTAMPTZ,
  clock_skew_ms BIGINT,
  revoked_at TIMESTAMPTZ
);
CREATE INDEX device_store ON device (store_id);

CREATE TABLE enrolment_code (
  code_hash TEXT PRIMARY KEY, -- sha256 of the normalised code
  store_id TEXT NOT NULL REFERENCES store (id),
  device_name TEXT,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  expires_at TIMESTAMPTZ NOT NULL,
  used_at TIMESTAMPTZ,
  used_by TEXT REFERENCES device (id)
);

-- Every op a device pushed, with its outcome: the stored result a repeated push gets back.
CREATE TABLE applied_op (
  device_id TEXT NOT NULL REFERENCES device (id),
  seq BIGINT NOT NULL,
  op_id UUID NOT NULL,
  type TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('applied', 'rejected')),
  error_reason TEXT,
  error_message TEXT,
  payload JSONB NOT NULL,
  occurred_at TIMESTAMPTZ NOT NULL,
  hlc TEXT NOT NULL,
  received_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  duplicate BOOLEAN NOT NULL DEFAULT FALSE, -- the same op_id had been applied before (re-enrolled till)
  PRIMARY KEY (device_id, seq)
);
CREATE INDEX applied_op_op ON applied_op (op_id);
CREATE INDEX applied_op_rejected ON applied_op (received_at) WHERE status = 'rejected';

CREATE TABLE orders (
  id TEXT PRIMARY KEY,
  store_id TEXT NOT NULL REFERENCES store (id),
  device_id TEXT NOT NULL REFERENCES device (id),
  number TEXT,
  kind TEXT NOT NULL CHECK (kind IN ('sale', 'refund')),
  state TEXT NOT NULL,
  original_order_id TEXT,
  total BIGINT NOT NULL,
  tax_total BIGINT NOT NULL DEFAULT 0,
  completed_at TIMESTAMPTZ NOT NULL,
  voided_at TIMESTAMPTZ,
  void_reason TEXT,
  body JSONB NOT NULL,
  op_id UUID NOT NULL
);
CREATE INDEX orders_store_completed ON orders (store_id, completed_at);
CREATE INDEX orders_original ON orders (original_order_id);

-- The ledger: deltas from tills, idempotent by movement id, never overwritten.
CREATE TABLE stock_movement (
  id TEXT PRIMARY KEY,
  store_id TEXT NOT NULL REFERENCES store (id),
  location_id TEXT NOT NULL,
  product_id TEXT NOT NULL, -- no foreign key: a sale is kept even if its product is unknown here
  kind TEXT NOT NULL,
  quantity BIGINT NOT NULL,
  occurred_at TIMESTAMPTZ NOT NULL,
  hlc TEXT NOT NULL,
  device_id TEXT NOT NULL, -- the till installation that moved the goods
  order_id TEXT,
  ref TEXT,
  reason TEXT,
  unit_cost BIGINT,
  op_id UUID NOT NULL,
  received_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX stock_movement_key ON stock_movement (store_id, location_id, product_id, occurred_at);

-- Stocktake lines (Square-style timestamped counts). ledger_before = the ledger balance at
-- counted_at (anchored on the count before it); variance = counted - ledger_before. Kept
-- current as late movements dated before the count arrive.
CREATE TABLE stock_count (
  id TEXT PRIMARY KEY, -- stocktake ref + product + location
  store_id TEXT NOT NULL REFERENCES store (id),
  location_id TEXT NOT NULL,
  product_id TEXT NOT NULL,
  counted BIGINT NOT NULL,
  counted_at TIMESTAMPTZ NOT NULL,
  ledger_before BIGINT NOT NULL,
  variance BIGINT NOT NULL,
  stocktake_ref TEXT NOT NULL,
  device_id TEXT NOT NULL,
  op_id UUID NOT NULL,
  received_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX stock_count_key ON stock_count (store_id, location_id, product_id, counted_at, id);

-- The projection: latest count + movements dated after it (or all movements when never
-- counted). Its row is also the per-key lock every ledger write takes first.
CREATE TABLE stock_level (
  store_id TEXT NOT NULL REFERENCES store (id),
  location_id TEXT NOT NULL,
  product_id TEXT NOT NULL,
  on_hand BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (store_id, location_id, product_id)
);
CREATE INDEX stock_level_negative ON stock_level (store_id) WHERE on_hand < 0;

CREATE TABLE tax_class (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  rate_bp INTEGER NOT NULL,
  hlc TEXT NOT NULL
);

CREATE TABLE category (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  position INTEGER NOT NULL DEFAULT 0,
  active BOOLEAN NOT NULL DEFAULT TRUE,
  hlc TEXT NOT NULL
);

-- Chain-wide; the latest edit by hybrid logical clock wins, wherever it was made.
CREATE TABLE product (
  id TEXT PRIMARY KEY,
  sku TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  barcodes JSONB NOT NULL DEFAULT '[]',
  category_id TEXT,
  unit TEXT NOT NULL CHECK (unit IN ('each', 'weight')),
  price BIGINT NOT NULL CHECK (price >= 0),
  tax_class_id TEXT NOT NULL,
  cost BIGINT,
  reorder_point BIGINT NOT NULL DEFAULT 0,
  active BOOLEAN NOT NULL DEFAULT TRUE,
  updated_at TEXT NOT NULL,
  hlc TEXT NOT NULL
);

CREATE TABLE store_price (
  store_id TEXT NOT NULL REFERENCES store (id),
  product_id TEXT NOT NULL REFERENCES product (id),
  price BIGINT NOT NULL CHECK (price >= 0),
  PRIMARY KEY (store_id, product_id)
);

-- The change log tills pull from: one row per entity (its latest change). change_id comes
-- from change_clock, taken as the last write of each transaction (see server/changes.ts).
-- store_key '' = chain-wide (catalog); otherwise the store whose tills need it.
CREATE TABLE change_clock (
  id BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (id),
  value BIGINT NOT NULL
);
INSERT INTO change_clock (value) VALUES (0);

CREATE SEQUENCE change_log_ord;
CREATE TABLE change_log (
  entity TEXT NOT NULL CHECK (entity IN ('product', 'category', 'tax_class', 'price', 'stock')),
  store_key TEXT NOT NULL,
  entity_id TEXT NOT NULL, -- for stock: location_id || '/' || product_id
  change_id BIGINT NOT NULL,
  ord BIGINT NOT NULL DEFAULT nextval('change_log_ord'),
  PRIMARY KEY (entity, store_key, entity_id)
);
CREATE INDEX change_log_order ON change_log (change_id, ord);

-- Notes staff keep about customers and orders (the back office's support notes), from
-- any till of the store. A resolution may arrive before the note it closes (two tills).
CREATE TABLE support_note (
  id TEXT PRIMARY KEY,
  store_id TEXT NOT NULL REFERENCES store (id),
  device_id TEXT NOT NULL,
  customer_id TEXT,
  order_id TEXT,
  category TEXT NOT NULL,
  body TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
  resolution TEXT,
  author TEXT,
  created_at TIMESTAMPTZ,
  resolved_by TEXT,
  resolved_at TIMESTAMPTZ,
  op_id UUID NOT NULL
);
CREATE INDEX support_note_customer ON support_note (customer_id, created_at);
CREATE INDEX support_note_order ON support_note (order_id);

INSERT INTO server_state (epoch) VALUES (replace(gen_random_uuid()::text, '-', ''));
