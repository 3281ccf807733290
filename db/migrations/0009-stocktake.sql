-- Stocktakes (DESIGN.md §6): a count of everything, a category or a chosen list at one
-- location, counted entry by entry (each with its till, staff member and counted_at) while
-- the shop keeps selling, then applied as one 'count' movement per line.
CREATE TABLE stocktake (
  id TEXT PRIMARY KEY,
  name TEXT,
  location_id TEXT NOT NULL REFERENCES location (id),
  scope TEXT NOT NULL CHECK (scope IN ('all', 'category', 'products')),
  category_id TEXT REFERENCES category (id),
  state TEXT NOT NULL DEFAULT 'counting' CHECK (state IN ('counting', 'applied', 'cancelled')),
  uncounted TEXT NOT NULL DEFAULT 'leave' CHECK (uncounted IN ('leave', 'zero')),
  device_id TEXT NOT NULL,
  started_by TEXT REFERENCES staff (id),
  started_at TEXT NOT NULL,
  applied_by TEXT REFERENCES staff (id),
  approved_by TEXT REFERENCES staff (id),
  applied_at TEXT,
  cancelled_by TEXT REFERENCES staff (id),
  cancelled_at TEXT
) STRICT;
CREATE INDEX stocktake_started ON stocktake (started_at);

-- The products in scope, fixed when the count starts (a product added to the category or
-- the catalog later joins when first counted). After apply, each row keeps what was
-- applied, so the report stays the same once the count's own movements are in the ledger.
CREATE TABLE stocktake_item (
  stocktake_id TEXT NOT NULL REFERENCES stocktake (id),
  product_id TEXT NOT NULL REFERENCES product (id),
  excluded INTEGER NOT NULL DEFAULT 0 CHECK (excluded IN (0, 1)),
  result TEXT CHECK (result IN ('applied', 'zeroed', 'superseded', 'excluded', 'uncounted')),
  counted INTEGER,
  counted_at TEXT,
  expected INTEGER,
  variance INTEGER,
  unit_cost INTEGER,
  PRIMARY KEY (stocktake_id, product_id)
) STRICT, WITHOUT ROWID;

-- One scan or typed quantity. A line's counted quantity is the sum of its live entries
-- (replaced_by IS NULL); a recount marks the old ones replaced instead of deleting them.
CREATE TABLE stocktake_count (
  id TEXT PRIMARY KEY,
  stocktake_id TEXT NOT NULL REFERENCES stocktake (id),
  product_id TEXT NOT NULL REFERENCES product (id),
  quantity INTEGER NOT NULL CHECK (quantity >= 0),
  source TEXT NOT NULL CHECK (source IN ('scan', 'typed', 'recount', 'zeroed')),
  code TEXT,
  staff_id TEXT REFERENCES staff (id),
  device_id TEXT NOT NULL,
  counted_at TEXT NOT NULL,
  hlc TEXT NOT NULL,
  replaced_by TEXT
) STRICT;
-- The review sums a line's live entries and takes their latest time from this index alone.
CREATE INDEX stocktake_count_live ON stocktake_count (stocktake_id, product_id, counted_at, quantity)
  WHERE replaced_by IS NULL;

-- The variance query sums one product's ledger up to a moment and looks for later counts:
-- covering, so neither reads the movement rows themselves.
CREATE INDEX stock_movement_balance ON stock_movement (product_id, location_id, occurred_at, quantity, kind);
