import { TillError } from '../shared/errors.ts';
import { uuidv7 } from '../shared/ids.ts';
import type { LedgerDifference, MovementKind, StockLevel, StockMovement, stockOperations } from '../shared/stock.ts';
import { writeAudit } from './audit.ts';
import type { HandlersFor } from './dispatch.ts';
import { appendOp } from './outbox.ts';
import { prepared } from './sql.ts';
import { authorize } from './staff-access.ts';
import type { Till } from './till.ts';

export interface NewMovement {
  productId: string;
  locationId: string;
  kind: MovementKind;
  quantity: number;
  unitCost?: number | null;
  reason?: string | null;
  orderId?: string | null;
  ref?: string | null;
  staffId: string | null;
  /** When the goods moved; defaults to now. A count's movements carry the count time. */
  occurredAt?: string;
}

/**
 * Writes one ledger row and moves the on-hand projection with it. Must run inside the
 * business event's transaction, so the ledger and on-hand can never disagree.
 */
export function recordMovement(till: Till, m: NewMovement): StockMovement {
  const [movement] = recordMovements(till, [m]);
  if (!movement) throw new Error('recordMovements returned nothing');
  return movement;
}

/**
 * recordMovement for many at once (a sale's lines, a delivery), in the caller's transaction:
 * one ledger row each, and one on-hand change per product and location however many rows
 * it has. The rows go in one INSERT each: measured, a multi-row INSERT into this table (its
 * foreign keys and scattered indexes) is slower than the same rows one by one.
 */
export function recordMovements(till: Till, list: readonly NewMovement[]): StockMovement[] {
  const insert = prepared(
    till.db,
    `INSERT INTO stock_movement (id, product_id, location_id, kind, quantity, unit_cost, reason, order_id, ref, staff_id, device_id, occurred_at, hlc)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const change = new Map<string, [string, string, number]>();
  const movements = list.map((m) => {
    const movement: StockMovement = {
      id: uuidv7(till.now().getTime()),
      productId: m.productId,
      locationId: m.locationId,
      kind: m.kind,
      quantity: m.quantity,
      unitCost: m.unitCost ?? null,
      reason: m.reason ?? null,
      orderId: m.orderId ?? null,
      ref: m.ref ?? null,
      staffId: m.staffId,
      staffName: null,
      deviceId: till.deviceId,
      occurredAt: m.occurredAt ?? till.now().toISOString(),
      hlc: till.nextHlc(),
    };
    const { id, productId, locationId, kind, quantity, unitCost, reason, orderId, ref, staffId, deviceId, occurredAt, hlc } =
      movement;
    insert.run(id, productId, locationId, kind, quantity, unitCost, reason, orderId, ref, staffId, deviceId, occurredAt, hlc);
    const key = `${m.productId}\u0000${m.locationId}`;
    const level = change.get(key);
    if (level) level[2] += m.quantity;
    else change.set(key, [m.productId, m.locationId, m.quantity]);
    return movement;
  });
  const move = prepared(
    till.db,
    `INSERT INTO stock_level (product_id, location_id, on_hand) VALUES (?, ?, ?)
     ON CONFLICT (product_id, location_id) DO UPDATE SET on_hand = on_hand + excluded.on_hand`,
  );
  for (const level of change.values()) move.run(level);
  return movements;
}

/** Every product/location whose on-hand differs from the sum of its ledger. Empty = consistent. */
export function checkLedger(till: Till): LedgerDifference[] {
  return till.db
    .prepare(
      `WITH ledger AS (
         SELECT product_id, location_id, sum(quantity) AS qty FROM stock_movement GROUP BY product_id, location_id
       )
       SELECT coalesce(l.product_id, s.product_id) AS productId, coalesce(l.location_id, s.location_id) AS locationId,
              coalesce(s.on_hand, 0) AS onHand, coalesce(l.qty, 0) AS ledger
       FROM ledger l FULL OUTER JOIN stock_level s ON s.product_id = l.product_id AND s.location_id = l.location_id
       WHERE coalesce(s.on_hand, 0) <> coalesce(l.qty, 0)`,
    )
    .all() as LedgerDifference[];
}

function requireProduct(till: Till, productId: string): { name: string } {
  const row = prepared(till.db, 'SELECT name FROM product WHERE id = ?').get(productId) as { name: string } | undefined;
  if (!row) throw new TillError('not_found', 'unknown_product', `No product ${productId}`, { id: productId });
  return row;
}

function requireLocation(till: Till, locationId: string): void {
  if (!till.db.prepare('SELECT 1 FROM location WHERE id = ?').get(locationId)) {
    throw new TillError('not_found', 'unknown_location', `No location ${locationId}`, { id: locationId });
  }
}

function toMovement(row: Record<string, unknown>): StockMovement {
  return {
    id: row.id as string,
    productId: row.product_id as string,
    locationId: row.location_id as string,
    kind: row.kind as MovementKind,
    quantity: row.quantity as number,
    unitCost: (row.unit_cost as number | null) ?? null,
    reason: (row.reason as string | null) ?? null,
    orderId: (row.order_id as string | null) ?? null,
    ref: (row.ref as string | null) ?? null,
    staffId: (row.staff_id as string | null) ?? null,
    staffName: (row.staff_name as string | null) ?? null,
    deviceId: row.device_id as string,
    occurredAt: row.occurred_at as string,
    hlc: row.hlc as string,
  };
}

export function stockHandlers(till: Till): HandlersFor<typeof stockOperations> {
  const { db } = till;
  return {
    'stock.levels': ({ productId }) => {
      requireProduct(till, productId);
      return db
        .prepare(
          `SELECT ? AS productId, l.id AS locationId, l.name AS locationName, coalesce(s.on_hand, 0) AS onHand
           FROM location l LEFT JOIN stock_level s ON s.location_id = l.id AND s.product_id = ?
           ORDER BY l.id = 'shop' DESC, l.name`,
        )
        .all(productId, productId) as StockLevel[];
    },
    'stock.movements': ({ productId, limit, beforeHlc }) => {
      requireProduct(till, productId);
      return (
        db
          .prepare(
            `SELECT m.*, s.name AS staff_name FROM stock_movement m LEFT JOIN staff s ON s.id = m.staff_id
             WHERE m.product_id = ? AND (? IS NULL OR m.hlc < ?) ORDER BY m.hlc DESC LIMIT ?`,
          )
          .all(productId, beforeHlc ?? null, beforeHlc ?? null, limit) as Record<string, unknown>[]
      ).map(toMovement);
    },
    'stock.receive': (input) => {
      const auth = authorize(till, 'receive_stock', input.override);
      requireLocation(till, input.locationId);
      for (const line of input.lines) requireProduct(till, line.productId);
      const ref = uuidv7(till.now().getTime());
      const result = db.transaction(() => {
        const movements = recordMovements(
          till,
          input.lines.map((line) => ({
            productId: line.productId,
            locationId: input.locationId,
            kind: 'goods_in' as const,
            quantity: line.quantity,
            unitCost: line.unitCost,
            reason: input.supplier,
            ref,
            staffId: auth.staffId,
          })),
        );
        for (const line of input.lines) db.prepare('UPDATE product SET cost = ? WHERE id = ?').run(line.unitCost, line.productId);
        writeAudit(till, {
          staffId: auth.staffId,
          approvedBy: auth.approvedBy,
          action: 'stock.goods_in',
          subject: ref,
          after: { supplier: input.supplier, reference: input.reference ?? null, lines: input.lines },
        });
        appendOp(till, 'stock.goods_in', { ref, supplier: input.supplier, reference: input.reference ?? null, movements });
        return { ref, movements: movements.length };
      })();
      till.events.emit('stock.changed', { productIds: input.lines.map((l) => l.productId) });
      return result;
    },
    'stock.adjust': (input) => {
      const auth = authorize(till, 'adjust_stock', input.override);
      requireProduct(till, input.productId);
      requireLocation(till, input.locationId);
      const result = db.transaction(() => {
        const movement = recordMovement(till, {
          productId: input.productId,
          locationId: input.locationId,
          kind: 'adjustment',
          quantity: input.quantity,
          reason: input.note ? `${input.reason}: ${input.note}` : input.reason,
          staffId: auth.staffId,
        });
        writeAudit(till, {
          staffId: auth.staffId,
          approvedBy: auth.approvedBy,
          action: 'stock.adjustment',
          subject: input.productId,
          after: { quantity: input.quantity, reason: input.reason, note: input.note ?? null, locationId: input.locationId },
        });
        appendOp(till, 'stock.adjustment', { movement });
        return movement;
      })();
      till.events.emit('stock.changed', { productIds: [input.productId] });
      return result;
    },
    'stock.transfer': (input) => {
      const auth = authorize(till, 'adjust_stock', input.override);
      requireProduct(till, input.productId);
      requireLocation(till, input.from);
      requireLocation(till, input.to);
      if (input.from === input.to) throw new TillError('rejected', 'same_location', 'Pick two different locations');
      const ref = uuidv7(till.now().getTime());
      const result = db.transaction(() => {
        const base = { productId: input.productId, kind: 'transfer' as const, ref, staffId: auth.staffId };
        const out = recordMovement(till, {
          ...base,
          locationId: input.from,
          quantity: -input.quantity,
          reason: `to ${input.to}`,
        });
        const into = recordMovement(till, {
          ...base,
          locationId: input.to,
          quantity: input.quantity,
          reason: `from ${input.from}`,
        });
        writeAudit(till, {
          staffId: auth.staffId,
          approvedBy: auth.approvedBy,
          action: 'stock.transfer',
          subject: input.productId,
          after: { from: input.from, to: input.to, quantity: input.quantity },
        });
        appendOp(till, 'stock.transfer', { ref, movements: [out, into] });
        return { ref };
      })();
      till.events.emit('stock.changed', { productIds: [input.productId] });
      return result;
    },
    'stock.check': () => checkLedger(till),
  };
}
