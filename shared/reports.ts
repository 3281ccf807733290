import { z } from 'zod';
import type { TenderKind } from './cash.ts';
import { idSchema, shopLocationId, type Unit } from './catalog.ts';
import { operation } from './contract.ts';

/**
 * Sales reports over a range of the shop's days, and reorder suggestions. What counts
 * (the same rules as the X/Z reports, db/shift-report.ts):
 * - a sale is an order of kind 'sale' completed in the range and still standing (completed,
 *   partially refunded or refunded: a later refund is a refund of the day it was taken);
 * - a refund is an order of kind 'refund' completed in the range; its amounts are negative;
 * - a void is a sale voided in the range: it counts only as a void, never as a sale;
 * - net = sales + refunds. Money is minor units, tax included unless it says "ex tax".
 * Days, hours and weekdays are the shop's, in the time zone the screen gives.
 */

/** A day on the calendar: 2024-13-45 would slip past the range checks (NaN days) and span millennia. */
function calendarDay(date: string): boolean {
  const ms = Date.parse(`${date}T00:00:00Z`);
  return Number.isFinite(ms) && new Date(ms).toISOString().slice(0, 10) === date;
}
const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'A date as YYYY-MM-DD')
  .refine(calendarDay, 'Not a day on the calendar');

function knownTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
export const timeZoneSchema = z.string().min(1).max(64).refine(knownTimeZone, 'An IANA time zone such as Europe/Dublin');

/** A report covers at most this many days (a year, leap day included). */
export const maxReportDays = 366;

export const reportRangeSchema = z.object({ from: day, to: day, timeZone: timeZoneSchema }).strict();
export type ReportRange = z.infer<typeof reportRangeSchema>;

export interface CountAndTotal {
  count: number;
  total: number;
}

export interface SalesTotals {
  sales: CountAndTotal;
  refunds: CountAndTotal;
  voids: CountAndTotal;
  /** sales.total + refunds.total. */
  net: number;
  /** Tax in net (sales' tax less refunds'). */
  tax: number;
  /** Line and sale discounts given on sales. */
  discounts: number;
  /** Net of cash rounding on sales and refunds (+ = customers paid more). */
  cashRounding: number;
  /** sales.total / sales.count, rounded; 0 without sales. */
  averageSale: number;
}

export interface TimeBucket {
  /** Orders of kind sale. */
  sales: number;
  salesTotal: number;
  refundsTotal: number;
  net: number;
}
export interface DayRow extends TimeBucket {
  day: string;
}
export interface HourRow extends TimeBucket {
  hour: number;
}
/** ISO weekday: 1 = Monday … 7 = Sunday. */
export interface WeekdayRow extends TimeBucket {
  weekday: number;
}

/** Amounts shared by the product, category and margin figures. */
export interface LineFigures {
  /** Thousandths sold less those returned. */
  quantity: number;
  /** Tax included, net of refunds. */
  sales: number;
  /** Ex tax, net of refunds. */
  revenue: number;
  /** Revenue of the lines whose cost is known; margin is over these only. */
  costedRevenue: number;
  /** Cost of goods of those lines (null when none had a cost). */
  cost: number | null;
  /** costedRevenue − cost; null when no cost is known. */
  margin: number | null;
}
export interface ProductRow extends LineFigures {
  productId: string;
  sku: string;
  name: string;
  unit: Unit;
  category: string | null;
}
export interface CategoryRow extends LineFigures {
  categoryId: string | null;
  category: string | null;
}

export interface CashierRow {
  staffId: string;
  name: string;
  sales: CountAndTotal;
  refunds: CountAndTotal;
  voids: CountAndTotal;
  net: number;
  averageSale: number;
}

export interface TenderRow {
  kind: TenderKind;
  /** Payments taken on sales. */
  count: number;
  sales: number;
  /** Paid back on refunds (negative). */
  refunds: number;
  net: number;
}

export interface TaxRow {
  rateBp: number;
  /** Ex tax, net of refunds. */
  taxable: number;
  tax: number;
  gross: number;
}

export interface RefundOrVoid {
  orderId: string;
  number: string | null;
  kind: 'refund' | 'void';
  at: string;
  staffName: string;
  approvedBy: string | null;
  /** Negative for a refund; the voided sale's total for a void. */
  total: number;
  reason: string | null;
}

export interface DiscountSummary {
  line: number;
  order: number;
  total: number;
  /** Sales with any discount. */
  discountedSales: number;
  /** total ÷ (sales before discounts), basis points. */
  shareBp: number;
}

export interface MarginSummary extends Omit<LineFigures, 'quantity'> {
  /** margin ÷ costedRevenue, basis points; null without costed sales. */
  marginBp: number | null;
  /** Ex-tax revenue of lines whose cost was never recorded: left out of the margin. */
  revenueWithoutCost: number;
}

export interface SalesReport {
  range: ReportRange & { fromUtc: string; toUtc: string };
  currency: string;
  totals: SalesTotals;
  byDay: DayRow[];
  byHour: HourRow[];
  byWeekday: WeekdayRow[];
  /** The best sellers by sales; `productCount` says how many products sold in all. */
  byProduct: ProductRow[];
  productCount: number;
  byCategory: CategoryRow[];
  byCashier: CashierRow[];
  tenders: TenderRow[];
  tax: TaxRow[];
  /** Newest first, at most `maxRefundsAndVoids`. */
  refundsAndVoids: RefundOrVoid[];
  discounts: DiscountSummary;
  margin: MarginSummary;
}
export const topProducts = 100;
export const maxRefundsAndVoids = 200;

export const reportTables = [
  'days',
  'hours',
  'weekdays',
  'products',
  'categories',
  'cashiers',
  'tenders',
  'tax',
  'refunds_voids',
  'discounts',
  'margin',
] as const;
export type ReportTable = (typeof reportTables)[number];

export const reorderQuerySchema = z
  .object({
    /** Days of sales history the trend is fitted to (the days before today). */
    historyDays: z.number().int().min(7).max(365).default(28),
    /** Days until a delivery ordered today arrives. */
    leadDays: z.number().int().min(0).max(180).default(7),
    locationId: idSchema.default(shopLocationId),
    categoryId: idSchema.nullable().default(null),
    timeZone: timeZoneSchema,
    limit: z.number().int().min(1).max(1000).default(200),
  })
  .strict();
export type ReorderQuery = z.input<typeof reorderQuerySchema>;
export type ParsedReorderQuery = z.output<typeof reorderQuerySchema>;

export interface ReorderRow {
  productId: string;
  sku: string;
  name: string;
  unit: Unit;
  onHand: number;
  reorderPoint: number;
  /** Sold over the history (thousandths). */
  sold: number;
  /** The fitted line's change per day (thousandths per day, rounded). */
  trend: number;
  dailyNow: number;
  demand: number;
  quantity: number;
  coverDays: number | null;
  cost: number | null;
  /** quantity × cost, when the cost is known. */
  value: number | null;
}

export interface ReorderReport {
  historyFrom: string;
  historyTo: string;
  leadDays: number;
  /** Products that need ordering, most demand first; `total` counts all of them. */
  rows: ReorderRow[];
  total: number;
}

export const reportOperations = {
  'reports.sales': operation<SalesReport>()(reportRangeSchema, 'manager'),
  'reports.exportCsv': operation<{ csv: string; fileName: string }>()(
    reportRangeSchema.extend({ table: z.enum(reportTables) }).strict(),
    'manager',
  ),
  'reports.reorder': operation<ReorderReport>()(reorderQuerySchema, 'manager'),
  'reports.reorderCsv': operation<{ csv: string; fileName: string }>()(reorderQuerySchema, 'manager'),
};

// Time zones: the store keeps UTC instants; a report's days are the shop's. Pure Intl maths.

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Minutes the zone's clocks are ahead of UTC at this instant (Dublin in summer: 60). */
export function zoneOffsetMinutes(ms: number, timeZone: string): number {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(ms))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  const wall = Date.UTC(
    parts.year ?? 1970,
    (parts.month ?? 1) - 1,
    parts.day ?? 1,
    parts.hour ?? 0,
    parts.minute ?? 0,
    parts.second ?? 0,
  );
  return Math.round((wall - (ms - (ms % 1000))) / 60_000);
}

/** The instant a local date's day starts in the zone (its first existing minute). */
export function dayStartUtc(date: string, timeZone: string): number {
  const [y, m, d] = date.split('-').map(Number);
  const wall = Date.UTC(y ?? 1970, (m ?? 1) - 1, d ?? 1);
  let at = wall - zoneOffsetMinutes(wall, timeZone) * 60_000;
  at = wall - zoneOffsetMinutes(at, timeZone) * 60_000;
  return at;
}

/** YYYY-MM-DD plus n days (calendar arithmetic, no zone involved). */
export function addDays(date: string, n: number): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y ?? 1970, (m ?? 1) - 1, (d ?? 1) + n)).toISOString().slice(0, 10);
}

/** The local date in the zone at an instant. */
export function localDate(ms: number, timeZone: string): string {
  return new Date(ms + zoneOffsetMinutes(ms, timeZone) * 60_000).toISOString().slice(0, 10);
}

/** Days from `from` to `to`, both included. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000) + 1;
}

export interface OffsetSpan {
  from: number;
  to: number;
  offsetMinutes: number;
}

/**
 * [from, to) cut where the zone's offset changes (daylight saving), so each span shifts by
 * one fixed number of minutes. Probes every 6 hours, then bisects each change to the minute.
 */
export function offsetSpans(from: number, to: number, timeZone: string): OffsetSpan[] {
  const spans: OffsetSpan[] = [];
  const step = 6 * 3_600_000;
  let start = from;
  let offset = zoneOffsetMinutes(from, timeZone);
  for (let probe = from; probe < to; ) {
    const next = Math.min(probe + step, to);
    const after = zoneOffsetMinutes(next, timeZone);
    if (after !== offset && next <= to) {
      let lo = probe;
      let hi = next;
      while (hi - lo > 60_000) {
        const mid = lo + Math.floor((hi - lo) / 120_000) * 60_000;
        if (zoneOffsetMinutes(mid, timeZone) === offset) lo = mid;
        else hi = mid;
      }
      if (hi < to) {
        spans.push({ from: start, to: hi, offsetMinutes: offset });
        start = hi;
        offset = zoneOffsetMinutes(hi, timeZone);
      }
    }
    probe = next;
  }
  spans.push({ from: start, to, offsetMinutes: offset });
  return spans;
}
