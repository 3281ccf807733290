/**
 * The server's stock ledger (DESIGN.md §6). Tills send deltas (movements, idempotent by
 * id) and timestamped counts; nothing a till sends ever overwrites a level.
 *
 * For each (store, location, product):
 * - the ledger balance at time t = the last count at or before t (its counted quantity)
 *   plus the movements dated after that count and at or before t; with no count, the sum
 *   of the movements dated at or before t;
 * - a count's variance = counted − the balance just before it (movements dated exactly at
 *   counted_at belong before the count);
 * - on-hand = the balance now = the latest count + movements dated after it.
 * So a late sale dated before a count changes that count's variance, not the on-hand
 * after it. stock_level holds on-hand; stock_count holds each count's balance and variance.
 * Every write first locks the key's stock_level row, so two pushes touching the same key
 * see each other's committed rows (READ COMMITTED reads afresh after the lock).
 */
import { type ChangeSet, stockEntityId } from './changes.ts';
import type { Queryable } from './db.ts';

export interface MovementInput {
  id: string;
  productId: string;
  locationId: string;
  kind: string;
  quantity: number;
  occurredAt: string;
  hlc: string;
  deviceId: string;
  orderId?: string | null | undefined;
  ref?: string | null | undefined;
  reason?: string | null | undefined;
  unitCost?: number | null | undefined;
}

export interface CountInput {
  productId: string;
  locationId: string;
  counted: number;
  countedAt: string;
}

interface Key {
  storeId: string;
  locationId: string;
  productId: string;
}

async function lockKey(tx: Queryable, key: Key): Promise<void> {
  await tx.query(
    `INSERT INTO stock_level (store_id, location_id, product_id, on_hand) VALUES ($1, $2, $3, 0)
     ON CONFLICT (store_id, location_id, product_id) DO UPDATE SET on_hand = stock_level.on_hand`,
    [key.storeId, key.locationId, key.productId],
  );
}

/** Records one movement once; a movement id seen before changes nothing. Returns whether it was new. */
export async function applyMovement(
  tx: Queryable,
  storeId: string,
  m: MovementInput,
  opId: string,
  changes: ChangeSet,
): Promise<boolean> {
  const key = { storeId, locationId: m.locationId, productId: m.productId };
  await lockKey(tx, key);
  const inserted = await tx.query(
    `INSERT INTO stock_movement (id, store_id, location_id, product_id, kind, quantity, occurred_at, hlc, device_id, order_id, ref, reason, unit_cost, op_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) ON CONFLICT (id) DO NOTHING`,
    [
      m.id,
      storeId,
      m.locationId,
      m.productId,
      m.kind,
      m.quantity,
      m.occurredAt,
      m.hlc,
      m.deviceId,
      m.orderId ?? null,
      m.ref ?? null,
      m.reason ?? null,
      m.unitCost ?? null,
      opId,
    ],
  );
  if (inserted.rowCount === 0) return false;
  // Dated at or before a count: it belongs to the first such count's balance (its variance
  // moves); after every count: it moves on-hand.
  await tx.query(
    `WITH next AS (
       SELECT id FROM stock_count WHERE store_id = $1 AND location_id = $2 AND product_id = $3 AND counted_at >= $4
       ORDER BY counted_at, id LIMIT 1
     ), counted AS (
       UPDATE stock_count SET ledger_before = ledger_before + $5, variance = variance - $5 WHERE id = (SELECT id FROM next)
     )
     UPDATE stock_level SET on_hand = on_hand + $5
     WHERE store_id = $1 AND location_id = $2 AND product_id = $3 AND NOT EXISTS (SELECT 1 FROM next)`,
    [storeId, m.locationId, m.productId, m.occurredAt, m.quantity],
  );
  changes.add('stock', storeId, stockEntityId(m.locationId, m.productId));
  return true;
}

const sumBetween = `coalesce((SELECT sum(quantity) FROM stock_movement
  WHERE store_id = $1 AND location_id = $2 AND product_id = $3
    AND ($4::timestamptz IS NULL OR occurred_at > $4) AND ($5::timestamptz IS NULL OR occurred_at <= $5)), 0)`;

async function balanceBetween(tx: Queryable, key: Key, after: string | null, upTo: string | null): Promise<number> {
  const result = await tx.query<{ n: number }>(`SELECT ${sumBetween}::bigint AS n`, [
    key.storeId,
    key.locationId,
    key.productId,
    after,
    upTo,
  ]);
  return result.rows[0]?.n ?? 0;
}

interface CountRow {
  id: string;
  counted: number;
  counted_at: Date;
}

/** Records one counted line of a stocktake once (by id). Returns whether it was new. */
export async function applyCount(
  tx: Queryable,
  storeId: string,
  id: string,
  line: CountInput,
  meta: { stocktakeRef: string; deviceId: string; opId: string },
  changes: ChangeSet,
): Promise<boolean> {
  const key = { storeId, locationId: line.locationId, productId: line.productId };
  await lockKey(tx, key);
  if ((await tx.query('SELECT 1 FROM stock_count WHERE id = $1', [id])).rowCount > 0) return false;
  const where = 'store_id = $1 AND location_id = $2 AND product_id = $3';
  const params = [storeId, line.locationId, line.productId, line.countedAt, id];
  const before = (
    await tx.query<CountRow>(
      `SELECT id, counted, counted_at FROM stock_count WHERE ${where} AND (counted_at, id) < ($4::timestamptz, $5)
       ORDER BY counted_at DESC, id DESC LIMIT 1`,
      params,
    )
  ).rows[0];
  const ledgerBefore =
    (before?.counted ?? 0) + (await balanceBetween(tx, key, before ? before.counted_at.toISOString() : null, line.countedAt));
  await tx.query(
    `INSERT INTO stock_count (id, store_id, location_id, product_id, counted, counted_at, ledger_before, variance, stocktake_ref, device_id, op_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [
      id,
      storeId,
      line.locationId,
      line.productId,
      line.counted,
      line.countedAt,
      ledgerBefore,
      line.counted - ledgerBefore,
      meta.stocktakeRef,
      meta.deviceId,
      meta.opId,
    ],
  );
  const after = (
    await tx.query<CountRow>(
      `SELECT id, counted, counted_at FROM stock_count WHERE ${where} AND (counted_at, id) > ($4::timestamptz, $5)
       ORDER BY counted_at, id LIMIT 1`,
      params,
    )
  ).rows[0];
  if (after) {
    // A count older than one already held: it re-anchors the next count's balance only.
    const nextBefore = line.counted + (await balanceBetween(tx, key, line.countedAt, after.counted_at.toISOString()));
    await tx.query('UPDATE stock_count SET ledger_before = $2, variance = counted - $2 WHERE id = $1', [after.id, nextBefore]);
  } else {
    const onHand = line.counted + (await balanceBetween(tx, key, line.countedAt, null));
    await tx.query('UPDATE stock_level SET on_hand = $4 WHERE store_id = $1 AND location_id = $2 AND product_id = $3', [
      storeId,
      line.locationId,
      line.productId,
      onHand,
    ]);
  }
  changes.add('stock', storeId, stockEntityId(line.locationId, line.productId));
  return true;
}

export interface LedgerDifference {
  what: 'on_hand' | 'count';
  storeId: string;
  locationId: string;
  productId: string;
  /** For a count: its id. */
  countId: string | null;
  held: number;
  expected: number;
}

/**
 * Recomputes every level and every count's balance from the ledger and returns each one
 * that differs from what is stored. Empty = stock equals ledger.
 */
export async function checkLedger(db: Queryable): Promise<LedgerDifference[]> {
  const mv = `coalesce((SELECT sum(m.quantity) FROM stock_movement m
    WHERE m.store_id = k.store_id AND m.location_id = k.location_id AND m.product_id = k.product_id
      AND (k.after IS NULL OR m.occurred_at > k.after) AND (k.up_to IS NULL OR m.occurred_at <= k.up_to)), 0)`;
  const levels = await db.query<LedgerDifference>(
    `WITH latest AS (
       SELECT DISTINCT ON (store_id, location_id, product_id) store_id, location_id, product_id, counted, counted_at
       FROM stock_count ORDER BY store_id, location_id, product_id, counted_at DESC, id DESC
     ), keys AS (
       SELECT store_id, location_id, product_id FROM stock_level
       UNION SELECT store_id, location_id, product_id FROM stock_movement
     ), k AS (
       SELECT keys.*, l.counted, l.counted_at AS after, NULL::timestamptz AS up_to
       FROM keys LEFT JOIN latest l USING (store_id, location_id, product_id)
     ), expected AS (
       SELECT k.store_id, k.location_id, k.product_id, coalesce(k.counted, 0) + ${mv} AS expected FROM k
     )
     SELECT 'on_hand' AS what, e.store_id AS "storeId", e.location_id AS "locationId", e.product_id AS "productId",
            NULL AS "countId", coalesce(s.on_hand, 0)::bigint AS held, e.expected::bigint AS expected
     FROM expected e LEFT JOIN stock_level s USING (store_id, location_id, product_id)
     WHERE coalesce(s.on_hand, 0) <> e.expected`,
  );
  const counts = await db.query<LedgerDifference>(
    `WITH k AS (
       SELECT c.*, lag(counted) OVER w AS prev_counted, lag(counted_at) OVER w AS after, counted_at AS up_to
       FROM stock_count c WINDOW w AS (PARTITION BY store_id, location_id, product_id ORDER BY counted_at, id)
     ), expected AS (
       SELECT k.*, coalesce(k.prev_counted, 0) + ${mv} AS expected FROM k
     )
     SELECT 'count' AS what, store_id AS "storeId", location_id AS "locationId", product_id AS "productId", id AS "countId",
            ledger_before::bigint AS held, expected::bigint AS expected
     FROM expected WHERE ledger_before <> expected OR variance <> counted - expected`,
  );
  return [...levels.rows, ...counts.rows].map((d) => ({ ...d, held: Number(d.held), expected: Number(d.expected) }));
}
