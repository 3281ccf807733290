import { z } from 'zod';
import { idSchema, shopLocationId, type Unit } from './catalog.ts';
import { operation } from './contract.ts';
import type { MovementKind } from './stock.ts';

/**
 * The back office's stock list: every product with its on-hand, a page at a time, for a
 * windowed list that must stay quick at 100,000 products. Pages follow each other by key
 * (the last row's name and rowid), never by offset, so page 900 costs what page 1 costs.
 */

/** `low`: at or under its reorder point (a product without one is never low); `negative`: below zero. */
export const stockFilters = ['any', 'low', 'negative'] as const;
export type StockFilter = (typeof stockFilters)[number];

export const productStatuses = ['active', 'inactive', 'all'] as const;
export type ProductStatus = (typeof productStatuses)[number];

export const stockListFilterSchema = z
  .object({
    /** Name, SKU or barcode; words of 3+ characters use the search index anywhere in them. */
    search: z.string().max(100).default(''),
    categoryId: idSchema.nullable().default(null),
    /** Whose stock the on-hand column and the stock filters look at. */
    locationId: idSchema.default(shopLocationId),
    stock: z.enum(stockFilters).default('any'),
    status: z.enum(productStatuses).default('active'),
  })
  .strict();
export type StockListFilter = z.input<typeof stockListFilterSchema>;

/** Where the next page starts: just after this row in name order. */
export const stockListCursorSchema = z.object({ name: z.string().max(400), key: z.number().int().min(0) }).strict();
export type StockListCursor = z.infer<typeof stockListCursorSchema>;

export const maxStockListPage = 500;

export interface StockListRow {
  id: string;
  sku: string;
  name: string;
  /** The first barcode, as printed on shelf labels. */
  barcode: string | null;
  categoryId: string | null;
  unit: Unit;
  price: number;
  cost: number | null;
  /** Thousandths, as on-hand. */
  reorderPoint: number;
  active: boolean;
  /** Thousandths at the filter's location (0 when nothing was ever recorded there). */
  onHand: number;
  /** On-hand at every location that has a stock level for the product, shop floor included. */
  levels: Record<string, number>;
}

export interface StockListPage {
  rows: StockListRow[];
  /** Pass back as `after` for the next page; null on the last one. */
  next: StockListCursor | null;
}

export interface StockLocation {
  id: string;
  name: string;
}

/** One line of a product's movement history, as the back office shows it. */
export interface StockHistoryEntry {
  id: string;
  kind: MovementKind;
  locationId: string;
  /** Signed thousandths. */
  quantity: number;
  unitCost: number | null;
  /** The supplier of a delivery, an adjustment's reason (and note), a transfer's other side. */
  reason: string | null;
  /** The sale or refund that moved it. */
  orderNumber: string | null;
  staffName: string | null;
  /** The manager whose PIN allowed it, for an adjustment made by someone else. */
  approvedBy: string | null;
  /** The till that recorded it: its code when it was this one, else the start of its device id. */
  till: string;
  thisTill: boolean;
  occurredAt: string;
  /** Pass back as `before` for older entries. */
  hlc: string;
}

export const stockListOperations = {
  'stockList.page': operation<StockListPage>()(
    stockListFilterSchema
      .extend({
        after: stockListCursorSchema.nullable().default(null),
        limit: z.number().int().min(1).max(maxStockListPage).default(100),
      })
      .strict(),
    'staff',
  ),
  /** How many products match: sizes the list's scrollbar. */
  'stockList.count': operation<{ count: number }>()(stockListFilterSchema, 'staff'),
  'stockList.locations': operation<StockLocation[]>()(z.object({}).strict(), 'staff'),
  /** A product's movements, newest first: who, when, why, from which till. */
  'stockList.history': operation<StockHistoryEntry[]>()(
    z
      .object({
        productId: idSchema,
        limit: z.number().int().min(1).max(200).default(50),
        before: z.string().max(100).nullable().default(null),
      })
      .strict(),
    'staff',
  ),
};
