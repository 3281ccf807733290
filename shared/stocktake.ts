import { z } from 'zod';
import type { Unit } from './catalog.ts';
import { operation } from './contract.ts';
import { overrideSchema, type StaffRef } from './staff.ts';
import { shopFloor } from './stock.ts';

/**
 * Stocktakes (DESIGN.md §6): staff count what is on the shelves while the shop keeps
 * selling. Every count entry records when it was counted; a line's variance is its counted
 * quantity minus the ledger balance at that moment, never against a snapshot taken when
 * the count started. Quantities are thousandths, money is minor units.
 */
export const stocktakeStates = ['counting', 'applied', 'cancelled'] as const;
export type StocktakeState = (typeof stocktakeStates)[number];

/** Everything at the location, one category (a cycle count), or a chosen list (a partial count). */
export const scopeKinds = ['all', 'category', 'products'] as const;
export type ScopeKind = (typeof scopeKinds)[number];

/** What applying does with products in scope that nobody counted: leave their stock, or set it to zero. */
export const uncountedPolicies = ['leave', 'zero'] as const;
export type UncountedPolicy = (typeof uncountedPolicies)[number];

export const entrySources = ['scan', 'typed', 'recount', 'zeroed'] as const;
export type EntrySource = (typeof entrySources)[number];

/** How a line ended when the count was applied. */
export const lineResults = ['applied', 'zeroed', 'superseded', 'excluded', 'uncounted'] as const;
export type LineResult = (typeof lineResults)[number];

/** The most products a chosen-list count may name. */
export const maxChosenProducts = 10_000;
/** The most lines one review page returns (a printed report asks for all of them). */
export const maxReviewPage = 200_000;

export interface Stocktake {
  id: string;
  name: string | null;
  locationId: string;
  locationName: string;
  scope: ScopeKind;
  categoryId: string | null;
  categoryName: string | null;
  state: StocktakeState;
  uncounted: UncountedPolicy;
  startedAt: string;
  startedBy: StaffRef | null;
  appliedAt: string | null;
  appliedBy: StaffRef | null;
  /** The manager whose PIN allowed someone else to apply it. */
  approvedBy: StaffRef | null;
  cancelledAt: string | null;
  /** Products in scope. */
  items: number;
  /** Of which counted at least once (live entries). */
  counted: number;
}

/** One product's running count, as the counting screen lists it. */
export interface CountedLine {
  productId: string;
  sku: string;
  name: string;
  unit: Unit;
  /** Sum of the live entries. */
  counted: number;
  entries: number;
  /** The latest live entry's time: the moment the line's variance is measured at. */
  countedAt: string;
  /** How many tills counted it. */
  devices: number;
}

export interface CountResult {
  line: CountedLine;
  /** What this scan or typed entry added (thousandths). */
  added: number;
}

export interface CountEntry {
  id: string;
  quantity: number;
  source: EntrySource;
  code: string | null;
  staff: StaffRef | null;
  deviceId: string;
  countedAt: string;
  /** Set when a recount replaced this entry. */
  replacedBy: string | null;
}

/**
 * One counted product in the review. `expected` is the ledger balance at `countedAt`;
 * variance = counted − expected; value = variance × unit cost (0 when the cost is unknown).
 */
export interface VarianceLine {
  productId: string;
  sku: string;
  name: string;
  unit: Unit;
  counted: number;
  countedAt: string;
  entries: number;
  expected: number;
  variance: number;
  unitCost: number | null;
  value: number;
  excluded: boolean;
  /** Not counted: the "treat as zero" choice made it a line counted 0 at apply time. */
  zeroed: boolean;
  /** A count of this product dated later has already been applied; this line would be stale, so it is left out. */
  superseded: boolean;
  /** After apply: what happened to the line. */
  result: LineResult | null;
}

/** A product in scope that nobody counted. `onHand` is its ledger balance now. */
export interface UncountedItem {
  productId: string;
  sku: string;
  name: string;
  unit: Unit;
  onHand: number;
  unitCost: number | null;
  value: number;
  excluded: boolean;
}

/** Over what would be applied: included lines that are not superseded. Units are thousandths. */
export interface VarianceTotals {
  lines: number;
  counted: number;
  expected: number;
  unitsOver: number;
  unitsShort: number;
  unitsNet: number;
  valueOver: number;
  valueShort: number;
  valueNet: number;
  /** Lines with a variance whose product has no cost, so their value is unknown. */
  withoutCost: number;
  excluded: number;
  superseded: number;
}

export interface StocktakeReview {
  stocktake: Stocktake;
  totals: VarianceTotals;
  /** Sorted by |value| descending, then |variance|; excluded and superseded lines last. */
  lines: VarianceLine[];
  lineCount: number;
  /** Sorted by |on-hand value| descending. */
  uncounted: UncountedItem[];
  uncountedCount: number;
}

export interface ApplyResult {
  stocktake: Stocktake;
  totals: VarianceTotals;
  /** Count movements written (one per applied line). */
  movements: number;
}

export interface StockLocation {
  id: string;
  name: string;
}

const id = z.string().min(1).max(64);
/** A counted quantity in thousandths: never negative (a mistake is fixed by a recount). */
export const countQuantitySchema = z.number().int().min(0).max(1_000_000_000);

export const scopeSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('all') }).strict(),
  z.object({ kind: z.literal('category'), categoryId: id }).strict(),
  z.object({ kind: z.literal('products'), productIds: z.array(id).min(1).max(maxChosenProducts) }).strict(),
]);
export type StocktakeScope = z.infer<typeof scopeSchema>;

export const startStocktakeSchema = z
  .object({
    name: z
      .string()
      .trim()
      .max(80)
      .regex(/^[^\p{Cc}]*$/u, 'No control characters')
      .optional(),
    locationId: id.default(shopFloor),
    scope: scopeSchema,
  })
  .strict();

const ref = z.object({ stocktakeId: id }).strict();

/**
 * Reads a typed count: whole units for items sold each ("12"), kilograms with up to three
 * decimals for weighed goods ("1.375"). Returns thousandths, or null when it is not a count.
 */
export function parseCountQuantity(text: string, unit: Unit): number | null {
  const match = (unit === 'each' ? /^\s*(\d{1,6})\s*$/ : /^\s*(\d{1,6})(?:[.,](\d{1,3}))?\s*$/).exec(text);
  if (!match) return null;
  return Number(match[1]) * 1000 + Number((match[2] ?? '').padEnd(3, '0'));
}

export const stocktakeOperations = {
  'stocktake.locations': operation<StockLocation[]>()(z.object({}).strict(), 'staff'),
  'stocktake.list': operation<Stocktake[]>()(
    z.object({ state: z.enum(stocktakeStates).optional(), limit: z.number().int().min(1).max(500).default(100) }).strict(),
    'staff',
  ),
  'stocktake.get': operation<Stocktake>()(ref, 'staff'),
  'stocktake.start': operation<Stocktake>()(startStocktakeSchema, 'staff'),
  /** Each scan adds what the barcode stands for: one item, or a weight label's weight. */
  'stocktake.scan': operation<CountResult>()(
    z.object({ stocktakeId: id, code: z.string().trim().min(1).max(48) }).strict(),
    'staff',
  ),
  /** A typed quantity, added to the line; `replace` makes it a recount that replaces the line's entries. */
  'stocktake.count': operation<CountResult>()(
    z.object({ stocktakeId: id, productId: id, quantity: countQuantitySchema, replace: z.boolean().default(false) }).strict(),
    'staff',
  ),
  /** The running list of counted lines, latest first. */
  'stocktake.lines': operation<CountedLine[]>()(
    z.object({ stocktakeId: id, limit: z.number().int().min(1).max(500).default(50) }).strict(),
    'staff',
  ),
  'stocktake.entries': operation<CountEntry[]>()(z.object({ stocktakeId: id, productId: id }).strict(), 'staff'),
  'stocktake.exclude': operation<null>()(z.object({ stocktakeId: id, productId: id, excluded: z.boolean() }).strict(), 'staff'),
  'stocktake.setUncounted': operation<Stocktake>()(
    z.object({ stocktakeId: id, policy: z.enum(uncountedPolicies) }).strict(),
    'staff',
  ),
  'stocktake.review': operation<StocktakeReview>()(
    z
      .object({
        stocktakeId: id,
        limit: z.number().int().min(1).max(maxReviewPage).default(200),
        offset: z.number().int().min(0).max(10_000_000).default(0),
      })
      .strict(),
    'staff',
  ),
  /** Needs apply_stocktake (a manager, or a manager's override). */
  'stocktake.apply': operation<ApplyResult>()(
    z.object({ stocktakeId: id, override: overrideSchema.optional() }).strict(),
    'staff',
  ),
  'stocktake.cancel': operation<Stocktake>()(
    z.object({ stocktakeId: id, override: overrideSchema.optional() }).strict(),
    'staff',
  ),
  /** The variance report as a spreadsheet, in review order, uncounted items after the lines. */
  'stocktake.exportCsv': operation<{ csv: string; fileName: string }>()(ref, 'staff'),
};
