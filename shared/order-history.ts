import { z } from 'zod';
import type { TenderKind } from './cash.ts';
import { tenderKinds } from './cash.ts';
import { operation } from './contract.ts';
import type { SupportNote } from './customer.ts';
import {
  carrierSchema,
  type Fulfilment,
  type FulfilmentState,
  fulfilmentStates,
  type PackingSlip,
  shippingAddressSchema,
  trackingNumberSchema,
} from './fulfilment.ts';
import type { Order, OrderState } from './sale.ts';
import type { AuditRecord } from './staff.ts';

/**
 * Order history (issue 5): find any completed order by number, date, customer, cashier,
 * tender, amount or product, newest first, a page at a time for a virtualized list; open
 * it with its refunds (both ways), fulfilment, notes and audit trail; export the filtered
 * set as CSV. Fulfilment of delivery orders lives here too.
 */
export interface OrderHistoryRow {
  id: string;
  number: string;
  kind: 'sale' | 'refund';
  state: OrderState;
  total: number;
  completedAt: string;
  customerId: string | null;
  customerName: string | null;
  staffName: string;
  lineCount: number;
  /** Distinct tender kinds, in the order they were taken. */
  tenders: TenderKind[];
  fulfilment: FulfilmentState | null;
}

export interface OrderPage {
  orders: OrderHistoryRow[];
  /** Pass back as `after` for the next page; null at the end. */
  next: string | null;
}

/**
 * How many orders match, counted up to `countLimit` ("10,000+ orders" beyond it). Its own
 * call, made once the first page is shown, so counting never holds up the list.
 */
export interface OrderCount {
  n: number;
  capped: boolean;
}

/** Counting every match of a loose filter over a million orders is not worth the wait. */
export const countLimit = 10_000;

/** How one line of a sale came back, or (on a refund) which sold line it returns. */
export interface LineRefund {
  saleLineId: string;
  refundLineId: string;
  refundOrderId: string;
  refundNumber: string | null;
  saleOrderId: string;
  saleNumber: string | null;
  quantity: number;
  completedAt: string | null;
}

export interface OrderDetail {
  order: Order;
  /** On a sale: every returned quantity per line; on a refund: the sold line of each of its lines. */
  lineRefunds: LineRefund[];
  fulfilment: Fulfilment | null;
  notes: SupportNote[];
  /** Every audit entry about this order or the orders linked to it, oldest first. */
  audit: AuditRecord[];
}

const id = z.string().min(1).max(64);
const isoTime = z.iso.datetime({ offset: true });
/** Totals are signed (refunds are negative); the amount filter compares their size. */
const amount = z.number().int().min(0).max(100_000_000_000);
/** A keyset cursor: `<completed_at>|<id>` of the last row shown. */
const cursor = z
  .string()
  .max(120)
  .regex(/^[^|]+\|[^|]+$/, 'Not a page cursor');

export const orderFilterSchema = z
  .object({
    /** A whole number (T01-000123) finds that order; part of one ("4821", "T01-0048") every number containing it. */
    number: z
      .string()
      .trim()
      .min(1)
      .max(32)
      .regex(/^[A-Za-z0-9-]+$/, 'An order number is letters, digits and dashes')
      .optional(),
    /** Completed at or after. */
    from: isoTime.optional(),
    /** Completed before (exclusive). */
    to: isoTime.optional(),
    customerId: id.optional(),
    /** The cashier who rang it up. */
    staffId: id.optional(),
    tender: z.enum(tenderKinds).optional(),
    minAmount: amount.optional(),
    maxAmount: amount.optional(),
    productId: id.optional(),
    kind: z.enum(['sale', 'refund']).optional(),
    fulfilment: z.enum(fulfilmentStates).optional(),
  })
  .strict();
export type OrderFilter = z.output<typeof orderFilterSchema>;

function rangesInOrder(f: OrderFilter): boolean {
  const dates = !f.from || !f.to || Date.parse(f.from) < Date.parse(f.to);
  const amounts = f.minAmount === undefined || f.maxAmount === undefined || f.minAmount <= f.maxAmount;
  return dates && amounts;
}
const rangeMessage = { message: 'A range must start before it ends', path: ['to'] };

export const orderSearchSchema = orderFilterSchema
  .extend({ after: cursor.optional(), limit: z.number().int().min(1).max(500).default(100) })
  .strict()
  .refine(rangesInOrder, rangeMessage);

/** Rows an export may hold: a year of a busy till, and still a file a spreadsheet opens. */
export const maxExportRows = 500_000;

const orderRef = z.object({ orderId: id }).strict();

export const orderHistoryOperations = {
  'orders.search': operation<OrderPage>()(orderSearchSchema, 'staff'),
  'orders.count': operation<OrderCount>()(orderFilterSchema.refine(rangesInOrder, rangeMessage), 'staff'),
  'orders.detail': operation<OrderDetail>()(z.object({ id }).strict(), 'staff'),
  /** Customers' names and what they bought, in bulk: a manager's export. */
  'orders.exportCsv': operation<{ csv: string; rows: number }>()(
    orderFilterSchema.refine(rangesInOrder, rangeMessage),
    'manager',
  ),
  'fulfilment.create': operation<Fulfilment>()(z.object({ orderId: id, address: shippingAddressSchema }).strict(), 'staff'),
  /** Only while the parcel has not left. */
  'fulfilment.updateAddress': operation<Fulfilment>()(
    z.object({ orderId: id, address: shippingAddressSchema }).strict(),
    'staff',
  ),
  'fulfilment.ship': operation<Fulfilment>()(
    z.object({ orderId: id, carrier: carrierSchema, trackingNumber: trackingNumberSchema }).strict(),
    'staff',
  ),
  'fulfilment.deliver': operation<Fulfilment>()(orderRef, 'staff'),
  'fulfilment.packingSlip': operation<PackingSlip>()(orderRef, 'staff'),
};
