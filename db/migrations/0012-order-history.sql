-- Order history at a million orders (issue 7): a page of any filter is a short walk along an
-- index in (completed_at, id) order, or a small set read whole from an index of its own and
-- sorted; counting the matches is a call of its own, made after the page is shown.

-- 0010's history indexes begin with the same columns as these three, so they serve every
-- query these did, and completing a sale writes fewer index entries.
DROP INDEX orders_completed;
DROP INDEX orders_customer;
DROP INDEX order_line_product;

-- Refunds are a few in a hundred orders: newest first from an index of their own instead of
-- walking past every sale.
CREATE INDEX orders_refund_history ON orders (completed_at, id) WHERE kind = 'refund';

-- The amount filter compares a total's size (refunds are negative). A narrow range reads its
-- orders from here and sorts them; a wide one walks the history. Completed orders only, so
-- the total of a sale being rung up never touches it.
CREATE INDEX orders_amount ON orders (abs(total), completed_at, id) WHERE completed_at IS NOT NULL;

-- Part of an order number ("4821" in T01-004821): trigrams of the digits after the till code,
-- rowid = orders.rowid, kept by triggers. Only the digits: the code is the same on nearly
-- every order, so it would add much and narrow nothing; the history walk finds matches in it.
-- Contentless (the number is in orders) and without per-row sizes (nothing is ranked).
CREATE VIRTUAL TABLE order_number_search USING fts5 (
  digits, tokenize = 'trigram', content = '', columnsize = 0
);
INSERT INTO order_number_search (rowid, digits)
SELECT rowid, substr(number, instr(number, '-') + 1) FROM orders WHERE number IS NOT NULL;

-- A contentless index forgets a row only when told the text it was given ('delete').
CREATE TRIGGER order_number_search_insert AFTER INSERT ON orders WHEN new.number IS NOT NULL BEGIN
  INSERT INTO order_number_search (rowid, digits)
  VALUES (new.rowid, substr(new.number, instr(new.number, '-') + 1));
END;
CREATE TRIGGER order_number_search_update AFTER UPDATE OF number ON orders
WHEN old.number IS NOT new.number BEGIN
  INSERT INTO order_number_search (order_number_search, rowid, digits)
  SELECT 'delete', old.rowid, substr(old.number, instr(old.number, '-') + 1) WHERE old.number IS NOT NULL;
  INSERT INTO order_number_search (rowid, digits)
  SELECT new.rowid, substr(new.number, instr(new.number, '-') + 1) WHERE new.number IS NOT NULL;
END;
CREATE TRIGGER order_number_search_delete AFTER DELETE ON orders WHEN old.number IS NOT NULL BEGIN
  INSERT INTO order_number_search (order_number_search, rowid, digits)
  VALUES ('delete', old.rowid, substr(old.number, instr(old.number, '-') + 1));
END;
