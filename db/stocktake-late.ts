import type { StockMovement } from '../shared/stock.ts';
import { prepared } from './sql.ts';
import { type NewMovement, recordMovement } from './stock.ts';
import type { Till } from './till.ts';

/**
 * Records a movement that may be dated in the past (another till's sale arriving by sync).
 * If a count of the same product and location dated at or after it was already applied, the
 * count absorbs it (DESIGN.md §6: a late sale dated before the count changes the variance,
 * not the new on-hand): a compensating 'count' movement at the count's time, and the
 * stocktake's line re-measured. The ledger stays append-only and equal to on-hand. Run it
 * inside the caller's transaction.
 */
export function recordLateMovement(till: Till, m: NewMovement & { occurredAt: string }): StockMovement[] {
  const movement = recordMovement(till, m);
  if (m.kind === 'count' || m.quantity === 0) return [movement];
  const anchor = prepared(
    till.db,
    `SELECT occurred_at AS occurredAt, ref FROM stock_movement
     WHERE product_id = ? AND location_id = ? AND kind = 'count' AND occurred_at >= ? AND id <> ?
     ORDER BY occurred_at, hlc LIMIT 1`,
  ).get(m.productId, m.locationId, m.occurredAt, movement.id) as { occurredAt: string; ref: string | null } | undefined;
  if (!anchor) return [movement];
  const compensation = recordMovement(till, {
    productId: m.productId,
    locationId: m.locationId,
    kind: 'count',
    quantity: -m.quantity,
    reason: 'late movement before the count',
    ref: anchor.ref,
    staffId: null,
    occurredAt: anchor.occurredAt,
  });
  if (anchor.ref) {
    prepared(
      till.db,
      'UPDATE stocktake_item SET expected = expected + ?, variance = variance - ? WHERE stocktake_id = ? AND product_id = ?',
    ).run(m.quantity, m.quantity, anchor.ref, m.productId);
  }
  return [movement, compensation];
}
