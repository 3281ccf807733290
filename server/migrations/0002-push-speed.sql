-- Push speed (issue 7).
--
-- What a till sent, kept as sent: nothing reads inside an op's payload or an order's body
-- (their fields live in columns and in stock_movement), so they are json — validated and
-- stored as text — rather than jsonb, which PostgreSQL rebuilds into its binary form on every
-- insert (two to three times the cost of the whole insert for a batch of sales). The payloads
-- are a few kB each: compressed with lz4 where this PostgreSQL has it (much cheaper than the
-- default pglz); a build without it keeps pglz.
ALTER TABLE applied_op ALTER COLUMN payload TYPE json USING payload::json;
ALTER TABLE orders ALTER COLUMN body TYPE json USING body::json;
DO $$
BEGIN
  ALTER TABLE applied_op ALTER COLUMN payload SET COMPRESSION lz4;
  ALTER TABLE orders ALTER COLUMN body SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
  NULL;
END
$$;

-- The latest count's counted_at per key (NULL: never counted). A movement dated after it
-- moves on-hand directly; one dated at or before it is routed to a count's balance. Read
-- from the row a push has just locked, so a push decides without a second statement.
ALTER TABLE stock_level ADD COLUMN counted_at TIMESTAMPTZ;
UPDATE stock_level s SET counted_at = c.latest
FROM (SELECT store_id, location_id, product_id, max(counted_at) AS latest FROM stock_count GROUP BY 1, 2, 3) c
WHERE s.store_id = c.store_id AND s.location_id = c.location_id AND s.product_id = c.product_id;

-- Every push rewrites its device row (last seq) and each stock_level row it touches (the
-- lock, then the new on-hand). Room left free on each page lets PostgreSQL keep those new
-- row versions on the same page without touching the indexes (HOT updates).
ALTER TABLE stock_level SET (fillfactor = 70);
ALTER TABLE device SET (fillfactor = 70);
