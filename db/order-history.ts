import Papa from 'papaparse';
import type { TenderKind } from '../shared/cash.ts';
import type { FulfilmentState } from '../shared/fulfilment.ts';
import { majorString } from '../shared/money.ts';
import {
  countLimit,
  type LineRefund,
  maxExportRows,
  type OrderFilter,
  type OrderHistoryRow,
  type orderHistoryOperations,
} from '../shared/order-history.ts';
import type { AuditRecord } from '../shared/staff.ts';
import type { HandlersFor } from './dispatch.ts';
import { findFulfilment, fulfilmentHandlers } from './fulfilment.ts';
import { loadOrder } from './order-read.ts';
import { prepared } from './sql.ts';
import { requireRole, requireStaff } from './staff-access.ts';
import { notesOfOrder } from './support-note.ts';
import type { Till } from './till.ts';

type Named = Record<string, string | number>;

/** A number typed whole (T01-000123) is looked up exactly; anything shorter matches inside numbers. */
const wholeNumber = /^[A-Z0-9]+-\d+$/;

/**
 * The WHERE clause of a filter, with only the conditions it uses: one statement per
 * combination (prepared once each), so SQLite picks the index that fits — the
 * (customer_id | staff_id, completed_at, id) indexes for those filters, (completed_at, id)
 * otherwise, walked newest first until a page is full.
 */
function filterSql(filter: OrderFilter): { where: string; params: Named } {
  const where = ['o.completed_at IS NOT NULL'];
  const params: Named = {};
  const add = (sql: string, name: string, value: string | number) => {
    where.push(sql);
    params[name] = value;
  };
  if (filter.number) {
    const number = filter.number.toUpperCase();
    if (wholeNumber.test(number)) add('o.number = :number', 'number', number);
    else add('instr(o.number, :number) > 0', 'number', number); // numbers are stored upper case
  }
  // Stored times are UTC ISO strings; bounds are normalised to the same form.
  if (filter.from) add('o.completed_at >= :from', 'from', new Date(filter.from).toISOString());
  if (filter.to) add('o.completed_at < :to', 'to', new Date(filter.to).toISOString());
  if (filter.customerId) add('o.customer_id = :customerId', 'customerId', filter.customerId);
  if (filter.staffId) add('o.staff_id = :staffId', 'staffId', filter.staffId);
  if (filter.kind) add('o.kind = :kind', 'kind', filter.kind);
  if (filter.minAmount !== undefined) add('abs(o.total) >= :minAmount', 'minAmount', filter.minAmount);
  if (filter.maxAmount !== undefined) add('abs(o.total) <= :maxAmount', 'maxAmount', filter.maxAmount);
  if (filter.tender) {
    add('EXISTS (SELECT 1 FROM tender t WHERE t.order_id = o.id AND t.kind = :tender)', 'tender', filter.tender);
  }
  if (filter.productId) {
    add('o.id IN (SELECT order_id FROM order_line WHERE product_id = :productId)', 'productId', filter.productId);
  }
  if (filter.fulfilment) {
    add('o.id IN (SELECT order_id FROM fulfilment WHERE state = :fulfilment)', 'fulfilment', filter.fulfilment);
  }
  return { where: where.join(' AND '), params };
}

interface HistoryRow extends Omit<OrderHistoryRow, 'tenders'> {
  tenders: string | null;
}

/**
 * Columns for the rows of one page, joined after the page's ids are chosen. CROSS JOIN
 * keeps the page as the outer loop: with the LIMIT a bound parameter, SQLite would
 * otherwise scan every order and probe the page for each.
 */
const rowSql = (pageSql: string) => `SELECT o.id, o.number, o.kind, o.state, o.total, o.completed_at AS completedAt,
    o.customer_id AS customerId, c.name AS customerName, s.name AS staffName,
    (SELECT count(*) FROM order_line l WHERE l.order_id = o.id) AS lineCount,
    (SELECT group_concat(kind) FROM tender t WHERE t.order_id = o.id) AS tenders,
    f.state AS fulfilment
  FROM (${pageSql}) page
  CROSS JOIN orders o ON o.id = page.id
  JOIN staff s ON s.id = o.staff_id
  LEFT JOIN customer c ON c.id = o.customer_id
  LEFT JOIN fulfilment f ON f.order_id = o.id
  ORDER BY o.completed_at DESC, o.id DESC`;

function toRow(row: HistoryRow): OrderHistoryRow {
  const tenders = [...new Set((row.tenders ?? '').split(',').filter(Boolean))] as TenderKind[];
  return { ...row, tenders, fulfilment: (row.fulfilment as FulfilmentState | null) ?? null };
}

export function searchOrders(till: Till, input: OrderFilter & { after?: string | undefined; limit: number }) {
  const { where, params } = filterSql(input);
  let pageWhere = where;
  const pageParams: Named = { ...params, limit: input.limit + 1 };
  if (input.after) {
    const [at = '', id = ''] = input.after.split('|');
    pageWhere += ' AND (o.completed_at, o.id) < (:afterAt, :afterId)';
    Object.assign(pageParams, { afterAt: at, afterId: id });
  }
  const pageSql = `SELECT o.id FROM orders o WHERE ${pageWhere} ORDER BY o.completed_at DESC, o.id DESC LIMIT :limit`;
  const rows = (prepared(till.db, rowSql(pageSql)).all(pageParams) as HistoryRow[]).map(toRow);
  const orders = rows.slice(0, input.limit);
  const last = orders.at(-1);
  const next = rows.length > input.limit && last ? `${last.completedAt}|${last.id}` : null;
  let count: { n: number; capped: boolean } | null = null;
  if (!input.after) {
    const { n } = prepared(
      till.db,
      `SELECT count(*) AS n FROM (SELECT 1 FROM orders o WHERE ${where} LIMIT ${countLimit + 1})`,
    ).get(params) as { n: number };
    count = { n: Math.min(n, countLimit), capped: n > countLimit };
  }
  return { orders, next, count };
}

interface AuditRow {
  id: number;
  at: string;
  staff_id: string | null;
  staff_name: string | null;
  approved_by: string | null;
  approver_name: string | null;
  action: string;
  subject: string | null;
  before: string | null;
  after: string | null;
}

function auditOf(till: Till, subjects: string[]): AuditRecord[] {
  const rows = prepared(
    till.db,
    `SELECT a.*, s.name AS staff_name, ap.name AS approver_name FROM audit a
     LEFT JOIN staff s ON s.id = a.staff_id LEFT JOIN staff ap ON ap.id = a.approved_by
     WHERE a.subject IN (SELECT value FROM json_each(?)) ORDER BY a.at, a.id`,
  ).all(JSON.stringify(subjects)) as AuditRow[];
  return rows.map((r) => ({
    id: r.id,
    at: r.at,
    staff: r.staff_id ? { id: r.staff_id, name: r.staff_name ?? '' } : null,
    approvedBy: r.approved_by ? { id: r.approved_by, name: r.approver_name ?? '' } : null,
    action: r.action,
    subject: r.subject,
    before: r.before === null ? null : JSON.parse(r.before),
    after: r.after === null ? null : JSON.parse(r.after),
  }));
}

const lineRefundColumns = `SELECT r.id AS refundLineId, r.original_line_id AS saleLineId, r.quantity, ro.id AS refundOrderId,
    ro.number AS refundNumber, so.id AS saleOrderId, so.number AS saleNumber, ro.completed_at AS completedAt
  FROM order_line r JOIN orders ro ON ro.id = r.order_id
  JOIN order_line sl ON sl.id = r.original_line_id JOIN orders so ON so.id = sl.order_id`;

/** Sale → each return of its lines; refund → the sold line behind each of its lines. */
function lineRefundsOf(till: Till, orderId: string, kind: 'sale' | 'refund'): LineRefund[] {
  const sql =
    kind === 'sale'
      ? `${lineRefundColumns} WHERE sl.order_id = ? AND ro.kind = 'refund' ORDER BY ro.completed_at, ro.id, r.position`
      : `${lineRefundColumns} WHERE r.order_id = ? ORDER BY r.position`;
  return prepared(till.db, sql).all(orderId) as LineRefund[];
}

const csvColumns = [
  'number',
  'kind',
  'state',
  'completed_at',
  'customer',
  'cashier',
  'lines',
  'subtotal',
  'discount',
  'tax',
  'total',
  'tenders',
  'fulfilment',
] as const;

/** Formula-looking text is escaped; a negative amount such as -12.34 is left a number. */
const formulaLike = /^(?:[=+@\t\r]|-(?!\d+(?:\.\d+)?$))/;

function exportCsv(till: Till, filter: OrderFilter): { csv: string; rows: number } {
  const { where, params } = filterSql(filter);
  const currency = till.settings().currency;
  const money = (minor: number) => majorString(minor, currency);
  const statement = prepared(
    till.db,
    `SELECT o.number, o.kind, o.state, o.completed_at, c.name AS customer, s.name AS cashier,
       (SELECT count(*) FROM order_line l WHERE l.order_id = o.id) AS lines,
       o.subtotal, o.discount_total, o.tax_total, o.total,
       (SELECT group_concat(t.kind || ' ' || t.amount, ';') FROM tender t WHERE t.order_id = o.id) AS tenders,
       (SELECT state FROM fulfilment f WHERE f.order_id = o.id) AS fulfilment
     FROM (SELECT o.id FROM orders o WHERE ${where} ORDER BY o.completed_at DESC, o.id DESC LIMIT ${maxExportRows}) page
     CROSS JOIN orders o ON o.id = page.id
     JOIN staff s ON s.id = o.staff_id LEFT JOIN customer c ON c.id = o.customer_id`,
  );
  const data: (string | number)[][] = [];
  for (const r of statement.iterate(params) as Iterable<Record<string, string | number | null>>) {
    const tenders = String(r.tenders ?? '')
      .split(';')
      .filter(Boolean)
      .map((t) => {
        const [kind, amount] = t.split(' ');
        return `${kind} ${money(Number(amount))}`;
      })
      .join('; ');
    data.push([
      String(r.number),
      String(r.kind),
      String(r.state),
      String(r.completed_at),
      String(r.customer ?? ''),
      String(r.cashier),
      Number(r.lines),
      money(Number(r.subtotal)),
      money(Number(r.discount_total)),
      money(Number(r.tax_total)),
      money(Number(r.total)),
      tenders,
      String(r.fulfilment ?? ''),
    ]);
  }
  const csv = Papa.unparse({ fields: [...csvColumns], data }, { escapeFormulae: formulaLike, newline: '\r\n' });
  return { csv, rows: data.length };
}

export function orderHistoryHandlers(till: Till): HandlersFor<typeof orderHistoryOperations> {
  return {
    'orders.search': (input) => {
      requireStaff(till);
      return searchOrders(till, input);
    },

    'orders.detail': ({ id }) => {
      requireStaff(till);
      const order = loadOrder(till, id);
      return {
        order,
        lineRefunds: lineRefundsOf(till, id, order.kind),
        fulfilment: findFulfilment(till, id),
        notes: notesOfOrder(till, id),
        audit: auditOf(till, [id, ...order.related.map((r) => r.id)]),
      };
    },

    'orders.exportCsv': (filter) => {
      requireRole(till, 'manager');
      return exportCsv(till, filter);
    },

    ...fulfilmentHandlers(till),
  };
}
