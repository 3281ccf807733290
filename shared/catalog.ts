import { z } from 'zod';
import { operation } from './contract.ts';

/**
 * The catalog: products, categories and tax classes (DESIGN.md §3). Money is integer minor
 * units (a weighed product's price is per kg); quantities are integer thousandths.
 */
export const units = ['each', 'weight'] as const;
export type Unit = (typeof units)[number];

/** Bounds that keep price × quantity (thousandths) far inside exact integer arithmetic. */
export const maxPrice = 1_000_000_000;
export const maxQuantity = 1_000_000_000;
export const maxBarcodesPerProduct = 20;
/** The location whose stock a product's `onHand` shows. */
export const shopLocationId = 'shop';

const noControl = /^[^\p{Cc}]*$/u;
export const idSchema = z.string().min(1).max(64);
export const skuSchema = z.string().trim().min(1).max(64).regex(noControl, 'No control characters');
export const productNameSchema = z.string().trim().min(1).max(200).regex(noControl, 'No control characters');
/** Printable ASCII without spaces or `|` (the CSV separator between a product's barcodes). */
export const barcodeSchema = z
  .string()
  .trim()
  .regex(/^[!-{}~]{1,48}$/, 'A barcode is 1 to 48 printable characters, no spaces or |');
export const priceSchema = z.number().int().min(0).max(maxPrice);
/** A quantity in thousandths (1 each = 1000, 1 kg = 1000), zero allowed: reorder points. */
export const thousandthsSchema = z.number().int().min(0).max(maxQuantity);
export const rateBpSchema = z.number().int().min(0).max(100_000);

export const productSchema = z.object({
  id: idSchema,
  sku: skuSchema,
  name: productNameSchema,
  /** In the order they were added; the first is printed on shelf labels. */
  barcodes: z.array(barcodeSchema).max(maxBarcodesPerProduct),
  categoryId: idSchema.nullable(),
  unit: z.enum(units),
  price: priceSchema,
  taxClassId: idSchema,
  cost: priceSchema.nullable(),
  reorderPoint: thousandthsSchema,
  active: z.boolean(),
  /** Thousandths on hand at the shop (0 when no stock was ever recorded). */
  onHand: z.number().int(),
  updatedAt: z.string(),
});
export type Product = z.infer<typeof productSchema>;

/** One search hit: enough to show a row and add it to a sale. */
export type ProductSummary = Pick<
  Product,
  'id' | 'sku' | 'name' | 'categoryId' | 'unit' | 'price' | 'taxClassId' | 'active' | 'onHand'
> & { barcode: string | null };

export const categorySchema = z.object({
  id: idSchema,
  name: z.string().trim().min(1).max(80).regex(noControl, 'No control characters'),
  position: z.number().int().min(0).max(100_000),
  active: z.boolean(),
});
export type Category = z.infer<typeof categorySchema>;

export const taxClassSchema = z.object({
  id: idSchema,
  name: z.string().trim().min(1).max(60).regex(noControl, 'No control characters'),
  /** Basis points: 2000 = 20 %. */
  rateBp: rateBpSchema,
});
export type TaxClass = z.infer<typeof taxClassSchema>;

/** A product as the back office saves it: without `id` it is created. */
export const saveProductSchema = productSchema
  .omit({ id: true, onHand: true, updatedAt: true })
  .extend({
    id: idSchema.optional(),
    barcodes: productSchema.shape.barcodes.default([]),
    categoryId: idSchema.nullable().default(null),
    unit: z.enum(units).default('each'),
    cost: priceSchema.nullable().default(null),
    reorderPoint: thousandthsSchema.default(0),
    active: z.boolean().default(true),
  })
  .strict();
export type SaveProduct = z.input<typeof saveProductSchema>;

export interface BarcodeLookup {
  product: Product;
  /** Thousandths: 1000 for one item, the label's grams for a weighed item. */
  quantity: number;
  /** A price label's price for this one pack, overriding the catalog price. */
  unitPrice?: number;
  embedded?: { kind: 'price' | 'weight'; value: number };
}

/** The catalog file's columns, in the order export writes them. */
export const catalogCsvColumns = [
  'sku',
  'name',
  'barcodes',
  'category',
  'unit',
  'price',
  'tax_class',
  'cost',
  'reorder_point',
  'active',
] as const;
export type CatalogCsvColumn = (typeof catalogCsvColumns)[number];

export const importModes = ['all_or_nothing', 'valid_rows'] as const;
export type ImportMode = (typeof importModes)[number];

export interface ImportRowError {
  /** The row as a spreadsheet numbers it: the header is row 1. */
  row: number;
  /** The column at fault, or '' for the whole row. */
  column: string;
  reason: string;
  message: string;
  params?: Record<string, string | number>;
}

export interface ImportReport {
  /** Data rows in the file (blank lines not counted). */
  total: number;
  /** created + updated + unchanged. */
  imported: number;
  created: number;
  updated: number;
  unchanged: number;
  /** Rows refused; `errors` lists at most maxReportedErrors of their problems. */
  failed: number;
  errors: ImportRowError[];
}
export const maxReportedErrors = 1000;
export const maxCsvLength = 50 * 1024 * 1024;

const empty = z.object({}).strict();

export const catalogOperations = {
  'catalog.search': operation<ProductSummary[]>()(
    z
      .object({
        query: z.string().max(100),
        limit: z.number().int().min(1).max(100).default(20),
        categoryId: idSchema.optional(),
        includeInactive: z.boolean().default(false),
      })
      .strict(),
    'staff',
  ),
  'catalog.lookupBarcode': operation<BarcodeLookup>()(
    z.object({ code: z.string().trim().min(1).max(48), includeInactive: z.boolean().default(false) }).strict(),
    'staff',
  ),
  'catalog.product': operation<Product>()(z.object({ id: idSchema }).strict(), 'staff'),
  'catalog.saveProduct': operation<Product>()(saveProductSchema, 'manager'),
  'catalog.setActive': operation<Product>()(z.object({ id: idSchema, active: z.boolean() }).strict(), 'manager'),
  'catalog.categories': operation<Category[]>()(z.object({ includeInactive: z.boolean().default(false) }).strict(), 'staff'),
  'catalog.saveCategory': operation<Category>()(
    categorySchema
      .extend({
        id: idSchema.optional(),
        position: categorySchema.shape.position.default(0),
        active: z.boolean().default(true),
      })
      .strict(),
    'manager',
  ),
  'catalog.taxClasses': operation<TaxClass[]>()(empty, 'staff'),
  'catalog.saveTaxClass': operation<TaxClass>()(taxClassSchema.extend({ id: idSchema.optional() }).strict(), 'manager'),
  'catalog.importCsv': operation<ImportReport>()(
    z.object({ csv: z.string().max(maxCsvLength), mode: z.enum(importModes).default('all_or_nothing') }).strict(),
    'manager',
  ),
  'catalog.exportCsv': operation<{ csv: string }>()(empty, 'staff'),
};
