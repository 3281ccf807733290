-- Reports and the stock list.

-- What one unit (one kg of a weighed product) cost the shop when the line was rung up, so
-- a supplier's later price rise never rewrites past margins; NULL where the cost was not
-- known. Lines sold before this migration get the cost their product has now: the best
-- figure left. Refund lines leave it NULL and take their sold line's cost in reports.
ALTER TABLE order_line ADD COLUMN unit_cost INTEGER CHECK (unit_cost IS NULL OR unit_cost >= 0);
UPDATE order_line SET unit_cost = (SELECT cost FROM product WHERE product.id = order_line.product_id)
WHERE original_line_id IS NULL;

-- The stock list's "negative stock" filter starts from the few levels below zero instead of
-- walking every product.
CREATE INDEX stock_level_on_hand ON stock_level (location_id, on_hand);

-- Inactive products are few: the "inactive" filter walks these in name order instead of
-- every product's.
CREATE INDEX product_inactive_name ON product (name COLLATE NOCASE) WHERE active = 0;
