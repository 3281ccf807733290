import Papa from 'papaparse';
import type { TenderKind } from '../shared/cash.ts';
import type { FulfilmentState } from '../shared/fulfilment.ts';
import { majorString } from '../shared/money.ts';
import {
  countLimit,
  type LineRefund,
  maxExportRows,
  type OrderCount,
  type OrderFilter,
  type OrderHistoryRow,
  type OrderPage,
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

/**
 * A filter whose matches an index of its own lists in no useful order: a tender, a product,
 * a delivery state, an amount range, part of a number. A few such orders are read whole and
 * sorted by time; when there are many, they are at least one in every (orders ÷ that many),
 * so walking the history newest first and checking each order meets a page of them soon.
 */
interface Narrowing {
  /** The orders it lists, bound to `o`: the FROM clause when it drives. */
  from: string;
  /** What must still be checked of each order it lists (null: each one matches). */
  recheck: string | null;
  /** The same filter checked on one order while the history is walked. */
  check: string;
  /** The orders it lists, to count (up to a limit) before choosing. */
  size: string;
  /** Its matches, when it is the whole filter, without reading each order; null if it cannot. */
  matches: string | null;
}

/** A filter as SQL: conditions SQLite applies as they are, and the narrowings to choose from. */
interface Compiled {
  conditions: string[];
  narrowings: Narrowing[];
  params: Named;
  /** A whole number typed: one look-up along the number index, nothing to choose. */
  exact: boolean;
}

/**
 * Most orders a narrowing may list and still lead a page. Each is looked up at random (a few
 * µs), while the history walk reads its index in order (a tenth of that per order): at a
 * million orders the two cost about the same here, a few ms.
 */
export const smallSet = 2000;

/** A number typed whole (T01-000123), looked up exactly when there is such an order. */
const wholeNumber = /^[A-Z0-9]+-\d+$/;

/** The till codes in the history (a handful): one step along the number index for each. */
function tillCodes(till: Till): string[] {
  const next = prepared(
    till.db,
    "SELECT substr(number, 1, instr(number, '-') - 1) AS code FROM orders WHERE number > ? ORDER BY number LIMIT 1",
  );
  const codes: string[] = [];
  // '.' sorts just after '-': the step skips every number of the code just found.
  for (let row = next.get(''); row && codes.length < 1000; row = next.get(`${codes.at(-1)}.`)) {
    codes.push((row as { code: string }).code);
  }
  return codes;
}

/**
 * Order numbers are a till code, a dash and digits (T01-004821); the digits are indexed by
 * trigram (migration 0012). Part of a number within the digits, 3 long or more, is looked up
 * there; shorter parts and parts of a till code match most orders, so the history walk finds
 * them soon. Returns false when no number can contain the text.
 */
function numberFilter(till: Till, typed: string, c: Compiled): boolean {
  const number = typed.toUpperCase(); // numbers are stored upper case
  c.params.number = number;
  if (wholeNumber.test(number) && prepared(till.db, 'SELECT 1 FROM orders WHERE number = ?').get(number)) {
    c.conditions.push('o.number = :number');
    c.exact = true;
    return true;
  }
  const codes = tillCodes(till);
  const inNumber = 'instr(o.number, :number) > 0';
  const [before = '', after, ...more] = number.split('-');
  let digits: string;
  if (after === undefined) {
    if (/^\d{1,2}$/.test(number) || codes.some((code) => code.includes(number))) {
      c.conditions.push(inNumber);
      return true;
    }
    if (!/^\d+$/.test(number)) return false;
    digits = number;
  } else {
    // The end of a till code, a dash, the start of the digits.
    if (more.length > 0 || !/^\d*$/.test(after) || !codes.some((code) => code.endsWith(before))) return false;
    if (after.length < 3) {
      c.conditions.push(inNumber);
      return true;
    }
    digits = after;
  }
  c.params.digits = `"${digits}"`; // digits only: safe inside an FTS5 phrase
  const search = 'SELECT rowid AS r FROM order_number_search WHERE order_number_search MATCH :digits';
  c.narrowings.push({
    from: `(${search}) n CROSS JOIN orders o ON o.rowid = n.r`,
    recheck: inNumber, // with a dash, the text reaches into the till code, which is not indexed
    check: inNumber,
    size: search,
    // Digits alone are found exactly by their trigrams: counted without reading the orders.
    matches:
      after === undefined
        ? `SELECT 1 FROM (${search}) n WHERE n.r NOT IN (SELECT rowid FROM orders WHERE completed_at IS NULL)`
        : null,
  });
  return true;
}

/**
 * Orders listed by another table's index (their ids), checked one by one with the same index.
 * Counted from that index alone, less the few orders not completed (a sale being rung up, the
 * parked ones), which sit first in the history index.
 */
function listedBy(select: string, check: string): Narrowing {
  return {
    from: `(${select}) n CROSS JOIN orders o ON o.id = n.id`,
    recheck: null,
    check: `EXISTS (${check})`,
    size: select,
    matches: `SELECT 1 FROM (${select}) n WHERE n.id NOT IN (SELECT id FROM orders WHERE completed_at IS NULL)`,
  };
}

/** The filter as SQL; null when nothing can match. */
function compile(till: Till, filter: OrderFilter): Compiled | null {
  const c: Compiled = { conditions: ['o.completed_at IS NOT NULL'], narrowings: [], params: {}, exact: false };
  const add = (sql: string, name: string, value: string | number) => {
    c.conditions.push(sql);
    c.params[name] = value;
  };
  if (filter.number && !numberFilter(till, filter.number, c)) return null;
  // Stored times are UTC ISO strings; bounds are normalised to the same form.
  if (filter.from) add('o.completed_at >= :from', 'from', new Date(filter.from).toISOString());
  if (filter.to) add('o.completed_at < :to', 'to', new Date(filter.to).toISOString());
  if (filter.customerId) add('o.customer_id = :customerId', 'customerId', filter.customerId);
  if (filter.staffId) add('o.staff_id = :staffId', 'staffId', filter.staffId);
  // Written out, not bound: refunds have a partial index SQLite only uses for the literal.
  if (filter.kind) c.conditions.push(filter.kind === 'refund' ? "o.kind = 'refund'" : "o.kind = 'sale'");
  if (filter.tender) {
    c.params.tender = filter.tender;
    c.narrowings.push(
      listedBy(
        'SELECT DISTINCT order_id AS id FROM tender WHERE kind = :tender',
        'SELECT 1 FROM tender t WHERE t.kind = :tender AND t.order_id = o.id',
      ),
    );
  }
  if (filter.productId) {
    c.params.productId = filter.productId;
    c.narrowings.push(
      listedBy(
        'SELECT DISTINCT order_id AS id FROM order_line WHERE product_id = :productId',
        'SELECT 1 FROM order_line l WHERE l.product_id = :productId AND l.order_id = o.id',
      ),
    );
  }
  if (filter.fulfilment) {
    c.params.fulfilment = filter.fulfilment;
    c.narrowings.push(
      listedBy(
        'SELECT order_id AS id FROM fulfilment WHERE state = :fulfilment',
        'SELECT 1 FROM fulfilment f WHERE f.order_id = o.id AND f.state = :fulfilment',
      ),
    );
  }
  if (filter.minAmount !== undefined || filter.maxAmount !== undefined) {
    const range = (total: string) => {
      const bounds: string[] = [];
      if (filter.minAmount !== undefined) bounds.push(`abs(${total}) >= :minAmount`);
      if (filter.maxAmount !== undefined) bounds.push(`abs(${total}) <= :maxAmount`);
      return bounds.join(' AND ');
    };
    if (filter.minAmount !== undefined) c.params.minAmount = filter.minAmount;
    if (filter.maxAmount !== undefined) c.params.maxAmount = filter.maxAmount;
    // The index holds completed orders and their totals: it lists exactly the matches.
    const listed = `SELECT 1 FROM orders o INDEXED BY orders_amount WHERE o.completed_at IS NOT NULL AND ${range('o.total')}`;
    c.narrowings.push({
      from: 'orders o INDEXED BY orders_amount',
      recheck: range('o.total'), // the range along the index
      check: range('+o.total'), // '+': not the amount index, while another one leads
      size: listed,
      matches: listed,
    });
  }
  return c;
}

/** How many orders a narrowing lists, counted up to just past `limit`. */
function sizeOf(till: Till, c: Compiled, narrowing: Narrowing, limit: number): number {
  const sql = `SELECT count(*) AS n FROM (${narrowing.size} LIMIT :cap)`;
  return (prepared(till.db, sql).get({ ...c.params, cap: limit + 1 }) as { n: number }).n;
}

/**
 * Which narrowing leads: the one listing fewest orders, if no more than `limit`; otherwise
 * none, and the history is walked. 'none' when one of them lists no order at all.
 */
function leader(till: Till, c: Compiled, limit: number): Narrowing | null | 'none' {
  if (c.exact) return null;
  let best: Narrowing | null = null;
  let fewest = Number.POSITIVE_INFINITY;
  for (const narrowing of c.narrowings) {
    const n = sizeOf(till, c, narrowing, limit);
    if (n === 0) return 'none';
    if (n < fewest) [best, fewest] = [narrowing, n];
  }
  return fewest <= limit ? best : null;
}

/** FROM and WHERE of a query led by `by`, or walking the history when `by` is null. */
function ledBy(c: Compiled, by: Narrowing | null): { from: string; where: string } {
  const others = c.narrowings.filter((n) => n !== by).map((n) => n.check);
  const own = by?.recheck ? [by.recheck] : [];
  return { from: by?.from ?? 'orders o', where: [...c.conditions, ...own, ...others].join(' AND ') };
}

/** The ids of a page, newest first, as SQL; null when nothing can match. */
function pageQuery(till: Till, filter: OrderFilter, after: string | undefined): { sql: string; params: Named } | null {
  const c = compile(till, filter);
  const by = c && leader(till, c, smallSet);
  if (!c || by === 'none') return null;
  const { from, where } = ledBy(c, by);
  let keyset = '';
  if (after) {
    const [at = '', id = ''] = after.split('|');
    keyset = ' AND (o.completed_at, o.id) < (:afterAt, :afterId)';
    Object.assign(c.params, { afterAt: at, afterId: id });
  }
  return {
    sql: `SELECT o.id FROM ${from} WHERE ${where}${keyset} ORDER BY o.completed_at DESC, o.id DESC LIMIT :limit`,
    params: c.params,
  };
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

/** One page of matches, newest first; the count is `countOrders`, asked for once it is shown. */
export function searchOrders(till: Till, input: OrderFilter & { after?: string | undefined; limit: number }): OrderPage {
  const page = pageQuery(till, input, input.after);
  if (!page) return { orders: [], next: null };
  const rows = prepared(till.db, rowSql(page.sql)).all({ ...page.params, limit: input.limit + 1 }) as HistoryRow[];
  const orders = rows.slice(0, input.limit).map(toRow);
  const last = orders.at(-1);
  return { orders, next: rows.length > input.limit && last ? `${last.completedAt}|${last.id}` : null };
}

/** How many orders match, up to `countLimit`: at most that many matches are visited. */
export function countOrders(till: Till, filter: OrderFilter): OrderCount {
  const c = compile(till, filter);
  let sql: string | null = null;
  const [lone, ...more] = c?.narrowings ?? [];
  if (c && lone?.matches && more.length === 0 && c.conditions.length === 1) {
    sql = lone.matches; // the whole filter: it counts its own matches, however many it lists
  } else if (c) {
    const by = leader(till, c, countLimit);
    if (by !== 'none') {
      const { from, where } = ledBy(c, by);
      sql = `SELECT 1 FROM ${from} WHERE ${where}`;
    }
  }
  if (!c || !sql) return { n: 0, capped: false };
  const { n } = prepared(till.db, `SELECT count(*) AS n FROM (${sql} LIMIT ${countLimit + 1})`).get(c.params) as {
    n: number;
  };
  return { n: Math.min(n, countLimit), capped: n > countLimit };
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
  const currency = till.settings().currency;
  const money = (minor: number) => majorString(minor, currency);
  const page = pageQuery(till, filter, undefined);
  const statement =
    page &&
    prepared(
      till.db,
      `SELECT o.number, o.kind, o.state, o.completed_at, c.name AS customer, s.name AS cashier,
       (SELECT count(*) FROM order_line l WHERE l.order_id = o.id) AS lines,
       o.subtotal, o.discount_total, o.tax_total, o.total,
       (SELECT group_concat(t.kind || ' ' || t.amount, ';') FROM tender t WHERE t.order_id = o.id) AS tenders,
       (SELECT state FROM fulfilment f WHERE f.order_id = o.id) AS fulfilment
     FROM (${page.sql}) page
     CROSS JOIN orders o ON o.id = page.id
     JOIN staff s ON s.id = o.staff_id LEFT JOIN customer c ON c.id = o.customer_id`,
    );
  const data: (string | number)[][] = [];
  const found = statement?.iterate({ ...page?.params, limit: maxExportRows }) ?? [];
  for (const r of found as Iterable<Record<string, string | number | null>>) {
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

    'orders.count': (filter) => {
      requireStaff(till);
      return countOrders(till, filter);
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
