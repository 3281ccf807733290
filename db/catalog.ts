import type Database from 'better-sqlite3';
import { classifyBarcode, parseEmbedded } from '../shared/barcode.ts';
import {
  type BarcodeLookup,
  type Category,
  type catalogOperations,
  type Product,
  shopLocationId,
  type TaxClass,
} from '../shared/catalog.ts';
import { TillError } from '../shared/errors.ts';
import { uuidv7 } from '../shared/ids.ts';
import type { EmbeddedBarcodeRule } from '../shared/settings.ts';
import { writeAudit } from './audit.ts';
import { exportCatalogCsv, importCatalogCsv } from './catalog-csv.ts';
import {
  addBarcodes,
  barcodeOwner,
  findBySku,
  findProduct,
  type ProductRecord,
  type ProductRow,
  removeBarcodes,
  sameRecord,
  searchCatalog,
  toProduct,
  toRecord,
  writeProduct,
} from './catalog-search.ts';
import type { HandlersFor } from './dispatch.ts';
import { appendOp } from './outbox.ts';
import { prepared } from './sql.ts';
import { authorize } from './staff-access.ts';
import type { Till } from './till.ts';

/**
 * The product that owns exactly this code, with its stock and all its barcodes (in the
 * order they were added), in one statement: a scan is one round trip into SQLite, not two.
 * Written with scalar subqueries rather than joins: SQLite runs this form in half the time
 * of the same lookups written as a barcode–product join (measured: 16 µs against 30 µs).
 */
export const productByCodeSql = `SELECT p.id, p.sku, p.name, p.category_id, p.unit, p.price, p.tax_class_id, p.cost, p.reorder_point,
    p.active, p.updated_at,
    coalesce((SELECT on_hand FROM stock_level WHERE product_id = p.id AND location_id = '${shopLocationId}'), 0) AS on_hand,
    (SELECT json_group_array(code) FROM (SELECT code FROM barcode WHERE product_id = p.id ORDER BY rowid)) AS codes
  FROM product p WHERE p.id = (SELECT product_id FROM barcode WHERE code = ?)`;

function productByCode(db: Database.Database, code: string): Product | null {
  const row = prepared(db, productByCodeSql).get(code) as (Omit<ProductRow, 'barcode'> & { codes: string }) | undefined;
  return row ? toProduct({ ...row, barcode: null }, JSON.parse(row.codes) as string[]) : null;
}

/**
 * What a scan means: the product, how much of it, and at what price. A GS1 code with a
 * wrong check digit is a misread and is refused before any lookup. An exact barcode wins;
 * a UPC-A and its EAN-13 form (leading 0) are the same code; otherwise a variable-measure
 * label resolves through its item code (see parseEmbedded): a weight label gives the
 * quantity in grams at the product's price per kg, a price label is one pack at the
 * printed price.
 */
export function lookupBarcode(
  db: Database.Database,
  rules: readonly EmbeddedBarcodeRule[],
  code: string,
  includeInactive = false,
): BarcodeLookup {
  const { kind, valid } = classifyBarcode(code);
  if (!valid) {
    throw new TillError('rejected', 'bad_check_digit', `Barcode ${code} has a wrong check digit: scan it again`, { code });
  }
  const sellable = (found: BarcodeLookup): BarcodeLookup => {
    if (!includeInactive && !found.product.active) {
      throw new TillError('rejected', 'product_inactive', `${found.product.name} is no longer sold`, {
        name: found.product.name,
      });
    }
    return found;
  };
  const alias = kind === 'upca' ? `0${code}` : kind === 'ean13' && code.startsWith('0') ? code.slice(1) : null;
  const direct = productByCode(db, code) ?? (alias ? productByCode(db, alias) : null);
  if (direct) return sellable({ product: direct, quantity: 1000 });
  const label = kind === 'ean13' ? parseEmbedded(code, rules) : null;
  const product = label && productByCode(db, label.itemCode);
  if (!label || !product) throw new TillError('not_found', 'unknown_barcode', `No product has barcode ${code}`, { code });
  const embedded = { kind: label.kind, value: label.value };
  if (label.kind === 'price') return sellable({ product, quantity: 1000, unitPrice: label.value, embedded });
  const params = { code, name: product.name };
  if (product.unit !== 'weight') {
    throw new TillError(
      'rejected',
      'weight_label_on_item',
      `${product.name} is not sold by weight, but this label gives a weight`,
      params,
    );
  }
  if (label.value === 0)
    throw new TillError('rejected', 'empty_weight_label', `This label for ${product.name} weighs nothing`, params);
  return sellable({ product, quantity: label.value, embedded });
}

/**
 * The catalog's contract rows. Every write needs manage_catalog and writes its audit
 * entry and outbox op in the same transaction as the change.
 */
export function catalogHandlers(till: Till): HandlersFor<typeof catalogOperations> {
  const { db } = till;

  const mustFind = (id: string) => {
    const product = findProduct(db, id);
    if (!product) throw new TillError('not_found', 'unknown_product', 'That product does not exist', { id });
    return product;
  };
  const categoryRow = (id: string) =>
    prepared(db, 'SELECT id, name, position, active FROM category WHERE id = ?').get(id) as
      | { id: string; name: string; position: number; active: number }
      | undefined;
  const taxClassRow = (id: string) =>
    prepared(db, 'SELECT id, name, rate_bp AS rateBp FROM tax_class WHERE id = ?').get(id) as TaxClass | undefined;
  const toCategory = (row: { id: string; name: string; position: number; active: number }): Category => ({
    ...row,
    active: row.active === 1,
  });

  /** Everything a product save must satisfy that the schema cannot see. */
  function checkProduct(next: ProductRecord): void {
    const sameSku = findBySku(db, next.sku);
    if (sameSku && sameSku.id !== next.id) {
      throw new TillError('conflict', 'sku_taken', `SKU ${next.sku} already belongs to ${sameSku.name}`, {
        sku: next.sku,
        name: sameSku.name,
      });
    }
    const seen = new Set<string>();
    for (const code of next.barcodes) {
      if (seen.has(code)) {
        throw new TillError('invalid_input', 'duplicate_barcode', `Barcode ${code} is listed twice`, { code });
      }
      seen.add(code);
      if (!classifyBarcode(code).valid) {
        throw new TillError('invalid_input', 'bad_check_digit', `Barcode ${code} has a wrong check digit`, { code });
      }
      const owner = barcodeOwner(db, code);
      if (owner && owner.id !== next.id) {
        throw new TillError('conflict', 'barcode_taken', `Barcode ${code} already belongs to ${owner.name}`, {
          code,
          name: owner.name,
        });
      }
    }
    if (next.categoryId !== null && !categoryRow(next.categoryId)) {
      throw new TillError('not_found', 'unknown_category', 'That category does not exist', { id: next.categoryId });
    }
    if (!taxClassRow(next.taxClassId)) {
      throw new TillError('not_found', 'unknown_tax_class', 'That tax class does not exist', { id: next.taxClassId });
    }
  }

  /** Writes a new version of a product with its audit entry and outbox op; unchanged saves write nothing. */
  function save(next: ProductRecord, before: ProductRecord | null, auth: ReturnType<typeof authorize>, action: string) {
    if (before && sameRecord(before, next)) return mustFind(next.id);
    if (before && before.barcodes.join('|') !== next.barcodes.join('|')) removeBarcodes(db, next.id);
    writeProduct(db, next, before);
    if (!before || before.barcodes.join('|') !== next.barcodes.join('|')) addBarcodes(db, next.id, next.barcodes);
    writeAudit(till, {
      staffId: auth.staffId,
      approvedBy: auth.approvedBy,
      action,
      subject: next.id,
      before: before ?? undefined,
      after: next,
    });
    appendOp(till, 'catalog.product_saved', next);
    return mustFind(next.id);
  }

  return {
    // Reads: the dispatcher has checked the contract's `access` (someone signed in).
    'catalog.search': (input) => searchCatalog(db, input),
    'catalog.lookupBarcode': ({ code, includeInactive }) =>
      lookupBarcode(db, till.settings().embeddedBarcodeRules, code, includeInactive),
    'catalog.product': ({ id }) => mustFind(id),
    'catalog.saveProduct': (input) => {
      const auth = authorize(till, 'manage_catalog');
      return db.transaction(() => {
        const before = input.id ? toRecord(mustFind(input.id)) : null;
        const next: ProductRecord = {
          ...input,
          id: input.id ?? uuidv7(till.now().getTime()),
          updatedAt: till.now().toISOString(),
        };
        checkProduct(next);
        return save(next, before, auth, before ? 'catalog.product_changed' : 'catalog.product_created');
      })();
    },
    'catalog.setActive': ({ id, active }) => {
      const auth = authorize(till, 'manage_catalog');
      return db.transaction(() => {
        const before = toRecord(mustFind(id));
        const next = { ...before, active, updatedAt: till.now().toISOString() };
        return save(next, before, auth, active ? 'catalog.product_activated' : 'catalog.product_deactivated');
      })();
    },
    'catalog.categories': ({ includeInactive }) => {
      const rows = prepared(
        db,
        'SELECT id, name, position, active FROM category WHERE (? OR active = 1) ORDER BY position, name COLLATE NOCASE',
      ).all(includeInactive ? 1 : 0) as { id: string; name: string; position: number; active: number }[];
      return rows.map(toCategory);
    },
    'catalog.saveCategory': (input) => {
      const auth = authorize(till, 'manage_catalog');
      return db.transaction(() => {
        const row = input.id ? categoryRow(input.id) : undefined;
        if (input.id && !row)
          throw new TillError('not_found', 'unknown_category', 'That category does not exist', { id: input.id });
        const before = row ? toCategory(row) : null;
        const next: Category = { ...input, id: input.id ?? uuidv7(till.now().getTime()) };
        const clash = prepared(db, 'SELECT id FROM category WHERE name = ? COLLATE NOCASE AND id <> ?').get(next.name, next.id);
        if (clash)
          throw new TillError('conflict', 'category_name_taken', `There is already a category ${next.name}`, { name: next.name });
        prepared(
          db,
          `INSERT INTO category (id, name, position, active) VALUES (:id, :name, :position, :active)
           ON CONFLICT (id) DO UPDATE SET name = excluded.name, position = excluded.position, active = excluded.active`,
        ).run({ ...next, active: next.active ? 1 : 0 });
        writeAudit(till, {
          staffId: auth.staffId,
          approvedBy: auth.approvedBy,
          action: 'catalog.category_saved',
          subject: next.id,
          before,
          after: next,
        });
        appendOp(till, 'catalog.category_saved', next);
        return next;
      })();
    },
    'catalog.taxClasses': () =>
      prepared(db, 'SELECT id, name, rate_bp AS rateBp FROM tax_class ORDER BY rate_bp DESC, name').all() as TaxClass[],
    'catalog.saveTaxClass': (input) => {
      const auth = authorize(till, 'manage_catalog');
      return db.transaction(() => {
        const before = input.id ? (taxClassRow(input.id) ?? null) : null;
        if (input.id && !before)
          throw new TillError('not_found', 'unknown_tax_class', 'That tax class does not exist', { id: input.id });
        const next: TaxClass = { ...input, id: input.id ?? uuidv7(till.now().getTime()) };
        const clash = prepared(db, 'SELECT id FROM tax_class WHERE name = ? COLLATE NOCASE AND id <> ?').get(next.name, next.id);
        if (clash)
          throw new TillError('conflict', 'tax_class_name_taken', `There is already a tax class ${next.name}`, {
            name: next.name,
          });
        prepared(
          db,
          `INSERT INTO tax_class (id, name, rate_bp) VALUES (:id, :name, :rateBp)
           ON CONFLICT (id) DO UPDATE SET name = excluded.name, rate_bp = excluded.rate_bp`,
        ).run(next);
        writeAudit(till, {
          staffId: auth.staffId,
          approvedBy: auth.approvedBy,
          action: 'catalog.tax_class_saved',
          subject: next.id,
          before,
          after: next,
        });
        appendOp(till, 'catalog.tax_class_saved', next);
        return next;
      })();
    },
    'catalog.importCsv': ({ csv, mode }) => importCatalogCsv(till, csv, mode, authorize(till, 'manage_catalog')),
    'catalog.exportCsv': () => ({ csv: exportCatalogCsv(till) }),
  };
}
