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
 * Every write happens with the key's stock_level row locked, so two pushes touching the
 * same key see each other's committed rows (READ COMMITTED reads afresh after the lock). A
 * transaction locks all the keys it writes in one statement, in one sorted order
 * (lockStockPart, or moveStockPart, which locks as it moves): two can wait for each other
 * but never deadlock.
 */
import { type ChangeSet, stockEntityId } from './changes.ts';
import { type Queryable, runParts, type SqlPart } from './db.ts';

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

/** One stock_level row: a product at a location of a store. */
export interface StockKey {
  storeId: string;
  locationId: string;
  productId: string;
}

type Key = StockKey;

/** Sorted as every lock of stock rows is taken: bytewise by store, location, product. */
const lockOrder = 'ORDER BY s COLLATE "C", l COLLATE "C", p COLLATE "C"';

/**
 * Locks (creating them at 0 when new) the stock_level rows of these keys, in one statement
 * and in one order whatever order the ops named them in. Every transaction that writes
 * stock takes its rows this way (or with moveStockPart, in the same order), once, before
 * its first stock write, so none can hold one row while waiting for a row another holds in
 * the reverse order. The statement that takes it must not also read stock: a wait for a
 * lock does not refresh what the statement sees (READ COMMITTED); the next statement does.
 */
export function lockStockPart(keys: Iterable<StockKey>): SqlPart | null {
  const unique = new Map<string, StockKey>();
  for (const k of keys) unique.set(`${k.storeId}\u0000${k.locationId}\u0000${k.productId}`, k);
  if (unique.size === 0) return null;
  const list = [...unique.values()];
  return {
    ctes: [
      `stock_lock AS (
         INSERT INTO stock_level (store_id, location_id, product_id)
         SELECT s, l, p FROM unnest($1::text[], $2::text[], $3::text[]) AS k (s, l, p) ${lockOrder}
         ON CONFLICT (store_id, location_id, product_id) DO UPDATE SET on_hand = stock_level.on_hand
       )`,
    ],
    params: [list.map((k) => k.storeId), list.map((k) => k.locationId), list.map((k) => k.productId)],
  };
}

export async function lockStock(tx: Queryable, keys: Iterable<StockKey>): Promise<void> {
  await runParts(tx, [lockStockPart(keys)]);
}

export type NewMovement = MovementInput & { storeId: string; opId: string };

/**
 * Records movements in the ledger once each (a movement id seen before changes nothing),
 * in one statement however many there are; no lock needed. Read `recorded_movement` for
 * the ids this statement inserted: only those go on to move stock (moveStockPart).
 */
export function recordMovementsPart(movements: readonly NewMovement[]): SqlPart | null {
  if (movements.length === 0) return null;
  const rows = movements.map((m) => ({
    id: m.id,
    s: m.storeId,
    l: m.locationId,
    p: m.productId,
    k: m.kind,
    q: m.quantity,
    at: m.occurredAt,
    h: m.hlc,
    d: m.deviceId,
    o: m.orderId ?? null,
    r: m.ref ?? null,
    why: m.reason ?? null,
    c: m.unitCost ?? null,
    op: m.opId,
  }));
  return {
    ctes: [
      `recorded_movement AS (
         INSERT INTO stock_movement (id, store_id, location_id, product_id, kind, quantity, occurred_at, hlc, device_id, order_id, ref, reason, unit_cost, op_id)
         SELECT id, s, l, p, k, q, at, h, d, o, r, why, c, op
         FROM json_to_recordset($1::json) AS m (id text, s text, l text, p text, k text, q bigint, at timestamptz, h text,
                                                 d text, o text, r text, why text, c bigint, op uuid)
         ON CONFLICT (id) DO NOTHING
         RETURNING id
       )`,
    ],
    params: [JSON.stringify(rows)],
  };
}

type Moved = StockKey & { occurredAt: string; quantity: number };

const movedRows = (movements: readonly Moved[], changes: ChangeSet) => {
  for (const m of movements) changes.add('stock', m.storeId, stockEntityId(m.locationId, m.productId));
  return JSON.stringify(
    movements.map((m) => ({ s: m.storeId, l: m.locationId, p: m.productId, at: m.occurredAt, q: m.quantity })),
  );
};

/**
 * Moves stock for movements just recorded, taking their keys' locks as it goes, in one
 * statement and in lockStockPart's order. A key whose movements all come after its latest
 * count (stock_level.counted_at, read from the row as locked, so never stale) just adds
 * them to on-hand: the common case, a sale. A key with a count at or after one of them is
 * only locked; the statement's tail keysToRoute names those keys, for applyMovementsPart.
 * Marks every key changed.
 */
export function moveStockPart(movements: readonly Moved[], changes: ChangeSet): SqlPart | null {
  if (movements.length === 0) return null;
  return {
    ctes: [
      `moved_keys AS (
         SELECT s, l, p, sum(q) AS q, min(at) AS first_at
         FROM json_to_recordset($1::json) AS m (s text, l text, p text, at timestamptz, q bigint) GROUP BY s, l, p
       )`,
      `moved_levels AS (
         INSERT INTO stock_level (store_id, location_id, product_id, on_hand)
         SELECT s, l, p, q FROM moved_keys ${lockOrder}
         ON CONFLICT (store_id, location_id, product_id) DO UPDATE SET on_hand = stock_level.on_hand + excluded.on_hand
         WHERE stock_level.counted_at IS NULL OR stock_level.counted_at < (
           SELECT k.first_at FROM moved_keys k
           WHERE k.s = excluded.store_id AND k.l = excluded.location_id AND k.p = excluded.product_id
         )
         RETURNING store_id, location_id, product_id
       )`,
    ],
    params: [movedRows(movements, changes)],
  };
}

/** The keys moveStockPart locked without moving: its statement's tail query. */
export const keysToRoute = `SELECT s AS "storeId", l AS "locationId", p AS "productId" FROM moved_keys k
  WHERE NOT EXISTS (SELECT 1 FROM moved_levels v WHERE v.store_id = k.s AND v.location_id = k.l AND v.product_id = k.p)`;

/**
 * Moves stock for movements just recorded, in one statement however many there are: each
 * one dated at or before a count belongs to the first such count's balance (its variance
 * moves); one dated after every count moves on-hand. Sums commute, so applying many at once
 * equals applying them one by one. Their keys must be locked by an earlier statement
 * (lockStockPart or moveStockPart), so this one reads every count committed before.
 */
export function applyMovementsPart(movements: readonly Moved[], changes: ChangeSet): SqlPart | null {
  if (movements.length === 0) return null;
  return {
    ctes: [
      `moved_to AS (
         SELECT m.s, m.l, m.p, m.q,
                (SELECT c.id FROM stock_count c
                 WHERE c.store_id = m.s AND c.location_id = m.l AND c.product_id = m.p AND c.counted_at >= m.at
                 ORDER BY c.counted_at, c.id LIMIT 1) AS count_id
         FROM json_to_recordset($1::json) AS m (s text, l text, p text, at timestamptz, q bigint)
       )`,
      `moved_counts AS (
         UPDATE stock_count c SET ledger_before = c.ledger_before + t.q, variance = c.variance - t.q
         FROM (SELECT count_id, sum(q) AS q FROM moved_to WHERE count_id IS NOT NULL GROUP BY count_id) t
         WHERE c.id = t.count_id
       )`,
      `moved_to_levels AS (
         UPDATE stock_level v SET on_hand = v.on_hand + t.q
         FROM (SELECT s, l, p, sum(q) AS q FROM moved_to WHERE count_id IS NULL GROUP BY s, l, p) t
         WHERE v.store_id = t.s AND v.location_id = t.l AND v.product_id = t.p
       )`,
    ],
    params: [movedRows(movements, changes)],
  };
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

/**
 * Records one counted line of a stocktake once (by id); its key must be locked (lockStock)
 * and every movement already recorded must have moved stock. Returns whether it was new.
 */
export async function applyCount(
  tx: Queryable,
  storeId: string,
  id: string,
  line: CountInput,
  meta: { stocktakeRef: string; deviceId: string; opId: string },
  changes: ChangeSet,
): Promise<boolean> {
  const key: Key = { storeId, locationId: line.locationId, productId: line.productId };
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
    // The latest count: movements dated after it move on-hand directly (moveStockPart).
    await tx.query(
      'UPDATE stock_level SET on_hand = $4, counted_at = $5 WHERE store_id = $1 AND location_id = $2 AND product_id = $3',
      [storeId, line.locationId, line.productId, onHand, line.countedAt],
    );
  }
  changes.add('stock', storeId, stockEntityId(line.locationId, line.productId));
  return true;
}

export interface LedgerDifference {
  /** counted_at: the level's mark of its latest count (ms since 1970; 0 = never counted). */
  what: 'on_hand' | 'count' | 'counted_at';
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
  const marks = await db.query<LedgerDifference>(
    `WITH latest AS (
       SELECT store_id, location_id, product_id, max(counted_at) AS counted_at FROM stock_count GROUP BY 1, 2, 3
     )
     SELECT 'counted_at' AS what, s.store_id AS "storeId", s.location_id AS "locationId", s.product_id AS "productId",
            NULL AS "countId", coalesce(extract(epoch FROM s.counted_at) * 1000, 0)::bigint AS held,
            coalesce(extract(epoch FROM l.counted_at) * 1000, 0)::bigint AS expected
     FROM stock_level s LEFT JOIN latest l USING (store_id, location_id, product_id)
     WHERE s.counted_at IS DISTINCT FROM l.counted_at`,
  );
  return [...levels.rows, ...counts.rows, ...marks.rows].map((d) => ({
    ...d,
    held: Number(d.held),
    expected: Number(d.expected),
  }));
}
