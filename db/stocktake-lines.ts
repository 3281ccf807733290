import type { Unit } from '../shared/catalog.ts';
import { TillError } from '../shared/errors.ts';
import { mulDiv } from '../shared/money.ts';
import type {
  CountedLine,
  LineResult,
  ScopeKind,
  Stocktake,
  StocktakeReview,
  StocktakeState,
  UncountedItem,
  UncountedPolicy,
  VarianceLine,
  VarianceTotals,
} from '../shared/stocktake.ts';
import { prepared } from './sql.ts';
import type { Till } from './till.ts';

/**
 * Reading a stocktake: its header, its running count, and the variance of each line.
 *
 * The rule (DESIGN.md §6): a line's variance = counted − the ledger balance at the line's
 * counted_at, the sum of stock_movement.quantity for that product and location with
 * occurred_at ≤ counted_at. Sales go on during the count and are never compared against a
 * snapshot. A line counted in several entries (two shelves, two tills) is measured at its
 * LATEST live entry: everything that left before the last unit was counted is in the
 * balance. Counting one product in one go (or recounting it) keeps that exact.
 */

export interface StocktakeRow {
  id: string;
  name: string | null;
  location_id: string;
  location_name: string;
  scope: ScopeKind;
  category_id: string | null;
  category_name: string | null;
  state: StocktakeState;
  uncounted: UncountedPolicy;
  started_at: string;
  started_by: string | null;
  started_by_name: string | null;
  applied_at: string | null;
  applied_by: string | null;
  applied_by_name: string | null;
  approved_by: string | null;
  approved_by_name: string | null;
  cancelled_at: string | null;
  items: number;
  counted: number;
}

const header = `SELECT t.id, t.name, t.location_id, l.name AS location_name, t.scope, t.category_id, c.name AS category_name,
    t.state, t.uncounted, t.started_at, t.started_by, sb.name AS started_by_name, t.applied_at, t.applied_by,
    ab.name AS applied_by_name, t.approved_by, pb.name AS approved_by_name, t.cancelled_at,
    (SELECT count(*) FROM stocktake_item i WHERE i.stocktake_id = t.id) AS items,
    (SELECT count(DISTINCT k.product_id) FROM stocktake_count k
      WHERE k.stocktake_id = t.id AND k.replaced_by IS NULL AND k.source <> 'zeroed') AS counted
  FROM stocktake t JOIN location l ON l.id = t.location_id LEFT JOIN category c ON c.id = t.category_id
  LEFT JOIN staff sb ON sb.id = t.started_by LEFT JOIN staff ab ON ab.id = t.applied_by LEFT JOIN staff pb ON pb.id = t.approved_by`;

const ref = (id: string | null, name: string | null) => (id ? { id, name: name ?? '' } : null);

export function toStocktake(row: StocktakeRow): Stocktake {
  return {
    id: row.id,
    name: row.name,
    locationId: row.location_id,
    locationName: row.location_name,
    scope: row.scope,
    categoryId: row.category_id,
    categoryName: row.category_name,
    state: row.state,
    uncounted: row.uncounted,
    startedAt: row.started_at,
    startedBy: ref(row.started_by, row.started_by_name),
    appliedAt: row.applied_at,
    appliedBy: ref(row.applied_by, row.applied_by_name),
    approvedBy: ref(row.approved_by, row.approved_by_name),
    cancelledAt: row.cancelled_at,
    items: row.items,
    counted: row.counted,
  };
}

export function findStocktake(till: Till, id: string): StocktakeRow {
  const row = prepared(till.db, `${header} WHERE t.id = ?`).get(id) as StocktakeRow | undefined;
  if (!row) throw new TillError('not_found', 'unknown_stocktake', 'That stocktake does not exist', { id });
  return row;
}

export function listStocktakes(till: Till, state: StocktakeState | undefined, limit: number): Stocktake[] {
  const rows = prepared(
    till.db,
    `${header} WHERE (:state IS NULL OR t.state = :state) ORDER BY t.started_at DESC LIMIT :limit`,
  ).all({ state: state ?? null, limit }) as StocktakeRow[];
  return rows.map(toStocktake);
}

/** Counting, pausing and applying only make sense while the count is open. */
export function requireCounting(row: StocktakeRow): void {
  if (row.state !== 'counting') {
    throw new TillError('conflict', 'stocktake_not_counting', `This stocktake is already ${row.state}`, { state: row.state });
  }
}

const lineColumns = `p.id AS productId, p.sku, p.name, p.unit, sum(k.quantity) AS counted, count(*) AS entries,
  max(k.counted_at) AS countedAt, count(DISTINCT k.device_id) AS devices`;
const liveEntries = 'stocktake_count k JOIN product p ON p.id = k.product_id WHERE k.stocktake_id = ? AND k.replaced_by IS NULL';

export function countedLine(till: Till, stocktakeId: string, productId: string): CountedLine {
  return prepared(till.db, `SELECT ${lineColumns} FROM ${liveEntries} AND k.product_id = ? GROUP BY p.id`).get(
    stocktakeId,
    productId,
  ) as CountedLine;
}

/** The running list on the counting screen, the line counted last first. */
export function recentLines(till: Till, stocktakeId: string, limit: number): CountedLine[] {
  return prepared(till.db, `SELECT ${lineColumns} FROM ${liveEntries} GROUP BY p.id ORDER BY countedAt DESC, p.name LIMIT ?`).all(
    stocktakeId,
    limit,
  ) as CountedLine[];
}

interface LineRow {
  productId: string;
  sku: string;
  name: string;
  unit: Unit;
  unitCost: number | null;
  excluded: number;
  counted: number;
  countedAt: string;
  entries: number;
  expected: number;
  superseded: number;
  zeroed: number;
  result: LineResult | null;
}

/** The ledger balance of one product at one location up to a moment (the covering index of 0009). */
const balanceAt = (time: string) => `coalesce((SELECT sum(m.quantity) FROM stock_movement m
    WHERE m.product_id = p.id AND m.location_id = :location AND m.occurred_at <= ${time}), 0)`;

/**
 * Each counted product of stocktake :id at :location, measured against the ledger now: the
 * one statement the review reads and the apply freezes, so both say the same.
 */
export const countedLinesSql = `WITH c AS (
    SELECT product_id, sum(quantity) AS counted, max(counted_at) AS counted_at, count(*) AS entries,
           min(source = 'zeroed') AS zeroed
    FROM stocktake_count WHERE stocktake_id = :id AND replaced_by IS NULL GROUP BY product_id
  )
  SELECT p.id AS productId, p.sku, p.name, p.unit, p.cost AS unitCost, i.excluded, c.counted, c.counted_at AS countedAt,
    c.entries, c.zeroed, NULL AS result, ${balanceAt('c.counted_at')} AS expected,
    EXISTS (SELECT 1 FROM stock_movement m WHERE m.product_id = p.id AND m.location_id = :location
      AND m.occurred_at > c.counted_at AND m.kind = 'count') AS superseded
  FROM c JOIN stocktake_item i ON i.stocktake_id = :id AND i.product_id = c.product_id JOIN product p ON p.id = c.product_id`;

/**
 * Every counted line of an open (or cancelled) stocktake, measured now against the ledger.
 * With the "treat as zero" choice, uncounted items that are not excluded come as lines
 * counted 0 at `now`.
 */
function liveLines(till: Till, st: StocktakeRow, now: string): LineRow[] {
  const counted = prepared(till.db, countedLinesSql).all({ id: st.id, location: st.location_id }) as LineRow[];
  if (st.uncounted !== 'zero') return counted;
  const zeroed = uncountedRows(till, st, now)
    .filter((u) => u.excluded === 0)
    .map(
      (u): LineRow => ({
        productId: u.productId,
        sku: u.sku,
        name: u.name,
        unit: u.unit,
        unitCost: u.unitCost,
        excluded: 0,
        counted: 0,
        countedAt: now,
        entries: 0,
        expected: u.onHand,
        superseded: 0,
        zeroed: 1,
        result: null,
      }),
    );
  return [...counted, ...zeroed];
}

/** After apply: the lines exactly as they were applied. */
function frozenLines(till: Till, st: StocktakeRow): LineRow[] {
  return prepared(
    till.db,
    `SELECT p.id AS productId, p.sku, p.name, p.unit, i.unit_cost AS unitCost, i.excluded, i.counted, i.counted_at AS countedAt,
       (SELECT count(*) FROM stocktake_count k WHERE k.stocktake_id = i.stocktake_id AND k.product_id = i.product_id
         AND k.replaced_by IS NULL AND k.source <> 'zeroed') AS entries,
       i.expected, i.result = 'superseded' AS superseded, i.result = 'zeroed' AS zeroed, i.result
     FROM stocktake_item i JOIN product p ON p.id = i.product_id
     WHERE i.stocktake_id = ? AND i.counted IS NOT NULL`,
  ).all(st.id) as LineRow[];
}

interface UncountedRow {
  productId: string;
  sku: string;
  name: string;
  unit: Unit;
  unitCost: number | null;
  excluded: number;
  onHand: number;
}

function uncountedRows(till: Till, st: StocktakeRow, now: string): UncountedRow[] {
  if (st.state === 'applied') {
    return prepared(
      till.db,
      `SELECT p.id AS productId, p.sku, p.name, p.unit, i.unit_cost AS unitCost, i.excluded, coalesce(i.expected, 0) AS onHand
       FROM stocktake_item i JOIN product p ON p.id = i.product_id WHERE i.stocktake_id = ? AND i.counted IS NULL`,
    ).all(st.id) as UncountedRow[];
  }
  return prepared(
    till.db,
    `SELECT p.id AS productId, p.sku, p.name, p.unit, p.cost AS unitCost, i.excluded, ${balanceAt(':now')} AS onHand
     FROM stocktake_item i JOIN product p ON p.id = i.product_id
     WHERE i.stocktake_id = :id AND NOT EXISTS (SELECT 1 FROM stocktake_count k
       WHERE k.stocktake_id = i.stocktake_id AND k.product_id = i.product_id AND k.replaced_by IS NULL)`,
  ).all({ id: st.id, location: st.location_id, now }) as UncountedRow[];
}

const valueAt = (quantity: number, unitCost: number | null) => (unitCost === null ? 0 : mulDiv(quantity, unitCost, 1000));

function toLine(row: LineRow): VarianceLine {
  const variance = row.counted - row.expected;
  return {
    productId: row.productId,
    sku: row.sku,
    name: row.name,
    unit: row.unit,
    counted: row.counted,
    countedAt: row.countedAt,
    entries: row.entries,
    expected: row.expected,
    variance,
    unitCost: row.unitCost,
    value: valueAt(variance, row.unitCost),
    excluded: row.excluded === 1,
    zeroed: row.zeroed === 1,
    superseded: row.superseded === 1,
    result: row.result,
  };
}

/** Lines that applying writes (or wrote): included and not stale. */
export const applies = (line: VarianceLine) => !line.excluded && !line.superseded;

/** Review order: what applies first, then by the money at stake, then by units, then by name. */
function byValue(a: VarianceLine, b: VarianceLine): number {
  return (
    Number(!applies(a)) - Number(!applies(b)) ||
    Math.abs(b.value) - Math.abs(a.value) ||
    Math.abs(b.variance) - Math.abs(a.variance) ||
    a.name.localeCompare(b.name)
  );
}

export function totalsOf(lines: readonly VarianceLine[]): VarianceTotals {
  const t: VarianceTotals = {
    lines: 0,
    counted: 0,
    expected: 0,
    unitsOver: 0,
    unitsShort: 0,
    unitsNet: 0,
    valueOver: 0,
    valueShort: 0,
    valueNet: 0,
    withoutCost: 0,
    excluded: 0,
    superseded: 0,
  };
  for (const line of lines) {
    if (line.excluded) t.excluded++;
    else if (line.superseded) t.superseded++;
    if (!applies(line)) continue;
    t.lines++;
    t.counted += line.counted;
    t.expected += line.expected;
    if (line.variance > 0) t.unitsOver += line.variance;
    else t.unitsShort += line.variance;
    if (line.value > 0) t.valueOver += line.value;
    else t.valueShort += line.value;
    if (line.variance !== 0 && line.unitCost === null) t.withoutCost++;
  }
  t.unitsNet = t.unitsOver + t.unitsShort;
  t.valueNet = t.valueOver + t.valueShort;
  return t;
}

/** Every line of a stocktake in review order, measured now (or as applied). */
export function varianceLines(till: Till, st: StocktakeRow, now: string): VarianceLine[] {
  const rows = st.state === 'applied' ? frozenLines(till, st) : liveLines(till, st, now);
  return rows.map(toLine).sort(byValue);
}

export function uncountedItems(till: Till, st: StocktakeRow, now: string): UncountedItem[] {
  return uncountedRows(till, st, now)
    .map((u) => ({
      productId: u.productId,
      sku: u.sku,
      name: u.name,
      unit: u.unit,
      onHand: u.onHand,
      unitCost: u.unitCost,
      value: valueAt(u.onHand, u.unitCost),
      excluded: u.excluded === 1,
    }))
    .sort(
      (a, b) => Math.abs(b.value) - Math.abs(a.value) || Math.abs(b.onHand) - Math.abs(a.onHand) || a.name.localeCompare(b.name),
    );
}

export function reviewStocktake(till: Till, st: StocktakeRow, limit: number, offset: number): StocktakeReview {
  const now = till.now().toISOString();
  const lines = varianceLines(till, st, now);
  const uncounted = uncountedItems(till, st, now);
  return {
    stocktake: toStocktake(st),
    totals: totalsOf(lines),
    lines: lines.slice(offset, offset + limit),
    lineCount: lines.length,
    uncounted: uncounted.slice(offset, offset + limit),
    uncountedCount: uncounted.length,
  };
}
