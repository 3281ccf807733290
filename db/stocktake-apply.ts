import { TillError } from '../shared/errors.ts';
import { uuidv7 } from '../shared/ids.ts';
import type { ApplyResult } from '../shared/stocktake.ts';
import { writeAudit } from './audit.ts';
import { appendOp } from './outbox.ts';
import { prepared } from './sql.ts';
import type { Authorization } from './staff-access.ts';
import { type NewMovement, recordMovement } from './stock.ts';
import {
  applies,
  countedLinesSql,
  findStocktake,
  requireCounting,
  type StocktakeRow,
  toStocktake,
  totalsOf,
  varianceLines,
} from './stocktake-lines.ts';
import type { Till } from './till.ts';

/** Zero entries for uncounted items (the "treat as zero" choice), counted at the moment of applying. */
function zeroUncounted(till: Till, st: StocktakeRow, staffId: string, now: string): void {
  const missing = prepared(
    till.db,
    `SELECT i.product_id AS id FROM stocktake_item i WHERE i.stocktake_id = ? AND i.excluded = 0
       AND NOT EXISTS (SELECT 1 FROM stocktake_count k WHERE k.stocktake_id = i.stocktake_id AND k.product_id = i.product_id
         AND k.replaced_by IS NULL)`,
  )
    .pluck()
    .all(st.id) as string[];
  const insert = prepared(
    till.db,
    `INSERT INTO stocktake_count (id, stocktake_id, product_id, quantity, source, staff_id, device_id, counted_at, hlc)
     VALUES (?, ?, ?, 0, 'zeroed', ?, ?, ?, ?)`,
  );
  const ms = till.now().getTime();
  for (const productId of missing) insert.run(uuidv7(ms), st.id, productId, staffId, till.deviceId, now, till.nextHlc());
}

/**
 * Applies a count in ONE transaction: one 'count' movement per line with quantity = variance,
 * dated at the line's counted_at, so on-hand afterwards = counted + every movement dated
 * after it; the lines frozen as applied; an audit entry; the 'stocktake.applied' op. A line
 * a later count of the same product has already superseded is left out (the newer count
 * wins). Call authorize('apply_stocktake') first, outside the transaction.
 */
export function applyStocktake(till: Till, stocktakeId: string, auth: Authorization): ApplyResult {
  const { db } = till;
  const applied = db.transaction(() => {
    const st = findStocktake(till, stocktakeId);
    requireCounting(st);
    const now = till.now().toISOString();
    if (st.uncounted === 'zero') zeroUncounted(till, st, auth.staffId, now);
    // Freeze every counted line as measured now (zero entries included), in one statement.
    prepared(
      db,
      `UPDATE stocktake_item SET counted = l.counted, counted_at = l.countedAt, expected = l.expected,
         variance = l.counted - l.expected, unit_cost = l.unitCost,
         result = CASE WHEN l.excluded THEN 'excluded' WHEN l.superseded THEN 'superseded'
                       WHEN l.zeroed THEN 'zeroed' ELSE 'applied' END
       FROM (${countedLinesSql}) AS l
       WHERE stocktake_item.stocktake_id = :id AND stocktake_item.product_id = l.productId`,
    ).run({ id: st.id, location: st.location_id });
    // What nobody counted keeps its stock figure of this moment in the report.
    prepared(
      db,
      `UPDATE stocktake_item SET result = CASE excluded WHEN 1 THEN 'excluded' ELSE 'uncounted' END,
         expected = coalesce((SELECT on_hand FROM stock_level s WHERE s.product_id = stocktake_item.product_id AND s.location_id = ?), 0),
         unit_cost = (SELECT cost FROM product p WHERE p.id = stocktake_item.product_id)
       WHERE stocktake_id = ? AND result IS NULL`,
    ).run(st.location_id, st.id);
    const lines = varianceLines(till, { ...st, state: 'applied' }, now);
    const toApply = lines.filter(applies);
    if (toApply.length === 0) {
      throw new TillError('rejected', 'nothing_to_apply', 'Nothing was counted that could be applied');
    }
    const base: Omit<NewMovement, 'productId' | 'quantity' | 'unitCost' | 'occurredAt'> = {
      locationId: st.location_id,
      kind: 'count',
      reason: st.name ? `stocktake: ${st.name}` : 'stocktake',
      ref: st.id,
      staffId: auth.staffId,
    };
    for (const line of toApply) {
      recordMovement(till, {
        ...base,
        productId: line.productId,
        quantity: line.variance,
        unitCost: line.unitCost,
        occurredAt: line.countedAt,
      });
    }
    prepared(db, "UPDATE stocktake SET state = 'applied', applied_at = ?, applied_by = ?, approved_by = ? WHERE id = ?").run(
      now,
      auth.staffId,
      auth.approvedBy,
      st.id,
    );
    const totals = totalsOf(lines);
    writeAudit(till, {
      staffId: auth.staffId,
      approvedBy: auth.approvedBy,
      action: 'stocktake.applied',
      subject: st.id,
      before: { state: 'counting' },
      after: { state: 'applied', name: st.name, locationId: st.location_id, scope: st.scope, uncounted: st.uncounted, totals },
    });
    appendOp(till, 'stocktake.applied', {
      ref: st.id,
      name: st.name,
      locationId: st.location_id,
      lines: toApply.map((l) => ({
        productId: l.productId,
        locationId: st.location_id,
        counted: l.counted,
        countedAt: l.countedAt,
        variance: l.variance,
      })),
    });
    return { stocktake: toStocktake(findStocktake(till, st.id)), totals, movements: toApply.length, lines: toApply };
  })();
  till.events.emit('stock.changed', { productIds: applied.lines.map((l) => l.productId) });
  return { stocktake: applied.stocktake, totals: applied.totals, movements: applied.movements };
}
