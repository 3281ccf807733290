-- Locations, customers, orders with lines and tenders, the stock ledger and its
-- projection, shifts and cash, and the sync outbox. Quantities are INTEGER thousandths
-- (1 each = 1000; 0.375 kg = 375), so weighed goods need no floating point.
CREATE TABLE location (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL
) STRICT;
-- Every till has at least its shop floor; more (back room, other stores) come from the server.
INSERT INTO location (id, name) VALUES ('shop', 'Shop floor');

CREATE TABLE customer (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  phone TEXT,
  email TEXT,
  notes TEXT,
  marketing_consent INTEGER NOT NULL DEFAULT 0 CHECK (marketing_consent IN (0, 1)),
  created_at TEXT NOT NULL
) STRICT;
CREATE INDEX customer_name ON customer (name);
CREATE INDEX customer_phone ON customer (phone);

CREATE TABLE shift (
  id TEXT PRIMARY KEY,
  opened_by TEXT NOT NULL REFERENCES staff (id),
  opened_at TEXT NOT NULL,
  float INTEGER NOT NULL CHECK (float >= 0),
  blind INTEGER NOT NULL DEFAULT 1 CHECK (blind IN (0, 1)),
  closed_by TEXT REFERENCES staff (id),
  closed_at TEXT,
  counted_cash INTEGER,
  expected_cash INTEGER
) STRICT;
-- At most one open shift per till.
CREATE UNIQUE INDEX shift_one_open ON shift ((closed_at IS NULL)) WHERE closed_at IS NULL;

CREATE TABLE cash_movement (
  id TEXT PRIMARY KEY,
  shift_id TEXT NOT NULL REFERENCES shift (id),
  kind TEXT NOT NULL CHECK (kind IN ('in', 'out', 'no_sale')),
  amount INTEGER NOT NULL CHECK (amount >= 0),
  reason TEXT NOT NULL,
  staff_id TEXT NOT NULL REFERENCES staff (id),
  at TEXT NOT NULL
) STRICT;
CREATE INDEX cash_movement_shift ON cash_movement (shift_id);

CREATE TABLE orders (
  id TEXT PRIMARY KEY,
  number TEXT UNIQUE, -- T01-000123, given when completed
  kind TEXT NOT NULL CHECK (kind IN ('sale', 'refund')),
  state TEXT NOT NULL CHECK (state IN ('open', 'parked', 'completed', 'partially_refunded', 'refunded', 'voided')),
  original_order_id TEXT REFERENCES orders (id), -- a refund's sale
  customer_id TEXT REFERENCES customer (id),
  staff_id TEXT NOT NULL REFERENCES staff (id),
  shift_id TEXT REFERENCES shift (id),
  order_discount INTEGER NOT NULL DEFAULT 0 CHECK (order_discount >= 0),
  subtotal INTEGER NOT NULL DEFAULT 0,
  discount_total INTEGER NOT NULL DEFAULT 0,
  tax_total INTEGER NOT NULL DEFAULT 0,
  total INTEGER NOT NULL DEFAULT 0,
  cash_rounding INTEGER NOT NULL DEFAULT 0,
  note TEXT,
  opened_at TEXT NOT NULL,
  parked_at TEXT,
  completed_at TEXT,
  voided_at TEXT,
  voided_by TEXT REFERENCES staff (id)
) STRICT;
CREATE INDEX orders_state ON orders (state);
CREATE INDEX orders_completed ON orders (completed_at);
CREATE INDEX orders_customer ON orders (customer_id, completed_at);
CREATE INDEX orders_original ON orders (original_order_id);

CREATE TABLE order_line (
  id TEXT PRIMARY KEY,
  order_id TEXT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  product_id TEXT NOT NULL REFERENCES product (id),
  sku TEXT NOT NULL, -- snapshots: the receipt never changes when the catalog does
  name TEXT NOT NULL,
  unit TEXT NOT NULL CHECK (unit IN ('each', 'weight')),
  quantity INTEGER NOT NULL CHECK (quantity > 0), -- thousandths
  unit_price INTEGER NOT NULL CHECK (unit_price >= 0),
  price_overridden INTEGER NOT NULL DEFAULT 0 CHECK (price_overridden IN (0, 1)),
  line_discount INTEGER NOT NULL DEFAULT 0 CHECK (line_discount >= 0),
  order_discount INTEGER NOT NULL DEFAULT 0, -- this line's share of the order discount
  tax_rate_bp INTEGER NOT NULL,
  tax INTEGER NOT NULL DEFAULT 0,
  total INTEGER NOT NULL DEFAULT 0, -- what the customer pays for the line, tax included
  original_line_id TEXT REFERENCES order_line (id), -- a refund line's sold line
  restock INTEGER NOT NULL DEFAULT 1 CHECK (restock IN (0, 1)),
  UNIQUE (order_id, position)
) STRICT;
CREATE INDEX order_line_product ON order_line (product_id);
CREATE INDEX order_line_original ON order_line (original_line_id);

CREATE TABLE tender (
  id TEXT PRIMARY KEY,
  order_id TEXT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('cash', 'card', 'voucher', 'store_credit', 'other')),
  amount INTEGER NOT NULL, -- applied to the order (negative on refunds)
  tendered INTEGER, -- cash handed over
  change INTEGER NOT NULL DEFAULT 0,
  reference TEXT, -- card approval code, voucher number
  original_tender_id TEXT REFERENCES tender (id)
) STRICT;
CREATE INDEX tender_order ON tender (order_id);

-- Per-till counters that never repeat (order numbers).
CREATE TABLE counter (
  name TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) STRICT;

-- The stock ledger is the truth; stock_level is its projection, kept in the same transaction.
CREATE TABLE stock_movement (
  id TEXT PRIMARY KEY,
  product_id TEXT NOT NULL REFERENCES product (id),
  location_id TEXT NOT NULL REFERENCES location (id),
  kind TEXT NOT NULL CHECK (kind IN ('sale', 'return', 'goods_in', 'adjustment', 'count', 'transfer')),
  quantity INTEGER NOT NULL, -- signed thousandths
  unit_cost INTEGER,
  reason TEXT,
  order_id TEXT REFERENCES orders (id),
  ref TEXT, -- goods-in, stocktake or transfer id
  staff_id TEXT REFERENCES staff (id),
  device_id TEXT NOT NULL,
  occurred_at TEXT NOT NULL,
  hlc TEXT NOT NULL
) STRICT;
CREATE INDEX stock_movement_product ON stock_movement (product_id, location_id, occurred_at);
CREATE INDEX stock_movement_order ON stock_movement (order_id);

CREATE TABLE stock_level (
  product_id TEXT NOT NULL REFERENCES product (id),
  location_id TEXT NOT NULL REFERENCES location (id),
  on_hand INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (product_id, location_id)
) STRICT, WITHOUT ROWID;

-- Every business event appends one op here in its own transaction (DESIGN.md §6).
CREATE TABLE outbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  op_id TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL,
  payload TEXT NOT NULL,
  occurred_at TEXT NOT NULL,
  hlc TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'waiting' CHECK (status IN ('waiting', 'applied', 'rejected')),
  error TEXT,
  acked_at TEXT
) STRICT;
CREATE INDEX outbox_waiting ON outbox (status, seq);
