import Papa from 'papaparse';
import type { TenderKind } from '../shared/cash.ts';
import type { Unit } from '../shared/catalog.ts';
import { TillError } from '../shared/errors.ts';
import { fitTrend, suggestReorder } from '../shared/forecast.ts';
import { majorString } from '../shared/money.ts';
import {
  addDays,
  type CashierRow,
  type CategoryRow,
  type CountAndTotal,
  dayStartUtc,
  daysBetween,
  type LineFigures,
  localDate,
  maxRefundsAndVoids,
  maxReportDays,
  offsetSpans,
  type ParsedReorderQuery,
  type ProductRow,
  type RefundOrVoid,
  type ReorderReport,
  type ReorderRow,
  type ReportRange,
  type ReportTable,
  type reportOperations,
  type SalesReport,
  type TaxRow,
  type TenderRow,
  type TimeBucket,
  topProducts,
} from '../shared/reports.ts';
import type { HandlersFor } from './dispatch.ts';
import type { Till } from './till.ts';

/**
 * Sales reports and reorder suggestions, computed from the till's own store (offline).
 * What counts as a sale, a refund and a void is said once, in shared/reports.ts. Margins
 * use the cost snapshot each sale line took when it was rung up (order_line.unit_cost,
 * migration 0011); a refund line takes its sold line's, a return without a receipt the
 * product's cost today. Lines with no known cost are left out of the margin and shown.
 */

const finished = "('completed', 'partially_refunded', 'refunded')";
// Queries over a range write `+state IN ${finished}`: the unary plus keeps SQLite from
// walking the state index (nearly every order is finished) instead of the range of
// completed_at, which is what narrows a report to its days.
const tenderOrder: TenderKind[] = ['cash', 'card', 'voucher', 'store_credit', 'other'];

interface Window {
  from: string;
  to: string;
  fromMs: number;
  toMs: number;
}

/** The range's first and last local days as UTC instants [from, to), or a specific error. */
export function reportWindow(range: ReportRange): Window {
  const days = daysBetween(range.from, range.to);
  if (days < 1) {
    throw new TillError('invalid_input', 'report_range_reversed', 'The range ends before it starts', {
      from: range.from,
      to: range.to,
    });
  }
  if (days > maxReportDays) {
    throw new TillError('invalid_input', 'report_range_too_long', `A report covers at most ${maxReportDays} days`, {
      days: maxReportDays,
    });
  }
  const fromMs = dayStartUtc(range.from, range.timeZone);
  const toMs = dayStartUtc(addDays(range.to, 1), range.timeZone);
  return { from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString(), fromMs, toMs };
}

/** SQLite date modifier for a zone offset: '+60 minutes'. */
const shiftBy = (minutes: number) => `${minutes >= 0 ? '+' : ''}${minutes} minutes`;

/** Runs a per-local-time query once per daylight-saving span, each shifted by its own offset. */
function perSpan<T>(till: Till, timeZone: string, w: Window, sql: string, extra: Record<string, unknown> = {}): T[] {
  const statement = till.db.prepare(sql);
  return offsetSpans(w.fromMs, w.toMs, timeZone).flatMap(
    (span) =>
      statement.all({
        ...extra,
        lo: new Date(span.from).toISOString(),
        hi: new Date(span.to).toISOString(),
        shift: shiftBy(span.offsetMinutes),
      }) as T[],
  );
}

const emptyBucket = (): TimeBucket => ({ sales: 0, salesTotal: 0, refundsTotal: 0, net: 0 });
function addBucket(into: TimeBucket, from: Omit<TimeBucket, 'net'>): void {
  into.sales += from.sales;
  into.salesTotal += from.salesTotal;
  into.refundsTotal += from.refundsTotal;
  into.net = into.salesTotal + into.refundsTotal;
}

/** ISO weekday of a date: 1 = Monday … 7 = Sunday. */
const isoWeekday = (day: string) => new Date(`${day}T00:00:00Z`).getUTCDay() || 7;

function timeTables(till: Till, range: ReportRange, w: Window) {
  const slots = perSpan<{ slot: string } & Omit<TimeBucket, 'net'>>(
    till,
    range.timeZone,
    w,
    `SELECT substr(datetime(completed_at, :shift), 1, 13) AS slot,
       count(CASE WHEN kind = 'sale' THEN 1 END) AS sales,
       coalesce(sum(CASE WHEN kind = 'sale' THEN total END), 0) AS salesTotal,
       coalesce(sum(CASE WHEN kind = 'refund' THEN -abs(total) END), 0) AS refundsTotal
     FROM orders WHERE completed_at >= :lo AND completed_at < :hi AND +state IN ${finished}
     GROUP BY slot`,
  );
  const days = new Map<string, TimeBucket>();
  for (let d = range.from; d <= range.to; d = addDays(d, 1)) days.set(d, emptyBucket());
  const hours = Array.from({ length: 24 }, emptyBucket);
  const weekdays = Array.from({ length: 7 }, emptyBucket);
  for (const s of slots) {
    const day = s.slot.slice(0, 10);
    const bucket = days.get(day);
    if (bucket) addBucket(bucket, s);
    addBucket(hours[Number(s.slot.slice(11, 13))] ?? emptyBucket(), s);
    addBucket(weekdays[isoWeekday(day) - 1] ?? emptyBucket(), s);
  }
  return {
    byDay: [...days].map(([day, b]) => ({ day, ...b })),
    byHour: hours.map((b, hour) => ({ hour, ...b })),
    byWeekday: weekdays.map((b, i) => ({ weekday: i + 1, ...b })),
  };
}

function totals(till: Till, w: Window) {
  const rows = till.db
    .prepare(
      `SELECT kind, count(*) AS count,
         coalesce(sum(CASE WHEN kind = 'sale' THEN total ELSE -abs(total) END), 0) AS total,
         coalesce(sum(CASE WHEN kind = 'sale' THEN tax_total ELSE -abs(tax_total) END), 0) AS tax,
         coalesce(sum(cash_rounding), 0) AS rounding,
         coalesce(sum(CASE WHEN kind = 'sale' THEN discount_total END), 0) AS discounts,
         coalesce(sum(CASE WHEN kind = 'sale' THEN order_discount END), 0) AS orderDiscounts,
         count(CASE WHEN kind = 'sale' AND discount_total > 0 THEN 1 END) AS discounted
       FROM orders WHERE completed_at >= :from AND completed_at < :to AND +state IN ${finished}
       GROUP BY kind`,
    )
    .all(w) as {
    kind: 'sale' | 'refund';
    count: number;
    total: number;
    tax: number;
    rounding: number;
    discounts: number;
    orderDiscounts: number;
    discounted: number;
  }[];
  const voids = till.db
    .prepare(
      `SELECT count(*) AS count, coalesce(sum(total), 0) AS total FROM orders
       WHERE kind = 'sale' AND state = 'voided' AND voided_at >= :from AND voided_at < :to`,
    )
    .get(w) as CountAndTotal;
  const sale = rows.find((r) => r.kind === 'sale');
  const refund = rows.find((r) => r.kind === 'refund');
  const sales = { count: sale?.count ?? 0, total: sale?.total ?? 0 };
  const refunds = { count: refund?.count ?? 0, total: refund?.total ?? 0 };
  const discounts = sale?.discounts ?? 0;
  const order = sale?.orderDiscounts ?? 0;
  return {
    totals: {
      sales,
      refunds,
      voids,
      net: sales.total + refunds.total,
      tax: (sale?.tax ?? 0) + (refund?.tax ?? 0),
      discounts,
      cashRounding: (sale?.rounding ?? 0) + (refund?.rounding ?? 0),
      averageSale: sales.count > 0 ? Math.round(sales.total / sales.count) : 0,
    },
    discounts: {
      line: discounts - order,
      order,
      total: discounts,
      discountedSales: sale?.discounted ?? 0,
      shareBp: sales.total + discounts > 0 ? Math.round((discounts * 10_000) / (sales.total + discounts)) : 0,
    },
  };
}

interface LineGroup {
  product_id: string;
  sku: string;
  name: string;
  unit: Unit;
  category_id: string | null;
  category: string | null;
  rate_bp: number;
  quantity: number;
  sales: number;
  tax: number;
  revenue: number;
  costed_revenue: number;
  cost: number | null;
}

/**
 * Every line sold or refunded in the window, summed per product and tax rate. Refund lines
 * count negative whatever sign they were stored with; a returned item that went back on the
 * shelf takes its cost back out of the cost of goods, one written off does not.
 */
function lineGroups(till: Till, w: Window): LineGroup[] {
  return till.db
    .prepare(
      `WITH lines AS (
         SELECT o.kind, l.product_id, l.tax_rate_bp, l.quantity AS q, l.restock,
           CASE o.kind WHEN 'sale' THEN l.quantity ELSE -l.quantity END AS qty,
           CASE o.kind WHEN 'sale' THEN l.total ELSE -abs(l.total) END AS gross,
           CASE o.kind WHEN 'sale' THEN l.tax ELSE -abs(l.tax) END AS tax,
           CASE o.kind WHEN 'sale' THEN l.unit_cost
             ELSE coalesce(l.unit_cost, (SELECT unit_cost FROM order_line WHERE id = l.original_line_id),
                           (SELECT cost FROM product WHERE id = l.product_id)) END AS uc
         FROM orders o JOIN order_line l ON l.order_id = o.id
         WHERE o.completed_at >= :from AND o.completed_at < :to AND +o.state IN ${finished}
       ), costed AS (
         SELECT *, gross - tax AS revenue,
           CASE WHEN uc IS NULL THEN NULL
                WHEN kind = 'sale' THEN (uc * q + 500) / 1000
                WHEN restock = 1 THEN -((uc * q + 500) / 1000)
                ELSE 0 END AS cost
         FROM lines
       )
       SELECT c.product_id, p.sku, p.name, p.unit, p.category_id, cat.name AS category, c.tax_rate_bp AS rate_bp,
         sum(c.qty) AS quantity, sum(c.gross) AS sales, sum(c.tax) AS tax, sum(c.revenue) AS revenue,
         sum(CASE WHEN c.cost IS NOT NULL THEN c.revenue ELSE 0 END) AS costed_revenue, sum(c.cost) AS cost
       FROM costed c JOIN product p ON p.id = c.product_id LEFT JOIN category cat ON cat.id = p.category_id
       GROUP BY c.product_id, c.tax_rate_bp`,
    )
    .all(w) as LineGroup[];
}

const noFigures = (): LineFigures => ({ quantity: 0, sales: 0, revenue: 0, costedRevenue: 0, cost: null, margin: null });
function addFigures(into: LineFigures, g: LineGroup): void {
  into.quantity += g.quantity;
  into.sales += g.sales;
  into.revenue += g.revenue;
  into.costedRevenue += g.costed_revenue;
  if (g.cost !== null) into.cost = (into.cost ?? 0) + g.cost;
  into.margin = into.cost === null ? null : into.costedRevenue - into.cost;
}
const bySales = (a: LineFigures & { name?: string | null }, b: LineFigures & { name?: string | null }) =>
  b.sales - a.sales || (a.name ?? '').localeCompare(b.name ?? '');

function lineTables(groups: LineGroup[]) {
  const products = new Map<string, ProductRow>();
  const categories = new Map<string | null, CategoryRow>();
  const rates = new Map<number, TaxRow>();
  const all = noFigures();
  for (const g of groups) {
    let product = products.get(g.product_id);
    if (!product) {
      product = { productId: g.product_id, sku: g.sku, name: g.name, unit: g.unit, category: g.category, ...noFigures() };
      products.set(g.product_id, product);
    }
    addFigures(product, g);
    let category = categories.get(g.category_id);
    if (!category) {
      category = { categoryId: g.category_id, category: g.category, ...noFigures() };
      categories.set(g.category_id, category);
    }
    addFigures(category, g);
    addFigures(all, g);
    const rate = rates.get(g.rate_bp) ?? { rateBp: g.rate_bp, taxable: 0, tax: 0, gross: 0 };
    rate.taxable += g.revenue;
    rate.tax += g.tax;
    rate.gross += g.sales;
    rates.set(g.rate_bp, rate);
  }
  const margin = all.margin;
  return {
    products: [...products.values()].sort(bySales),
    byCategory: [...categories.values()].sort((a, b) => bySales({ ...a, name: a.category }, { ...b, name: b.category })),
    tax: [...rates.values()].sort((a, b) => a.rateBp - b.rateBp),
    margin: {
      sales: all.sales,
      revenue: all.revenue,
      costedRevenue: all.costedRevenue,
      cost: all.cost,
      margin,
      marginBp: margin !== null && all.costedRevenue !== 0 ? Math.round((margin * 10_000) / all.costedRevenue) : null,
      revenueWithoutCost: all.revenue - all.costedRevenue,
    },
  };
}

function cashiers(till: Till, w: Window): CashierRow[] {
  const rows = till.db
    .prepare(
      `SELECT o.staff_id AS staffId, s.name, o.kind, count(*) AS count,
         coalesce(sum(CASE WHEN o.kind = 'sale' THEN o.total ELSE -abs(o.total) END), 0) AS total
       FROM orders o JOIN staff s ON s.id = o.staff_id
       WHERE o.completed_at >= :from AND o.completed_at < :to AND +o.state IN ${finished}
       GROUP BY o.staff_id, o.kind
       UNION ALL
       SELECT o.staff_id, s.name, 'void', count(*), coalesce(sum(o.total), 0)
       FROM orders o JOIN staff s ON s.id = o.staff_id
       WHERE o.kind = 'sale' AND o.state = 'voided' AND o.voided_at >= :from AND o.voided_at < :to
       GROUP BY o.staff_id`,
    )
    .all(w) as { staffId: string; name: string; kind: 'sale' | 'refund' | 'void'; count: number; total: number }[];
  const byStaff = new Map<string, CashierRow>();
  for (const r of rows) {
    const none = () => ({ count: 0, total: 0 });
    const row = byStaff.get(r.staffId) ?? {
      staffId: r.staffId,
      name: r.name,
      sales: none(),
      refunds: none(),
      voids: none(),
      net: 0,
      averageSale: 0,
    };
    const which = r.kind === 'sale' ? row.sales : r.kind === 'refund' ? row.refunds : row.voids;
    which.count += r.count;
    which.total += r.total;
    row.net = row.sales.total + row.refunds.total;
    row.averageSale = row.sales.count > 0 ? Math.round(row.sales.total / row.sales.count) : 0;
    byStaff.set(r.staffId, row);
  }
  return [...byStaff.values()].sort((a, b) => b.net - a.net || a.name.localeCompare(b.name));
}

function tenders(till: Till, w: Window): TenderRow[] {
  const rows = till.db
    .prepare(
      `SELECT t.kind, count(CASE WHEN o.kind = 'sale' THEN 1 END) AS count,
         coalesce(sum(CASE WHEN o.kind = 'sale' THEN t.amount END), 0) AS sales,
         coalesce(sum(CASE WHEN o.kind = 'refund' THEN -abs(t.amount) END), 0) AS refunds
       FROM orders o JOIN tender t ON t.order_id = o.id
       WHERE o.completed_at >= :from AND o.completed_at < :to AND +o.state IN ${finished}
       GROUP BY t.kind`,
    )
    .all(w) as Omit<TenderRow, 'net'>[];
  return rows
    .map((r) => ({ ...r, net: r.sales + r.refunds }))
    .sort((a, b) => tenderOrder.indexOf(a.kind) - tenderOrder.indexOf(b.kind));
}

/** Refunds and voids, newest first, with who approved them and why (from the audit log). */
function refundsAndVoids(till: Till, w: Window, limit: number): RefundOrVoid[] {
  const rows = till.db
    .prepare(
      `SELECT * FROM (
         SELECT o.id, o.number, 'refund' AS kind, o.completed_at AS at, o.staff_id, o.total, o.original_order_id, o.note
         FROM orders o WHERE o.kind = 'refund' AND +o.state IN ${finished} AND o.completed_at >= :from AND o.completed_at < :to
         UNION ALL
         SELECT o.id, o.number, 'void', o.voided_at, o.staff_id, o.total, NULL, NULL
         FROM orders o WHERE o.kind = 'sale' AND o.state = 'voided' AND o.voided_at >= :from AND o.voided_at < :to
       ) ORDER BY at DESC, id DESC LIMIT :limit`,
    )
    .all({ ...w, limit }) as {
    id: string;
    number: string | null;
    kind: 'refund' | 'void';
    at: string;
    staff_id: string;
    total: number;
    original_order_id: string | null;
    note: string | null;
  }[];
  const audit = till.db.prepare(
    `SELECT a.staff_id, a.approved_by, json_extract(a.after, '$.reason') AS reason FROM audit a
     WHERE a.subject = :subject AND a.action = :action AND (:number IS NULL OR json_extract(a.after, '$.refund') = :number)
     ORDER BY a.id LIMIT 1`,
  );
  const name = till.db.prepare('SELECT name FROM staff WHERE id = ?').pluck();
  return rows.map((r) => {
    const found = audit.get(
      r.kind === 'void'
        ? { subject: r.id, action: 'sale.void', number: null }
        : r.original_order_id
          ? { subject: r.original_order_id, action: 'sale.refund', number: r.number }
          : { subject: r.id, action: 'sale.return_without_receipt', number: null },
    ) as { staff_id: string | null; approved_by: string | null; reason: string | null } | undefined;
    return {
      orderId: r.id,
      number: r.number,
      kind: r.kind,
      at: r.at,
      staffName: (name.get(found?.staff_id ?? r.staff_id) as string | undefined) ?? '',
      approvedBy: found?.approved_by ? ((name.get(found.approved_by) as string | undefined) ?? null) : null,
      total: r.kind === 'refund' ? -Math.abs(r.total) : r.total,
      reason: found?.reason ?? r.note,
    };
  });
}

export function salesReport(till: Till, range: ReportRange): SalesReport {
  const w = reportWindow(range);
  const lines = lineTables(lineGroups(till, w));
  const { totals: sums, discounts } = totals(till, w);
  return {
    range: { ...range, fromUtc: w.from, toUtc: w.to },
    currency: till.settings().currency,
    totals: sums,
    ...timeTables(till, range, w),
    byProduct: lines.products.slice(0, topProducts),
    productCount: lines.products.length,
    byCategory: lines.byCategory,
    byCashier: cashiers(till, w),
    tenders: tenders(till, w),
    tax: lines.tax,
    refundsAndVoids: refundsAndVoids(till, w, maxRefundsAndVoids),
    discounts,
    margin: lines.margin,
  };
}

/** Reorder suggestions for every active product that sold lately or sits at or under its reorder point. */
export function reorderReport(till: Till, input: ParsedReorderQuery): ReorderReport {
  const today = localDate(till.now().getTime(), input.timeZone);
  const historyFrom = addDays(today, -input.historyDays);
  const historyTo = addDays(today, -1);
  const w = reportWindow({ from: historyFrom, to: historyTo, timeZone: input.timeZone });
  const sold = perSpan<{ product_id: string; day: string; q: number }>(
    till,
    input.timeZone,
    w,
    `SELECT l.product_id, substr(datetime(o.completed_at, :shift), 1, 10) AS day, sum(l.quantity) AS q
     FROM orders o JOIN order_line l ON l.order_id = o.id
     WHERE o.kind = 'sale' AND +o.state IN ${finished} AND o.completed_at >= :lo AND o.completed_at < :hi
     GROUP BY l.product_id, day`,
  );
  const history = new Map<string, number[]>();
  for (const s of sold) {
    const series = history.get(s.product_id) ?? new Array<number>(input.historyDays).fill(0);
    const index = daysBetween(historyFrom, s.day) - 1;
    if (index >= 0 && index < series.length) series[index] = (series[index] ?? 0) + s.q;
    history.set(s.product_id, series);
  }
  const products = till.db
    .prepare(
      `SELECT p.id, p.sku, p.name, p.unit, p.reorder_point, p.cost, coalesce(s.on_hand, 0) AS on_hand
       FROM product p LEFT JOIN stock_level s ON s.product_id = p.id AND s.location_id = :loc
       WHERE p.active = 1 AND (:cat IS NULL OR p.category_id = :cat)
         AND (p.id IN (SELECT value FROM json_each(:sold)) OR (p.reorder_point > 0 AND coalesce(s.on_hand, 0) <= p.reorder_point))`,
    )
    .all({ loc: input.locationId, cat: input.categoryId, sold: JSON.stringify([...history.keys()]) }) as {
    id: string;
    sku: string;
    name: string;
    unit: Unit;
    reorder_point: number;
    cost: number | null;
    on_hand: number;
  }[];
  const zeros = new Array<number>(input.historyDays).fill(0);
  const rows: ReorderRow[] = [];
  for (const p of products) {
    const series = history.get(p.id) ?? zeros;
    const s = suggestReorder({
      history: series,
      leadDays: input.leadDays,
      onHand: p.on_hand,
      reorderPoint: p.reorder_point,
      unit: p.unit,
    });
    if (s.quantity <= 0) continue;
    rows.push({
      productId: p.id,
      sku: p.sku,
      name: p.name,
      unit: p.unit,
      onHand: p.on_hand,
      reorderPoint: p.reorder_point,
      sold: series.reduce((a, b) => a + b, 0),
      trend: Math.round(fitTrend(series).slope),
      ...s,
      cost: p.cost,
      value: p.cost === null ? null : Math.round((p.cost * s.quantity) / 1000),
    });
  }
  rows.sort(
    (a, b) => b.demand - a.demand || b.reorderPoint - b.onHand - (a.reorderPoint - a.onHand) || a.name.localeCompare(b.name),
  );
  return { historyFrom, historyTo, leadDays: input.leadDays, rows: rows.slice(0, input.limit), total: rows.length };
}

// CSV: one file per table, the same figures as the screen, money in major units as typed.

/** Thousandths as a decimal: 2500 → "2.5". */
function units(value: number): string {
  const sign = value < 0 ? '-' : '';
  const abs = Math.abs(value);
  const fraction = String(abs % 1000)
    .padStart(3, '0')
    .replace(/0+$/, '');
  return `${sign}${Math.trunc(abs / 1000)}${fraction ? `.${fraction}` : ''}`;
}

/**
 * Cells a spreadsheet would run as a formula get a leading ' (as the catalog export does),
 * except plain negative numbers: a refund of -1.99 stays a number.
 */
const formula = /^(?:[=+@\t\r]|-(?!\d+(?:\.\d+)?$))/;

function csvOf(fields: string[], data: (string | number | null)[][]): string {
  return Papa.unparse(
    { fields, data: data.map((row) => row.map((cell) => (cell === null ? '' : String(cell)))) },
    { escapeFormulae: formula, newline: '\r\n' },
  );
}

export function reportCsv(report: SalesReport, table: ReportTable, allProducts: ProductRow[]): string {
  const m = (minor: number | null) => (minor === null ? null : majorString(minor, report.currency));
  const bucket = (b: TimeBucket) => [b.sales, m(b.salesTotal), m(b.refundsTotal), m(b.net)];
  const bucketFields = ['sales', 'sales_total', 'refunds_total', 'net'];
  const figures = (f: LineFigures) => [units(f.quantity), m(f.sales), m(f.revenue), m(f.cost), m(f.margin)];
  const figureFields = ['quantity', 'sales', 'revenue_ex_tax', 'cost', 'margin'];
  switch (table) {
    case 'days':
      return csvOf(
        ['day', ...bucketFields],
        report.byDay.map((r) => [r.day, ...bucket(r)]),
      );
    case 'hours':
      return csvOf(
        ['hour', ...bucketFields],
        report.byHour.map((r) => [r.hour, ...bucket(r)]),
      );
    case 'weekdays':
      return csvOf(
        ['iso_weekday', ...bucketFields],
        report.byWeekday.map((r) => [r.weekday, ...bucket(r)]),
      );
    case 'products':
      return csvOf(
        ['sku', 'name', 'category', ...figureFields],
        allProducts.map((r) => [r.sku, r.name, r.category, ...figures(r)]),
      );
    case 'categories':
      return csvOf(
        ['category', ...figureFields],
        report.byCategory.map((r) => [r.category, ...figures(r)]),
      );
    case 'cashiers':
      return csvOf(
        ['cashier', 'sales', 'sales_total', 'refunds', 'refunds_total', 'voids', 'voids_total', 'net', 'average_sale'],
        report.byCashier.map((r) => [
          r.name,
          r.sales.count,
          m(r.sales.total),
          r.refunds.count,
          m(r.refunds.total),
          r.voids.count,
          m(r.voids.total),
          m(r.net),
          m(r.averageSale),
        ]),
      );
    case 'tenders':
      return csvOf(
        ['tender', 'payments', 'sales', 'refunds', 'net'],
        report.tenders.map((r) => [r.kind, r.count, m(r.sales), m(r.refunds), m(r.net)]),
      );
    case 'tax':
      return csvOf(
        ['rate_percent', 'taxable', 'tax', 'gross'],
        report.tax.map((r) => [r.rateBp / 100, m(r.taxable), m(r.tax), m(r.gross)]),
      );
    case 'refunds_voids':
      return csvOf(
        ['number', 'kind', 'at', 'staff', 'approved_by', 'total', 'reason'],
        report.refundsAndVoids.map((r) => [r.number, r.kind, r.at, r.staffName, r.approvedBy, m(r.total), r.reason]),
      );
    case 'discounts': {
      const d = report.discounts;
      return csvOf(
        ['line_discounts', 'sale_discounts', 'total', 'discounted_sales', 'share_percent'],
        [[m(d.line), m(d.order), m(d.total), d.discountedSales, d.shareBp / 100]],
      );
    }
    case 'margin': {
      const g = report.margin;
      return csvOf(
        ['revenue_ex_tax', 'costed_revenue', 'cost', 'margin', 'margin_percent', 'revenue_without_cost'],
        [
          [
            m(g.revenue),
            m(g.costedRevenue),
            m(g.cost),
            m(g.margin),
            g.marginBp === null ? null : g.marginBp / 100,
            m(g.revenueWithoutCost),
          ],
        ],
      );
    }
  }
}

function reorderCsv(report: ReorderReport, currency: string): string {
  const m = (minor: number | null) => (minor === null ? null : majorString(minor, currency));
  return csvOf(
    [
      'sku',
      'name',
      'on_hand',
      'reorder_point',
      'sold',
      'trend_per_day',
      'forecast_per_day',
      'demand_in_lead_time',
      'order',
      'unit_cost',
      'value',
    ],
    report.rows.map((r) => [
      r.sku,
      r.name,
      units(r.onHand),
      units(r.reorderPoint),
      units(r.sold),
      units(r.trend),
      units(r.dailyNow),
      units(r.demand),
      units(r.quantity),
      m(r.cost),
      m(r.value),
    ]),
  );
}

export function reportHandlers(till: Till): HandlersFor<typeof reportOperations> {
  return {
    'reports.sales': (range) => salesReport(till, range),
    'reports.exportCsv': ({ table, ...range }) => {
      const report = salesReport(till, range);
      const all = table === 'products' ? lineTables(lineGroups(till, reportWindow(range))).products : report.byProduct;
      return { csv: reportCsv(report, table, all), fileName: `${table}-${range.from}-to-${range.to}.csv` };
    },
    'reports.reorder': (input) => reorderReport(till, input),
    'reports.reorderCsv': (input) => {
      const report = reorderReport(till, { ...input, limit: 1_000_000 });
      return {
        csv: reorderCsv(report, till.settings().currency),
        fileName: `reorder-${localDate(till.now().getTime(), input.timeZone)}.csv`,
      };
    },
  };
}
