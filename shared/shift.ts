import { z } from 'zod';
import { operation } from './contract.ts';
import { overrideSchema, type StaffRef } from './staff.ts';

/** Cash in a drawer, in minor units: whole, never negative, and bounded so sums stay exact. */
export const cashSchema = z.number().int().min(0).max(100_000_000_000);
const reasonSchema = z.string().trim().min(1).max(200);

export interface CashMovement {
  id: string;
  shiftId: string;
  kind: 'in' | 'out' | 'no_sale';
  amount: number;
  reason: string;
  staffId: string;
  at: string;
}

export interface CountAndTotal {
  count: number;
  /** Minor units; negative for refunds. */
  total: number;
}

/** Tax collected at one rate: sales lines, refund lines (negative) and the net of both. */
export interface TaxAtRate {
  rateBp: number;
  salesTax: number;
  refundTax: number;
  tax: number;
  /** Net line totals at this rate, tax included. */
  total: number;
}

/** One tender kind: what sales took, what refunds paid back (negative) and the net. */
export interface TenderTotals {
  kind: string;
  sales: number;
  refunds: number;
  net: number;
}

/** An X report (mid-shift) or a Z report (closed shift), computed from the store alone. */
export interface ShiftReport {
  kind: 'X' | 'Z';
  shiftId: string;
  tillCode: string;
  currency: string;
  openedAt: string;
  openedBy: StaffRef;
  closedAt: string | null;
  closedBy: StaffRef | null;
  printedAt: string;
  float: number;
  sales: CountAndTotal;
  refunds: CountAndTotal;
  voids: CountAndTotal;
  /** Line and order discounts given on sales. */
  discounts: number;
  taxByRate: TaxAtRate[];
  tenders: TenderTotals[];
  /** Σ cash rounding of sales and refunds (already inside the cash tenders). */
  cashRounding: number;
  cashIn: number;
  cashOut: number;
  noSales: number;
  /** float + net cash tenders + cash in − cash out. */
  expectedCash: number;
  /** Set once the shift is closed. */
  countedCash: number | null;
  /** counted − expected: positive over, negative short. */
  overShort: number | null;
}

/** The open shift's running figures, as the till shows them. */
export interface ShiftSummary {
  id: string;
  openedAt: string;
  openedBy: StaffRef;
  float: number;
  /** A blind count: the till keeps expected cash to itself until the count is in. */
  blind: boolean;
  sales: CountAndTotal;
  refunds: CountAndTotal;
  cashIn: number;
  cashOut: number;
  noSales: number;
  /** Null on a blind shift. */
  expectedCash: number | null;
}

export interface ShiftCloseResult {
  expected: number;
  counted: number;
  overShort: number;
  zReport: ShiftReport;
}

export interface ShiftListEntry {
  id: string;
  openedAt: string;
  openedBy: StaffRef;
  closedAt: string | null;
  closedBy: StaffRef | null;
  float: number;
  expectedCash: number | null;
  countedCash: number | null;
}

const empty = z.object({}).strict();

export const shiftOperations = {
  'shift.current': operation<ShiftSummary | null>()(empty, 'staff'),
  /** `blind: false` (expected cash shown during the shift) needs a manager. */
  'shift.open': operation<ShiftSummary>()(z.object({ float: cashSchema, blind: z.boolean().optional() }).strict(), 'staff'),
  'shift.cashMovement': operation<CashMovement>()(
    z.object({ kind: z.enum(['in', 'out']), amount: cashSchema.min(1), reason: reasonSchema }).strict(),
    'staff',
  ),
  /** Opens the drawer without a sale (permission 'no_sale'); the till kicks the drawer on success. */
  'shift.noSale': operation<{ openDrawer: true }>()(
    z.object({ reason: reasonSchema, override: overrideSchema.optional() }).strict(),
    'staff',
  ),
  /** Cash up: the counted cash goes in first, then the till says what it expected. */
  'shift.close': operation<ShiftCloseResult>()(
    z.object({ counted: cashSchema, override: overrideSchema.optional() }).strict(),
    'staff',
  ),
  'shift.xReport': operation<ShiftReport>()(empty, 'manager'),
  /** A closed shift's Z report, as often as it needs reprinting. */
  'shift.zReport': operation<ShiftReport>()(z.object({ shiftId: z.string().min(1).max(64) }).strict(), 'manager'),
  /** Recent shifts, newest first, to pick one for a Z report. */
  'shift.list': operation<ShiftListEntry[]>()(
    z
      .object({
        limit: z.number().int().min(1).max(200).default(30),
        offset: z.number().int().min(0).max(1_000_000).default(0),
      })
      .strict(),
    'manager',
  ),
};
