import { TillError } from '../shared/errors.ts';
import type { Order, OrderLine, OrderSummary, Tender } from '../shared/sale.ts';
import { prepared } from './sql.ts';
import type { Till } from './till.ts';

interface OrderRow {
  id: string;
  number: string | null;
  kind: 'sale' | 'refund';
  state: Order['state'];
  original_order_id: string | null;
  customer_id: string | null;
  customer_name: string | null;
  staff_id: string;
  staff_name: string;
  shift_id: string | null;
  order_discount: number;
  subtotal: number;
  discount_total: number;
  tax_total: number;
  total: number;
  cash_rounding: number;
  opened_at: string;
  parked_at: string | null;
  completed_at: string | null;
  voided_at: string | null;
}

const orderSql = `SELECT o.*, c.name AS customer_name, s.name AS staff_name
  FROM orders o JOIN staff s ON s.id = o.staff_id LEFT JOIN customer c ON c.id = o.customer_id`;

/** Quantity already returned per sale line, by refunds that still stand. */
const refundedSql = `SELECT coalesce(sum(r.quantity), 0) AS q, coalesce(sum(-r.total), 0) AS amount, coalesce(sum(-r.tax), 0) AS tax
  FROM order_line r JOIN orders o ON o.id = r.order_id
  WHERE r.original_line_id = ? AND o.kind = 'refund' AND o.state <> 'voided'`;

export function refundedSoFar(till: Till, lineId: string): { q: number; amount: number; tax: number } {
  return prepared(till.db, refundedSql).get(lineId) as { q: number; amount: number; tax: number };
}

/** Quantity returned so far of each line of one sale, by refunds that still stand (absent: none). */
const refundedByLineSql = `SELECT r.original_line_id AS line, sum(r.quantity) AS q
  FROM order_line l JOIN order_line r ON r.original_line_id = l.id JOIN orders o ON o.id = r.order_id
  WHERE l.order_id = ? AND o.kind = 'refund' AND o.state <> 'voided'
  GROUP BY r.original_line_id`;

function toLine(l: Record<string, unknown>, refunded: number): OrderLine {
  return {
    id: l.id as string,
    position: l.position as number,
    productId: l.product_id as string,
    sku: l.sku as string,
    name: l.name as string,
    unit: l.unit as OrderLine['unit'],
    quantity: l.quantity as number,
    unitPrice: l.unit_price as number,
    priceOverridden: l.price_overridden === 1,
    lineDiscount: l.line_discount as number,
    orderDiscount: l.order_discount as number,
    taxRateBp: l.tax_rate_bp as number,
    tax: l.tax as number,
    total: l.total as number,
    originalLineId: (l.original_line_id as string | null) ?? null,
    restock: l.restock === 1,
    refundedQuantity: refunded,
  };
}

function toTender(t: Record<string, unknown>): Tender {
  return {
    id: t.id as string,
    kind: t.kind as Tender['kind'],
    amount: t.amount as number,
    tendered: (t.tendered as number | null) ?? null,
    change: t.change as number,
    reference: (t.reference as string | null) ?? null,
  };
}

/** An order with its lines, tenders and related orders, from its row. */
function fromRow(till: Till, row: OrderRow): Order {
  const id = row.id;
  const lineRows = prepared(till.db, 'SELECT * FROM order_line WHERE order_id = ? ORDER BY position').all(id) as Record<
    string,
    unknown
  >[];
  // An open or parked sale has taken no money and nothing refers to it yet: tenders are
  // written only when it completes, refunds only of completed sales. The cart is read on
  // every scan, so it skips the lookups that can only come back empty.
  const inCart = row.state === 'open' || row.state === 'parked';
  const refunded = new Map<string, number>();
  if (row.kind === 'sale' && !inCart) {
    const rows = prepared(till.db, refundedByLineSql).all(id) as { line: string; q: number }[];
    for (const r of rows) refunded.set(r.line, r.q);
  }
  const lines = lineRows.map((l) => toLine(l, refunded.get(l.id as string) ?? 0));
  const tenders = inCart
    ? []
    : (prepared(till.db, 'SELECT * FROM tender WHERE order_id = ? ORDER BY rowid').all(id) as Record<string, unknown>[]).map(
        toTender,
      );
  const related = inCart
    ? []
    : (prepared(
        till.db,
        `SELECT id, number, kind, total FROM orders WHERE original_order_id = ? OR id = ? ORDER BY completed_at`,
      ).all(id, row.original_order_id ?? '') as Order['related']);
  return {
    id: row.id,
    number: row.number,
    kind: row.kind,
    state: row.state,
    originalOrderId: row.original_order_id,
    customerId: row.customer_id,
    customerName: row.customer_name,
    staffId: row.staff_id,
    staffName: row.staff_name,
    shiftId: row.shift_id,
    orderDiscount: row.order_discount,
    subtotal: row.subtotal,
    discountTotal: row.discount_total,
    taxTotal: row.tax_total,
    total: row.total,
    cashRounding: row.cash_rounding,
    openedAt: row.opened_at,
    parkedAt: row.parked_at,
    completedAt: row.completed_at,
    voidedAt: row.voided_at,
    lines,
    tenders,
    related,
  };
}

export function loadOrder(till: Till, id: string): Order {
  const row = prepared(till.db, `${orderSql} WHERE o.id = ?`).get(id) as OrderRow | undefined;
  if (!row) throw new TillError('not_found', 'unknown_order', `No order ${id}`, { id });
  return fromRow(till, row);
}

/** The sale in progress at this till (the cart), or null: one statement fewer than openOrderId + loadOrder. */
export function loadOpenSale(till: Till): Order | null {
  const row = prepared(till.db, `${orderSql} WHERE o.state = 'open' AND o.kind = 'sale' ORDER BY o.opened_at LIMIT 1`).get() as
    | OrderRow
    | undefined;
  return row ? fromRow(till, row) : null;
}

export function orderSummaries(till: Till, where: string, ...params: unknown[]): OrderSummary[] {
  return prepared(
    till.db,
    `SELECT o.id, o.number, o.kind, o.state, o.total, o.opened_at AS openedAt, o.parked_at AS parkedAt,
            o.completed_at AS completedAt, c.name AS customerName, s.name AS staffName,
            (SELECT count(*) FROM order_line l WHERE l.order_id = o.id) AS lineCount
     FROM orders o JOIN staff s ON s.id = o.staff_id LEFT JOIN customer c ON c.id = o.customer_id
     WHERE ${where}`,
  ).all(...params) as OrderSummary[];
}
