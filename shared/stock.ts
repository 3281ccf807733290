import { z } from 'zod';
import { operation } from './contract.ts';
import { overrideSchema } from './staff.ts';

export const movementKinds = ['sale', 'return', 'goods_in', 'adjustment', 'count', 'transfer'] as const;
export type MovementKind = (typeof movementKinds)[number];

export const adjustmentReasons = ['damaged', 'theft', 'expired', 'found', 'correction', 'other'] as const;
export type AdjustmentReason = (typeof adjustmentReasons)[number];

/** The default location every till has (migration 0004). */
export const shopFloor = 'shop';

export interface StockMovement {
  id: string;
  productId: string;
  locationId: string;
  kind: MovementKind;
  /** Signed thousandths: a sale of 2 each is −2000. */
  quantity: number;
  unitCost: number | null;
  reason: string | null;
  orderId: string | null;
  ref: string | null;
  staffId: string | null;
  staffName: string | null;
  deviceId: string;
  occurredAt: string;
  hlc: string;
}

export interface StockLevel {
  productId: string;
  locationId: string;
  locationName: string;
  onHand: number;
}

export interface LedgerDifference {
  productId: string;
  locationId: string;
  onHand: number;
  ledger: number;
}

const id = z.string().min(1).max(64);
/** Thousandths of a unit: 1 each = 1000. Bounded so sums stay far inside safe integers. */
export const quantitySchema = z.number().int().min(1).max(1_000_000_000);
const signedQuantity = z
  .number()
  .int()
  .min(-1_000_000_000)
  .max(1_000_000_000)
  .refine((q) => q !== 0, 'Must not be zero');
const money = z.number().int().min(0).max(100_000_000_000);

export const goodsInSchema = z
  .object({
    supplier: z.string().trim().min(1).max(120),
    reference: z.string().trim().max(120).optional(),
    locationId: id.default(shopFloor),
    lines: z
      .array(z.object({ productId: id, quantity: quantitySchema, unitCost: money }).strict())
      .min(1)
      .max(5000),
    override: overrideSchema.optional(),
  })
  .strict();

export const adjustmentSchema = z
  .object({
    productId: id,
    locationId: id.default(shopFloor),
    quantity: signedQuantity,
    reason: z.enum(adjustmentReasons),
    note: z.string().trim().max(300).optional(),
    override: overrideSchema.optional(),
  })
  .strict();

export const transferSchema = z
  .object({
    productId: id,
    from: id,
    to: id,
    quantity: quantitySchema,
    override: overrideSchema.optional(),
  })
  .strict();

export const stockOperations = {
  'stock.levels': operation<StockLevel[]>()(z.object({ productId: id }).strict(), 'staff'),
  'stock.movements': operation<StockMovement[]>()(
    z
      .object({ productId: id, limit: z.number().int().min(1).max(500).default(100), beforeHlc: z.string().max(100).optional() })
      .strict(),
    'staff',
  ),
  'stock.receive': operation<{ ref: string; movements: number }>()(goodsInSchema, 'staff'),
  'stock.adjust': operation<StockMovement>()(adjustmentSchema, 'staff'),
  'stock.transfer': operation<{ ref: string }>()(transferSchema, 'staff'),
  'stock.check': operation<LedgerDifference[]>()(z.object({}).strict(), 'staff'),
};
