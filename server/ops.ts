/**
 * What each op type does on the server. Payloads are checked here, per type: a payload
 * that fails is a permanent error (OpRejected), so the op is rejected and the queue moves
 * on. Every write is idempotent by the ids the till made (movement, order, count, note),
 * so an op applied twice by any path changes nothing the second time.
 */
import { z } from 'zod';
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
import type { Queryable } from './db.ts';
import { OpRejected } from './errors.ts';
import { applyCount, applyMovement } from './stock.ts';

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

export interface OpContext {
  tx: Queryable;
  storeId: string;
  deviceId: string;
  changes: ChangeSet;
}

function parse<T extends z.ZodType>(schema: T, payload: unknown): z.output<T> {
  const result = schema.safeParse(payload);
  if (!result.success) {
    const first = result.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(payload)'}: ${i.message}`);
    throw new OpRejected('invalid_payload', first.join('; '));
  }
  return result.data;
}

async function applyMovements(ctx: OpContext, list: z.infer<typeof movements>, opId: string): Promise<void> {
  for (const m of list) await applyMovement(ctx.tx, ctx.storeId, m, opId, ctx.changes);
}

async function saveOrder(ctx: OpContext, order: z.infer<typeof orderSchema>, opId: string): Promise<void> {
  await ctx.tx.query(
    `INSERT INTO orders (id, store_id, device_id, number, kind, state, original_order_id, total, tax_total, completed_at, body, op_id)
     VALUES ($1, $2, $3, $4, $5, 'completed', $6, $7, $8, $9, $10::jsonb, $11) ON CONFLICT (id) DO NOTHING`,
    [
      order.id,
      ctx.storeId,
      ctx.deviceId,
      order.number,
      order.kind,
      order.originalOrderId ?? null,
      order.total,
      order.taxTotal,
      order.completedAt,
      JSON.stringify(order),
      opId,
    ],
  );
}

/** Applies one op inside the push transaction. Throws OpRejected for a permanent problem. */
export async function applyOp(ctx: OpContext, op: OpEnvelope): Promise<void> {
  const { tx } = ctx;
  switch (op.type) {
    case 'sale.completed': {
      const p = parse(payloads['sale.completed'], op.payload);
      await saveOrder(ctx, p.order, op.opId);
      await applyMovements(ctx, p.movements, op.opId);
      return;
    }
    case 'sale.refunded': {
      const p = parse(payloads['sale.refunded'], op.payload);
      await saveOrder(ctx, p.refund, op.opId);
      await applyMovements(ctx, p.movements, op.opId);
      return;
    }
    case 'sale.voided': {
      const p = parse(payloads['sale.voided'], op.payload);
      await tx.query(
        "UPDATE orders SET state = 'voided', voided_at = $2, void_reason = $3 WHERE id = $1 AND store_id = $4 AND state <> 'voided'",
        [p.orderId, op.occurredAt, p.reason, ctx.storeId],
      );
      await applyMovements(ctx, p.movements, op.opId);
      return;
    }
    case 'stock.goods_in':
    case 'stock.transfer':
      await applyMovements(ctx, parse(payloads[op.type], op.payload).movements, op.opId);
      return;
    case 'stock.adjustment':
      await applyMovements(ctx, [parse(payloads['stock.adjustment'], op.payload).movement], op.opId);
      return;
    case 'stocktake.applied': {
      const p = parse(payloads['stocktake.applied'], op.payload);
      for (const line of p.lines) {
        const countId = `${p.ref}/${line.locationId}/${line.productId}`;
        await applyCount(
          tx,
          ctx.storeId,
          countId,
          line,
          { stocktakeRef: p.ref, deviceId: ctx.deviceId, opId: op.opId },
          ctx.changes,
        );
      }
      await applyMovements(
        ctx,
        (p.movements ?? []).filter((m) => m.kind !== 'count'),
        op.opId,
      );
      return;
    }
    case 'catalog.product_saved':
      await saveProduct(tx, parse(payloads[op.type], op.payload), op.hlc, ctx.changes);
      return;
    case 'catalog.category_saved':
      await saveCategory(tx, parse(payloads[op.type], op.payload), op.hlc, ctx.changes);
      return;
    case 'catalog.tax_class_saved':
      await saveTaxClass(tx, parse(payloads[op.type], op.payload), op.hlc, ctx.changes);
      return;
    case 'note.opened': {
      const p = parse(payloads['note.opened'], op.payload);
      await tx.query(
        `INSERT INTO support_note (id, store_id, device_id, customer_id, order_id, category, body, author, created_at, op_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (id) DO UPDATE SET customer_id = excluded.customer_id, order_id = excluded.order_id,
           category = excluded.category, body = excluded.body, author = excluded.author, created_at = excluded.created_at`,
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
      return;
    }
    case 'note.resolved': {
      const p = parse(payloads['note.resolved'], op.payload);
      // The note itself may still be on its way from another till: keep the resolution meanwhile.
      await tx.query(
        `INSERT INTO support_note (id, store_id, device_id, category, body, status, resolution, resolved_by, resolved_at, op_id)
         VALUES ($1, $2, $3, 'other', '', 'resolved', $4, $5, $6, $7)
         ON CONFLICT (id) DO UPDATE SET status = 'resolved', resolution = excluded.resolution,
           resolved_by = excluded.resolved_by, resolved_at = excluded.resolved_at`,
        [p.id, ctx.storeId, ctx.deviceId, p.resolution ?? null, p.resolvedBy ?? null, p.resolvedAt, op.opId],
      );
      return;
    }
    default:
      if (recordedOnly.test(op.type)) return;
      throw new OpRejected('unknown_op_type', `This server does not know ops of type ${op.type}`);
  }
}
