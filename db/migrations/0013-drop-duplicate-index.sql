-- stock_movement_product (product_id, location_id, occurred_at) is a prefix of
-- stock_movement_balance (0009), which serves every query it served. Each sale wrote ~7 WAL
-- pages into it for nothing (bench figure 1).
DROP INDEX stock_movement_product;
