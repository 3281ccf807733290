/**
 * What each op type does on the server. Payloads are checked here, per type, before any
 * database work: a payload that fails is a permanent error (OpRejected), so the op is
 * rejected and the queue moves on. A checked op becomes a plan — the rows it writes — so
 * a push can write a whole batch's orders and movements with one statement each
 * (server/push.ts). Every write is idempotent by the ids the till made (movement, order,
 * count, note), so an op applied twice by any path changes nothing the second time.
 */
import { z } from 'zod';
import { parseInput } from '../shared/contract.ts';
import type { OpEnvelope } from '../shared/sync.ts';
import {
  categoryRecordSchema,
  productRecordSchema,
  saveCategory,
  saveProduct,
  saveTaxClass,
  taxClassRecordSchema,
} from './catalog.ts';
import type { ChangeSet } from './changes.ts';
import { type Queryable, runParts, type SqlPart } from './db.ts';
import { OpRejected } from './errors.ts';
import {
  applyCount,
  applyMovementsPart,
  type CountInput,
  keysToRoute,
  lockStockPart,
  type MovementInput,
  moveStockPart,
  type NewMovement,
  recordMovementsPart,
  type StockKey,
} from './stock.ts';

const id = z.string().min(1).max(64);
const isoTime = z.iso.datetime({ offset: true });
const signed = z.number().int().min(-1_000_000_000_000).max(1_000_000_000_000);

export const movementSchema = z.looseObject({
  id,
  productId: id,
  locationId: id,
  kind: z.enum(['sale', 'return', 'goods_in', 'adjustment', 'count', 'transfer']),
  quantity: signed,
  occurredAt: isoTime,
  hlc: z.string().min(1).max(120),
  deviceId: id,
  orderId: id.nullable().optional(),
  ref: z.string().max(120).nullable().optional(),
  reason: z.string().max(400).nullable().optional(),
  unitCost: z.number().int().min(0).nullable().optional(),
});
const movements = z.array(movementSchema).max(10_000);

const orderSchema = z.looseObject({
  id,
  number: z.string().max(40).nullable(),
  kind: z.enum(['sale', 'refund']),
  total: signed,
  taxTotal: signed.default(0),
  completedAt: isoTime,
  originalOrderId: id.nullable().optional(),
  lines: z.array(z.looseObject({ productId: id, quantity: signed })).max(5000),
});

const payloads = {
  'sale.completed': z.looseObject({ order: orderSchema.extend({ kind: z.literal('sale') }), movements }),
  'sale.refunded': z.looseObject({ refund: orderSchema.extend({ kind: z.literal('refund') }), movements }),
  'sale.voided': z.looseObject({ orderId: id, number: z.string().max(40).nullable(), reason: z.string().max(400), movements }),
  'stock.goods_in': z.looseObject({ ref: id, movements }),
  'stock.adjustment': z.looseObject({ movement: movementSchema }),
  'stock.transfer': z.looseObject({ ref: id, movements }),
  /**
   * A stocktake (issue 5): each counted line with the moment it was counted. Count-kind
   * movements the till made for it are not applied: the server derives on-hand from the
   * counts themselves, against its own fuller ledger.
   */
  'stocktake.applied': z.looseObject({
    ref: id,
    lines: z
      .array(z.object({ productId: id, locationId: id, counted: signed, countedAt: isoTime }).loose())
      .min(1)
      .max(100_000),
    movements: movements.optional(),
  }),
  'catalog.product_saved': productRecordSchema,
  'catalog.category_saved': categoryRecordSchema,
  'catalog.tax_class_saved': taxClassRecordSchema,
  'note.opened': z.looseObject({
    id,
    customerId: id.nullable().optional(),
    orderId: id.nullable().optional(),
    category: z.string().min(1).max(40),
    body: z.string().min(1).max(10_000),
    author: z
      .looseObject({ name: z.string().max(120) })
      .nullable()
      .optional(),
    createdAt: isoTime,
  }),
  'note.resolved': z.looseObject({
    id,
    resolution: z.string().max(10_000).nullable().optional(),
    resolvedBy: id.nullable().optional(),
    resolvedAt: isoTime,
  }),
} as const;

/** Kept in applied_op for the back office (shifts, staff, customers, deliveries), with nothing else to update yet. */
const recordedOnly = /^(shift|staff|customer|fulfilment)\.[a-z_]+$/;

/** One order row as the server keeps it (the till's whole order is its body). */
export interface OrderRow {
  id: string;
  number: string | null;
  kind: 'sale' | 'refund';
  original: string | null;
  total: number;
  tax: number;
  at: string;
  body: unknown;
  op: string;
}

export interface VoidRow {
  id: string;
  at: string;
  reason: string;
}

export interface CountLine {
  id: string;
  line: CountInput;
  meta: { stocktakeRef: string; opId: string };
}

/** What one op writes. Orders, voids and movements go in bulk with the batch's others. */
export interface OpPlan {
  orders: OrderRow[];
  voids: VoidRow[];
  movements: (MovementInput & { opId: string })[];
  /** Stocktake lines, each applied on its own (with the batch's stock locked). */
  counts: CountLine[];
  /** Catalog edits and notes: written one op at a time, in op order. */
  write: ((tx: Queryable, ctx: OpContext) => Promise<void>) | null;
}

export interface OpContext {
  storeId: string;
  /** The server's id of the device that pushed. */
  deviceId: string;
  changes: ChangeSet;
}

/** A payload zod cannot even read (a `length` that is an object, say) is refused like any bad one. */
function parse<T extends z.ZodType>(schema: T, payload: unknown): z.output<T> {
  const result = parseInput(schema, payload);
  if (!result.success) {
    const first = result.issues.slice(0, 3).map((i) => `${i.path || '(payload)'}: ${i.message}`);
    throw new OpRejected('invalid_payload', first.join('; '));
  }
  return result.data;
}

function orderRow(order: z.infer<typeof orderSchema>, opId: string): OrderRow {
  return {
    id: order.id,
    number: order.number,
    kind: order.kind,
    original: order.originalOrderId ?? null,
    total: order.total,
    tax: order.taxTotal,
    at: order.completedAt,
    body: order,
    op: opId,
  };
}

const plan = (opId: string, parts: Partial<Omit<OpPlan, 'movements'>> & { movements?: readonly MovementInput[] }): OpPlan => ({
  orders: parts.orders ?? [],
  voids: parts.voids ?? [],
  movements: (parts.movements ?? []).map((m) => ({ ...m, opId })),
  counts: parts.counts ?? [],
  write: parts.write ?? null,
});

/**
 * Checks one op and says what it writes. Pure: no database. Throws OpRejected for a
 * payload that can never be applied.
 */
export function planOp(op: OpEnvelope): OpPlan {
  switch (op.type) {
    case 'sale.completed': {
      const p = parse(payloads['sale.completed'], op.payload);
      return plan(op.opId, { orders: [orderRow(p.order, op.opId)], movements: p.movements });
    }
    case 'sale.refunded': {
      const p = parse(payloads['sale.refunded'], op.payload);
      return plan(op.opId, { orders: [orderRow(p.refund, op.opId)], movements: p.movements });
    }
    case 'sale.voided': {
      const p = parse(payloads['sale.voided'], op.payload);
      return plan(op.opId, { voids: [{ id: p.orderId, at: op.occurredAt, reason: p.reason }], movements: p.movements });
    }
    case 'stock.goods_in':
    case 'stock.transfer':
      return plan(op.opId, { movements: parse(payloads[op.type], op.payload).movements });
    case 'stock.adjustment':
      return plan(op.opId, { movements: [parse(payloads['stock.adjustment'], op.payload).movement] });
    case 'stocktake.applied': {
      const p = parse(payloads['stocktake.applied'], op.payload);
      return plan(op.opId, {
        counts: p.lines.map((line) => ({
          id: `${p.ref}/${line.locationId}/${line.productId}`,
          line,
          meta: { stocktakeRef: p.ref, opId: op.opId },
        })),
        movements: (p.movements ?? []).filter((m) => m.kind !== 'count'),
      });
    }
    case 'catalog.product_saved': {
      const p = parse(payloads[op.type], op.payload);
      return plan(op.opId, {
        write: async (tx, ctx) => {
          await saveProduct(tx, p, op.hlc, ctx.changes);
        },
      });
    }
    case 'catalog.category_saved': {
      const p = parse(payloads[op.type], op.payload);
      return plan(op.opId, {
        write: async (tx, ctx) => {
          await saveCategory(tx, p, op.hlc, ctx.changes);
        },
      });
    }
    case 'catalog.tax_class_saved': {
      const p = parse(payloads[op.type], op.payload);
      return plan(op.opId, {
        write: async (tx, ctx) => {
          await saveTaxClass(tx, p, op.hlc, ctx.changes);
        },
      });
    }
    case 'note.opened': {
      const p = parse(payloads['note.opened'], op.payload);
      return plan(op.opId, {
        write: async (tx, ctx) => {
          await tx.query(
            `INSERT INTO support_note (id, store_id, device_id, customer_id, order_id, category, body, author, created_at, op_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
             ON CONFLICT (id) DO UPDATE SET customer_id = excluded.customer_id, order_id = excluded.order_id,
               category = excluded.category, body = excluded.body, author = excluded.author, created_at = excluded.created_at
             WHERE support_note.store_id = excluded.store_id`, // another store's note is never touched
            [
              p.id,
              ctx.storeId,
              ctx.deviceId,
              p.customerId ?? null,
              p.orderId ?? null,
              p.category,
              p.body,
              p.author?.name ?? null,
              p.createdAt,
              op.opId,
            ],
          );
        },
      });
    }
    case 'note.resolved': {
      const p = parse(payloads['note.resolved'], op.payload);
      return plan(op.opId, {
        // The note itself may still be on its way from another till: keep the resolution meanwhile.
        write: async (tx, ctx) => {
          await tx.query(
            `INSERT INTO support_note (id, store_id, device_id, category, body, status, resolution, resolved_by, resolved_at, op_id)
             VALUES ($1, $2, $3, 'other', '', 'resolved', $4, $5, $6, $7)
             ON CONFLICT (id) DO UPDATE SET status = 'resolved', resolution = excluded.resolution,
               resolved_by = excluded.resolved_by, resolved_at = excluded.resolved_at
             WHERE support_note.store_id = excluded.store_id`,
            [p.id, ctx.storeId, ctx.deviceId, p.resolution ?? null, p.resolvedBy ?? null, p.resolvedAt, op.opId],
          );
        },
      });
    }
    default:
      if (recordedOnly.test(op.type)) return plan(op.opId, {});
      throw new OpRejected('unknown_op_type', `This server does not know ops of type ${op.type}`);
  }
}

/** A plan with the store and the device whose push brought it. */
export interface Placed {
  plan: OpPlan;
  storeId: string;
  /** The server's id of the device. */
  deviceId: string;
}

/** Every key the plans write stock for. */
export function stockKeys(placed: readonly Placed[]): StockKey[] {
  return placed.flatMap(({ plan, storeId }) => [
    ...plan.movements.map((m) => ({ storeId, locationId: m.locationId, productId: m.productId })),
    ...plan.counts.map((c) => ({ storeId, locationId: c.line.locationId, productId: c.line.productId })),
  ]);
}

/** The plans' orders, inserted once each (a repeat changes nothing). */
function ordersPart(placed: readonly Placed[]): SqlPart | null {
  const rows = placed.flatMap(({ plan, storeId, deviceId }) => plan.orders.map((o) => ({ ...o, s: storeId, d: deviceId })));
  if (rows.length === 0) return null;
  return {
    ctes: [
      `new_orders AS (
         INSERT INTO orders (id, store_id, device_id, number, kind, state, original_order_id, total, tax_total, completed_at, body, op_id)
         SELECT id, s, d, number, kind, 'completed', original, total, tax, at, body, op
         FROM json_to_recordset($1::json) AS o (id text, s text, d text, number text, kind text, original text, total bigint,
                                                tax bigint, at timestamptz, body json, op uuid)
         ON CONFLICT (id) DO NOTHING
       )`,
    ],
    params: [JSON.stringify(rows)],
  };
}

/**
 * Writes plans — one push's, or several pushes' at once — with as few statements as they
 * allow, whatever their number:
 * 1. `first` (the caller's: results, devices), the orders and the movements' ledger rows;
 * 2. only when the plans hold them: voids, catalog edits and notes one op at a time;
 * 3. stock moved by the movements 1 recorded — each key locked as it is moved, in one
 *    sorted order (server/stock.ts) — and `last()` (the caller's: its change stamp), which
 *    waits for the moves to finish (`after`).
 * The stock rows stay locked from 3 to the commit: pushes selling the same products wait
 * for each other over that statement and the commit only. A key counted at or after one
 * of its movements takes one statement more; plans holding stocktake lines lock all their
 * keys first, move stock, then count (a count reads the ledger, all of which must have
 * moved stock by then), then stamp. A failure here fails them all; push.ts decides what
 * that means.
 */
export async function writePlans(
  tx: Queryable,
  placed: readonly Placed[],
  changes: ChangeSet,
  around: { first?: (SqlPart | null)[]; last?: (after: string | null) => (SqlPart | null)[] } = {},
): Promise<void> {
  // A movement id named twice is one movement.
  const byId = new Map<string, NewMovement>();
  for (const { plan, storeId } of placed) for (const m of plan.movements) if (!byId.has(m.id)) byId.set(m.id, { ...m, storeId });
  const movements = [...byId.values()];
  const recorded = recordMovementsPart(movements);
  const inserted = await runParts<{ id: string }>(
    tx,
    [...(around.first ?? []), ordersPart(placed), recorded],
    recorded ? 'SELECT id FROM recorded_movement' : 'SELECT NULL AS id WHERE false',
  );
  const voids = placed.flatMap(({ plan, storeId }) => plan.voids.map((v) => ({ ...v, s: storeId })));
  if (voids.length > 0) {
    await tx.query(
      `UPDATE orders SET state = 'voided', voided_at = v.at, void_reason = v.reason
       FROM json_to_recordset($1::json) AS v (id text, s text, at timestamptz, reason text)
       WHERE orders.id = v.id AND orders.store_id = v.s AND orders.state <> 'voided'`,
      [JSON.stringify(voids)],
    );
  }
  for (const { plan, storeId, deviceId } of placed) await plan.write?.(tx, { storeId, deviceId, changes });
  const fresh = new Set(inserted.map((r) => r.id));
  const moved = movements.filter((m) => fresh.has(m.id));
  if (placed.some((p) => p.plan.counts.length > 0)) {
    await runParts(tx, [lockStockPart(stockKeys(placed))]);
    await runParts(tx, [applyMovementsPart(moved, changes)]);
    for (const { plan, storeId, deviceId } of placed) {
      for (const c of plan.counts) await applyCount(tx, storeId, c.id, c.line, { ...c.meta, deviceId }, changes);
    }
    await runParts(tx, around.last?.(null) ?? []);
    return;
  }
  const move = moveStockPart(moved, changes);
  const toRoute = await runParts<StockKey>(
    tx,
    [move, ...(around.last?.(move ? 'moved_levels' : null) ?? [])],
    move ? keysToRoute : 'SELECT NULL AS "storeId" WHERE false',
  );
  if (toRoute.length > 0) {
    const key = (k: StockKey) => `${k.storeId}\u0000${k.locationId}\u0000${k.productId}`;
    const route = new Set(toRoute.map(key));
    await runParts(tx, [
      applyMovementsPart(
        moved.filter((m) => route.has(key(m))),
        changes,
      ),
    ]);
  }
}
