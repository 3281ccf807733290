import { z } from 'zod';
import type { TenderKind } from './cash.ts';
import { tenderKinds } from './cash.ts';
import { operation } from './contract.ts';
import { overrideSchema } from './staff.ts';
import { quantitySchema } from './stock.ts';

/** DESIGN.md §5: an order's states and the transitions the store allows between them. */
export const orderStates = ['open', 'parked', 'completed', 'partially_refunded', 'refunded', 'voided'] as const;
export type OrderState = (typeof orderStates)[number];

export const transitions: Record<OrderState, readonly OrderState[]> = {
  open: ['parked', 'completed'],
  parked: ['open'],
  completed: ['partially_refunded', 'refunded', 'voided'],
  partially_refunded: ['partially_refunded', 'refunded'],
  refunded: [],
  voided: [],
};

export function canMove(from: OrderState, to: OrderState): boolean {
  return transitions[from].includes(to);
}

export interface OrderLine {
  id: string;
  position: number;
  productId: string;
  sku: string;
  name: string;
  unit: 'each' | 'weight';
  /** Thousandths. */
  quantity: number;
  unitPrice: number;
  priceOverridden: boolean;
  lineDiscount: number;
  orderDiscount: number;
  taxRateBp: number;
  tax: number;
  total: number;
  originalLineId: string | null;
  restock: boolean;
  /** On a sale line: how much has come back so far (thousandths). */
  refundedQuantity: number;
}

export interface Tender {
  id: string;
  kind: TenderKind;
  amount: number;
  tendered: number | null;
  change: number;
  reference: string | null;
}

export interface OrderSummary {
  id: string;
  number: string | null;
  kind: 'sale' | 'refund';
  state: OrderState;
  total: number;
  lineCount: number;
  customerName: string | null;
  staffName: string;
  openedAt: string;
  parkedAt: string | null;
  completedAt: string | null;
}

export interface Order {
  id: string;
  number: string | null;
  kind: 'sale' | 'refund';
  state: OrderState;
  originalOrderId: string | null;
  customerId: string | null;
  customerName: string | null;
  staffId: string;
  staffName: string;
  shiftId: string | null;
  orderDiscount: number;
  subtotal: number;
  discountTotal: number;
  taxTotal: number;
  total: number;
  cashRounding: number;
  openedAt: string;
  parkedAt: string | null;
  completedAt: string | null;
  voidedAt: string | null;
  lines: OrderLine[];
  tenders: Tender[];
  /** Refund orders made against this sale, or the sale a refund belongs to. */
  related: { id: string; number: string | null; kind: 'sale' | 'refund'; total: number }[];
}

const id = z.string().min(1).max(64);
const money = z.number().int().min(0).max(100_000_000_000);
const override = overrideSchema.optional();

export const tenderInputSchema = z
  .object({ kind: z.enum(tenderKinds), amount: money, reference: z.string().trim().max(64).optional() })
  .strict();

export const saleOperations = {
  'sale.current': operation<Order | null>()(z.object({}).strict(), 'staff'),
  'sale.addItem': operation<Order>()(
    z
      .object({
        productId: id,
        quantity: quantitySchema.optional(),
        /** A price embedded in the barcode replaces the catalog price for this line. */
        unitPrice: money.optional(),
      })
      .strict(),
    'staff',
  ),
  'sale.scan': operation<Order>()(
    z.object({ code: z.string().trim().min(1).max(64), quantity: quantitySchema.optional() }).strict(),
    'staff',
  ),
  'sale.updateLine': operation<Order>()(
    z
      .object({
        lineId: id,
        quantity: quantitySchema.optional(),
        lineDiscount: money.optional(),
        unitPrice: money.optional(),
        override,
      })
      .strict(),
    'staff',
  ),
  'sale.removeLine': operation<Order>()(z.object({ lineId: id }).strict(), 'staff'),
  'sale.setOrderDiscount': operation<Order>()(z.object({ amount: money, override }).strict(), 'staff'),
  'sale.attachCustomer': operation<Order>()(z.object({ customerId: id.nullable() }).strict(), 'staff'),
  'sale.park': operation<OrderSummary>()(z.object({}).strict(), 'staff'),
  'sale.parked': operation<OrderSummary[]>()(z.object({}).strict(), 'staff'),
  'sale.resume': operation<Order>()(z.object({ orderId: id }).strict(), 'staff'),
  'sale.clear': operation<null>()(z.object({}).strict(), 'staff'),
  'sale.complete': operation<Order>()(z.object({ tenders: z.array(tenderInputSchema).min(1).max(20) }).strict(), 'staff'),
  'sale.void': operation<Order>()(
    z.object({ orderId: id, reason: z.string().trim().min(1).max(200), override }).strict(),
    'staff',
  ),
  'sale.refund': operation<Order>()(
    z
      .object({
        orderId: id,
        lines: z
          .array(z.object({ lineId: id, quantity: quantitySchema, restock: z.boolean().default(true) }).strict())
          .min(1)
          .max(500),
        /** Back to the tenders the customer paid with, or as store credit. */
        refundTo: z.enum(['original', 'store_credit']).default('original'),
        reason: z.string().trim().min(1).max(200),
        override,
      })
      .strict(),
    'staff',
  ),
  /** A return with no receipt to link to: today's catalog price, a manager's approval. */
  'sale.returnWithoutReceipt': operation<Order>()(
    z
      .object({
        lines: z
          .array(z.object({ productId: id, quantity: quantitySchema, restock: z.boolean().default(true) }).strict())
          .min(1)
          .max(200),
        refundTo: z.enum(['cash', 'store_credit', 'voucher', 'other']).default('store_credit'),
        reason: z.string().trim().min(1).max(200),
        override,
      })
      .strict(),
    'staff',
  ),
  /** Up to three products often bought with this one (this shop's own history), not already on the sale. */
  'sale.suggestions': operation<
    { id: string; name: string; sku: string; unit: 'each' | 'weight'; price: number; together: number }[]
  >()(z.object({ productId: id }).strict(), 'staff'),
  'sale.order': operation<Order>()(z.object({ id }).strict(), 'staff'),
  'sale.byNumber': operation<Order>()(z.object({ number: z.string().trim().min(1).max(32) }).strict(), 'staff'),
};
