/**
 * The chain's catalog on the server. Edits arrive from tills as ops and from the admin's
 * CSV import; whichever carries the later hybrid logical clock wins, wherever it was made,
 * so every till converges on the same catalog after a pull. Prices may differ per store
 * (store_price); the catalog itself is chain-wide.
 */
import Papa from 'papaparse';
import { z } from 'zod';
import { encodeHlc } from '../shared/hlc.ts';
import type { ChangeSet } from './changes.ts';
import type { Queryable } from './db.ts';
import { OpRejected } from './errors.ts';

const id = z.string().min(1).max(64);
const money = z.number().int().min(0).max(1_000_000_000);

export const productRecordSchema = z.looseObject({
  id,
  sku: z.string().trim().min(1).max(64),
  name: z.string().trim().min(1).max(200),
  barcodes: z.array(z.string().min(1).max(48)).max(20).default([]),
  categoryId: id.nullable().default(null),
  unit: z.enum(['each', 'weight']),
  price: money,
  taxClassId: id,
  cost: money.nullable().default(null),
  reorderPoint: z.number().int().min(0).max(1_000_000_000).default(0),
  active: z.boolean().default(true),
  updatedAt: z.string().max(40),
});
export type ProductRecord = z.infer<typeof productRecordSchema>;
export const categoryRecordSchema = z.looseObject({
  id,
  name: z.string().trim().min(1).max(80),
  position: z.number().int().min(0).max(100_000).default(0),
  active: z.boolean().default(true),
});
export const taxClassRecordSchema = z.looseObject({
  id,
  name: z.string().trim().min(1).max(60),
  rateBp: z.number().int().min(0).max(100_000),
});

/** A stamp for edits made on the server itself (admin import). */
export function serverHlc(now: Date = new Date()): string {
  return encodeHlc({ wall: now.getTime(), counter: 0, device: 'server' });
}

/**
 * Upserts a product if this edit is newer than the one held. Returns whether it changed.
 * An edit that lost is logged as a change all the same: the till that made it shows its own
 * version, and pulls the winner back only if the row shows up as changed.
 */
export async function saveProduct(tx: Queryable, p: ProductRecord, hlc: string, changes: ChangeSet): Promise<boolean> {
  const taken = await tx.query<{ id: string; name: string }>('SELECT id, name FROM product WHERE sku = $1 AND id <> $2', [
    p.sku,
    p.id,
  ]);
  const owner = taken.rows[0];
  if (owner) throw new OpRejected('sku_taken', `SKU ${p.sku} already belongs to ${owner.name}`);
  const result = await tx.query(
    `INSERT INTO product (id, sku, name, barcodes, category_id, unit, price, tax_class_id, cost, reorder_point, active, updated_at, hlc)
     VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, $8, $9, $10, $11, $12, $13)
     ON CONFLICT (id) DO UPDATE SET sku = excluded.sku, name = excluded.name, barcodes = excluded.barcodes,
       category_id = excluded.category_id, unit = excluded.unit, price = excluded.price, tax_class_id = excluded.tax_class_id,
       cost = excluded.cost, reorder_point = excluded.reorder_point, active = excluded.active, updated_at = excluded.updated_at,
       hlc = excluded.hlc
     WHERE product.hlc < excluded.hlc`,
    [
      p.id,
      p.sku,
      p.name,
      JSON.stringify(p.barcodes),
      p.categoryId,
      p.unit,
      p.price,
      p.taxClassId,
      p.cost,
      p.reorderPoint,
      p.active,
      p.updatedAt,
      hlc,
    ],
  );
  changes.add('product', '', p.id);
  return result.rowCount > 0;
}

export async function saveCategory(
  tx: Queryable,
  c: z.infer<typeof categoryRecordSchema>,
  hlc: string,
  changes: ChangeSet,
): Promise<boolean> {
  const result = await tx.query(
    `INSERT INTO category (id, name, position, active, hlc) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (id) DO UPDATE SET name = excluded.name, position = excluded.position, active = excluded.active, hlc = excluded.hlc
     WHERE category.hlc < excluded.hlc`,
    [c.id, c.name, c.position, c.active, hlc],
  );
  changes.add('category', '', c.id);
  return result.rowCount > 0;
}

export async function saveTaxClass(
  tx: Queryable,
  t: z.infer<typeof taxClassRecordSchema>,
  hlc: string,
  changes: ChangeSet,
): Promise<boolean> {
  const result = await tx.query(
    `INSERT INTO tax_class (id, name, rate_bp, hlc) VALUES ($1, $2, $3, $4)
     ON CONFLICT (id) DO UPDATE SET name = excluded.name, rate_bp = excluded.rate_bp, hlc = excluded.hlc
     WHERE tax_class.hlc < excluded.hlc`,
    [t.id, t.name, t.rateBp, hlc],
  );
  changes.add('tax_class', '', t.id);
  return result.rowCount > 0;
}

export async function setStorePrice(tx: Queryable, storeId: string, productId: string, price: number, changes: ChangeSet) {
  await tx.query(
    `INSERT INTO store_price (store_id, product_id, price) VALUES ($1, $2, $3)
     ON CONFLICT (store_id, product_id) DO UPDATE SET price = excluded.price`,
    [storeId, productId, price],
  );
  changes.add('price', storeId, productId);
}

export interface CatalogImportReport {
  rows: number;
  created: number;
  updated: number;
  storePrices: number;
  errors: { row: number; message: string }[];
}

const csvRow = z.object({
  sku: z.string().trim().min(1).max(64),
  name: z.string().trim().max(200).optional(),
  barcodes: z.string().max(1000).optional(),
  category: z.string().trim().max(80).optional(),
  unit: z.enum(['each', 'weight', '']).optional(),
  price: z.string().regex(/^\d+(\.\d{1,4})?$/, 'price must be a number like 2.49'),
  tax_class: z.string().trim().max(60).optional(),
  cost: z.string().optional(),
  active: z.string().optional(),
});

/** "2.49" → 249 for a currency with 2 minor digits, exactly (no floating point). */
function toMinor(text: string, digits: number): number {
  const [whole = '0', fraction = ''] = text.split('.');
  if (fraction.length > digits) throw new Error(`${text} has more than ${digits} decimals`);
  return Number(whole) * 10 ** digits + Number(fraction.padEnd(digits, '0') || '0');
}

/**
 * Imports the till's catalog CSV format (sku, name, barcodes, category, unit, price,
 * tax_class, cost, active). Without a store: products are created or updated chain-wide
 * (categories and tax classes by name, created as needed). With a store: only the price
 * column is read, as that store's prices for existing SKUs. All rows or none.
 */
export async function importCatalogCsv(
  tx: Queryable,
  csv: string,
  options: { storeId?: string; minorDigits?: number; now?: Date },
  changes: ChangeSet,
): Promise<CatalogImportReport> {
  const parsed = Papa.parse<Record<string, string>>(csv.replace(/^\uFEFF/, ''), { header: true, skipEmptyLines: true });
  const digits = options.minorDigits ?? 2;
  const hlc = serverHlc(options.now);
  const report: CatalogImportReport = { rows: parsed.data.length, created: 0, updated: 0, storePrices: 0, errors: [] };
  const rows = parsed.data.map((raw, index) => {
    const row = csvRow.safeParse(raw);
    if (!row.success) {
      report.errors.push({
        row: index + 2,
        message: row.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
      });
      return null;
    }
    return row.data;
  });
  if (report.errors.length > 0) return report;
  const byName = async (table: 'category' | 'tax_class', name: string): Promise<string | null> => {
    const found = await tx.query<{ id: string }>(`SELECT id FROM ${table} WHERE lower(name) = lower($1) LIMIT 1`, [name]);
    return found.rows[0]?.id ?? null;
  };
  let index = 0;
  for (const row of rows) {
    index++;
    if (!row) continue;
    const price = toMinor(row.price, digits);
    const existing = (await tx.query<{ id: string }>('SELECT id FROM product WHERE sku = $1', [row.sku])).rows[0];
    if (options.storeId) {
      if (!existing) {
        report.errors.push({ row: index + 1, message: `No product with SKU ${row.sku}` });
        continue;
      }
      await setStorePrice(tx, options.storeId, existing.id, price, changes);
      report.storePrices++;
      continue;
    }
    if (!row.name) {
      report.errors.push({ row: index + 1, message: 'name is required' });
      continue;
    }
    let taxClassId = row.tax_class ? await byName('tax_class', row.tax_class) : null;
    if (!taxClassId) {
      taxClassId = crypto.randomUUID();
      const rate = /(\d+(?:\.\d+)?)\s*%/.exec(row.tax_class ?? '');
      await saveTaxClass(
        tx,
        { id: taxClassId, name: row.tax_class || 'Standard', rateBp: rate ? Math.round(Number(rate[1]) * 100) : 0 },
        hlc,
        changes,
      );
    }
    let categoryId: string | null = null;
    if (row.category) {
      categoryId = await byName('category', row.category);
      if (!categoryId) {
        categoryId = crypto.randomUUID();
        await saveCategory(tx, { id: categoryId, name: row.category, position: 0, active: true }, hlc, changes);
      }
    }
    const record: ProductRecord = {
      id: existing?.id ?? crypto.randomUUID(),
      sku: row.sku,
      name: row.name,
      barcodes: (row.barcodes ?? '')
        .split('|')
        .map((b) => b.trim())
        .filter(Boolean),
      categoryId,
      unit: row.unit || 'each',
      price,
      taxClassId,
      cost: row.cost ? toMinor(row.cost, digits) : null,
      reorderPoint: 0,
      active: !['0', 'false', 'no'].includes((row.active ?? '').toLowerCase()),
      updatedAt: (options.now ?? new Date()).toISOString(),
    };
    await saveProduct(tx, record, hlc, changes);
    if (existing) report.updated++;
    else report.created++;
  }
  return report;
}
