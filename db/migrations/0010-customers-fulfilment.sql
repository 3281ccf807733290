-- Customers and their support notes, fulfilment of orders taken for delivery, and the
-- indexes that keep order history fast at hundreds of thousands of orders.

-- Phone search ignores spaces, dashes and brackets: the digits are kept beside the phone
-- as typed. Consent to marketing is recorded with the moment it was given.
ALTER TABLE customer ADD COLUMN phone_digits TEXT;
ALTER TABLE customer ADD COLUMN marketing_consent_at TEXT;
ALTER TABLE customer ADD COLUMN updated_at TEXT;
UPDATE customer SET updated_at = created_at,
  phone_digits = replace(replace(replace(replace(replace(replace(phone, ' ', ''), '-', ''), '(', ''), ')', ''), '.', ''), '+', '');
CREATE INDEX customer_name_nocase ON customer (name COLLATE NOCASE);
CREATE INDEX customer_email_nocase ON customer (email COLLATE NOCASE);
CREATE INDEX customer_phone_digits ON customer (phone_digits);

-- A note about a customer and/or one of their orders: open until someone resolves it.
CREATE TABLE support_note (
  id TEXT PRIMARY KEY,
  customer_id TEXT REFERENCES customer (id),
  order_id TEXT REFERENCES orders (id),
  category TEXT NOT NULL CHECK (category IN ('question', 'complaint', 'return', 'feedback')),
  body TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
  resolution TEXT,
  created_by TEXT NOT NULL REFERENCES staff (id),
  created_at TEXT NOT NULL,
  resolved_by TEXT REFERENCES staff (id),
  resolved_at TEXT,
  CHECK (customer_id IS NOT NULL OR order_id IS NOT NULL),
  CHECK ((status = 'open' AND resolved_at IS NULL AND resolution IS NULL)
      OR (status = 'resolved' AND resolved_at IS NOT NULL AND resolution IS NOT NULL))
) STRICT;
CREATE INDEX support_note_inbox ON support_note (status, created_at, id);
CREATE INDEX support_note_created ON support_note (created_at, id);
CREATE INDEX support_note_customer ON support_note (customer_id, status, created_at);
CREATE INDEX support_note_order ON support_note (order_id);

-- An order taken for delivery: where it goes and how far it got (to_ship → shipped → delivered).
CREATE TABLE fulfilment (
  order_id TEXT PRIMARY KEY REFERENCES orders (id),
  state TEXT NOT NULL CHECK (state IN ('to_ship', 'shipped', 'delivered')),
  recipient TEXT NOT NULL,
  line1 TEXT NOT NULL,
  line2 TEXT,
  city TEXT NOT NULL,
  region TEXT,
  postcode TEXT,
  country TEXT NOT NULL,
  phone TEXT,
  instructions TEXT,
  carrier TEXT,
  tracking_number TEXT,
  created_by TEXT NOT NULL REFERENCES staff (id),
  created_at TEXT NOT NULL,
  shipped_at TEXT,
  delivered_at TEXT,
  CHECK (state = 'to_ship' OR (carrier IS NOT NULL AND tracking_number IS NOT NULL AND shipped_at IS NOT NULL)),
  CHECK (state <> 'delivered' OR delivered_at IS NOT NULL)
) STRICT, WITHOUT ROWID;
CREATE INDEX fulfilment_state ON fulfilment (state, created_at);

-- Order history pages newest first by (completed_at, id); each filter that narrows by an
-- indexed column gets an index ending in the same pair, so a page is one index walk. The
-- main one also carries kind, total and number, so filtering by those (a refund, an amount,
-- part of a number) reads the index alone, never the rows.
CREATE INDEX orders_history ON orders (completed_at, id, kind, total, number);
CREATE INDEX orders_customer_history ON orders (customer_id, completed_at, id);
CREATE INDEX orders_staff_history ON orders (staff_id, completed_at, id);
CREATE INDEX order_line_product_order ON order_line (product_id, order_id);
CREATE INDEX tender_kind_order ON tender (kind, order_id);
