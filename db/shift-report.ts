import { TillError } from '../shared/errors.ts';
import type { CountAndTotal, ShiftReport, TaxAtRate, TenderTotals } from '../shared/shift.ts';
import type { StaffRef } from '../shared/staff.ts';
import type { Till } from './till.ts';

/**
 * X and Z reports from the store alone (no network). Which orders count:
 * - a sale is kind 'sale' in a finished state; later refunds do not undo it, they are
 *   refunds of the shift that took them;
 * - a void is kind 'sale' in state 'voided': its money went back, so it counts only as a void;
 * - a refund is kind 'refund' in a finished state; its totals and tenders are negative.
 */
const finished = "('completed', 'partially_refunded', 'refunded')";
const tenderOrder = ['cash', 'card', 'voucher', 'store_credit', 'other'];

export interface ShiftRow {
  id: string;
  opened_by: string;
  opened_at: string;
  float: number;
  blind: number;
  closed_by: string | null;
  closed_at: string | null;
  counted_cash: number | null;
  expected_cash: number | null;
}

function staffRef(till: Till, id: string): StaffRef {
  const row = till.db.prepare('SELECT name FROM staff WHERE id = ?').get(id) as { name: string } | undefined;
  return { id, name: row?.name ?? '' };
}

function countAndTotal(till: Till, shiftId: string, kind: 'sale' | 'refund', states: string): CountAndTotal {
  return till.db
    .prepare(
      `SELECT count(*) AS count, coalesce(sum(total), 0) AS total FROM orders
       WHERE shift_id = ? AND kind = ? AND state IN ${states}`,
    )
    .get(shiftId, kind) as CountAndTotal;
}

function taxByRate(till: Till, shiftId: string): TaxAtRate[] {
  // A refund always gives tax back; its lines count negative whichever sign they were stored with.
  const rows = till.db
    .prepare(
      `SELECT l.tax_rate_bp AS rateBp,
         coalesce(sum(CASE WHEN o.kind = 'sale' THEN l.tax END), 0) AS salesTax,
         coalesce(sum(CASE WHEN o.kind = 'refund' THEN -abs(l.tax) END), 0) AS refundTax,
         coalesce(sum(CASE WHEN o.kind = 'sale' THEN l.total ELSE -abs(l.total) END), 0) AS total
       FROM order_line l JOIN orders o ON o.id = l.order_id
       WHERE o.shift_id = ? AND o.state IN ${finished}
       GROUP BY l.tax_rate_bp ORDER BY l.tax_rate_bp`,
    )
    .all(shiftId) as Omit<TaxAtRate, 'tax'>[];
  return rows.map((r) => ({ ...r, tax: r.salesTax + r.refundTax }));
}

function tenders(till: Till, shiftId: string): TenderTotals[] {
  const rows = till.db
    .prepare(
      `SELECT t.kind AS kind,
         coalesce(sum(CASE WHEN o.kind = 'sale' THEN t.amount END), 0) AS sales,
         coalesce(sum(CASE WHEN o.kind = 'refund' THEN t.amount END), 0) AS refunds
       FROM tender t JOIN orders o ON o.id = t.order_id
       WHERE o.shift_id = ? AND o.state IN ${finished}
       GROUP BY t.kind`,
    )
    .all(shiftId) as Omit<TenderTotals, 'net'>[];
  return rows
    .map((r) => ({ ...r, net: r.sales + r.refunds }))
    .sort((a, b) => tenderOrder.indexOf(a.kind) - tenderOrder.indexOf(b.kind));
}

function cashMovements(till: Till, shiftId: string): { cashIn: number; cashOut: number; noSales: number } {
  const rows = till.db
    .prepare('SELECT kind, count(*) AS n, sum(amount) AS amount FROM cash_movement WHERE shift_id = ? GROUP BY kind')
    .all(shiftId) as { kind: 'in' | 'out' | 'no_sale'; n: number; amount: number }[];
  const of = (kind: string) => rows.find((r) => r.kind === kind);
  return { cashIn: of('in')?.amount ?? 0, cashOut: of('out')?.amount ?? 0, noSales: of('no_sale')?.n ?? 0 };
}

export function shiftRow(till: Till, shiftId: string): ShiftRow | undefined {
  return till.db.prepare('SELECT * FROM shift WHERE id = ?').get(shiftId) as ShiftRow | undefined;
}

/** The report of one shift as it stands now: X while open, Z once closed. */
export function shiftReport(till: Till, shiftId: string): ShiftReport {
  const shift = shiftRow(till, shiftId);
  if (!shift) throw new TillError('not_found', 'unknown_shift', 'No such shift', { shiftId });
  const settings = till.settings();
  const discounts = till.db
    .prepare(
      `SELECT coalesce(sum(l.line_discount + l.order_discount), 0) AS d
       FROM order_line l JOIN orders o ON o.id = l.order_id
       WHERE o.shift_id = ? AND o.kind = 'sale' AND o.state IN ${finished}`,
    )
    .get(shiftId) as { d: number };
  const rounding = till.db
    .prepare(`SELECT coalesce(sum(cash_rounding), 0) AS r FROM orders WHERE shift_id = ? AND state IN ${finished}`)
    .get(shiftId) as { r: number };
  const tenderTotals = tenders(till, shiftId);
  const cash = cashMovements(till, shiftId);
  const netCash = tenderTotals.find((t) => t.kind === 'cash')?.net ?? 0;
  // A closed shift keeps the expectation it was cashed up against, so a reprint matches the slip.
  const expectedCash = shift.expected_cash ?? shift.float + netCash + cash.cashIn - cash.cashOut;
  const closed = shift.closed_at !== null;
  return {
    kind: closed ? 'Z' : 'X',
    shiftId,
    tillCode: settings.tillCode,
    currency: settings.currency,
    openedAt: shift.opened_at,
    openedBy: staffRef(till, shift.opened_by),
    closedAt: shift.closed_at,
    closedBy: shift.closed_by ? staffRef(till, shift.closed_by) : null,
    printedAt: till.now().toISOString(),
    float: shift.float,
    sales: countAndTotal(till, shiftId, 'sale', finished),
    refunds: countAndTotal(till, shiftId, 'refund', finished),
    voids: countAndTotal(till, shiftId, 'sale', "('voided')"),
    discounts: discounts.d,
    taxByRate: taxByRate(till, shiftId),
    tenders: tenderTotals,
    cashRounding: rounding.r,
    ...cash,
    expectedCash,
    countedCash: shift.counted_cash,
    overShort: closed && shift.counted_cash !== null ? shift.counted_cash - expectedCash : null,
  };
}
