import type Database from 'better-sqlite3';
import { type Product, type ProductSummary, shopLocationId, type Unit } from '../shared/catalog.ts';

/**
 * The catalog's statements: the till's hot reads (search as the cashier types, the
 * barcode lookup on every scan) and the one product writer that saving and CSV import
 * share. Statements are prepared once per database and reused, so a keystroke costs one
 * index walk and no SQL compilation (DESIGN.md §3: milliseconds at a million products).
 */

export interface ProductRow {
  id: string;
  sku: string;
  name: string;
  category_id: string | null;
  unit: Unit;
  price: number;
  tax_class_id: string;
  cost: number | null;
  reorder_point: number;
  active: number;
  updated_at: string;
  on_hand: number;
  barcode: string | null;
}

const columns = `p.id, p.sku, p.name, p.category_id, p.unit, p.price, p.tax_class_id, p.cost, p.reorder_point,
  p.active, p.updated_at, coalesce(s.on_hand, 0) AS on_hand,
  (SELECT code FROM barcode WHERE product_id = p.id ORDER BY rowid LIMIT 1) AS barcode`;
const from = `product p LEFT JOIN stock_level s ON s.product_id = p.id AND s.location_id = '${shopLocationId}'`;
const visible = '(:all OR p.active = 1) AND (:cat IS NULL OR p.category_id = :cat)';
/** Above every character a name can hold: `prefix || top` bounds a prefix range. */
const top = '\u{10FFFF}';

type Named = Record<string, unknown>;
interface Statements {
  byId: Database.Statement<[string], ProductRow>;
  barcodesOf: Database.Statement<[string], string>;
  rowidOf: Database.Statement<[string], number>;
  idBySku: Database.Statement<[string], string>;
  owner: Database.Statement<[string], BarcodeOwner>;
  exact: Database.Statement<Named, ProductRow>;
  text: Database.Statement<Named, ProductRow>;
  namePrefix: Database.Statement<Named, ProductRow>;
  namePrefixInCategory: Database.Statement<Named, ProductRow>;
  skuPrefix: Database.Statement<Named, ProductRow>;
  insert: Database.Statement<Named>;
  update: Database.Statement<Named>;
  addBarcode: Database.Statement<[string, string]>;
  dropBarcodes: Database.Statement<[string]>;
}

function prepareAll(db: Database.Database): Statements {
  const rows = (sql: string) => db.prepare<Named, ProductRow>(sql);
  return {
    byId: db.prepare<[string], ProductRow>(`SELECT ${columns} FROM ${from} WHERE p.id = ?`),
    barcodesOf: db.prepare<[string], string>('SELECT code FROM barcode WHERE product_id = ? ORDER BY rowid').pluck(),
    exact: rows(
      `SELECT ${columns} FROM ${from} WHERE p.sku = :q COLLATE NOCASE AND ${visible}
       UNION ALL
       SELECT ${columns} FROM ${from} WHERE p.id = (SELECT product_id FROM barcode WHERE code = :q) AND ${visible}`,
    ),
    // Trigram FTS5: substrings of 3+ characters anywhere in name, SKU or barcodes. Words of
    // 1–2 characters ("1L") cannot use the index; they narrow the hits instead. FTS5's bm25
    // rank counts every hit of a word first (12 ms for "milk" in a million products), so
    // the first :window hits are ranked by a cheap score instead: the word at the start of
    // a word in the name ("Milk Chocolate" before "Buttermilk"), then shorter names, A–Z.
    text: rows(
      `SELECT ${columns} FROM (
         SELECT p.rowid AS hit, instr(' ' || lower(p.name), ' ' || :first) = 0 AS inside, length(p.name) AS size
         FROM product_search JOIN product p ON p.rowid = product_search.rowid
         WHERE product_search MATCH :match AND ${visible}
           AND instr(lower(p.name || ' ' || p.sku), :short1) AND instr(lower(p.name || ' ' || p.sku), :short2)
         LIMIT :window
       ) JOIN ${from.replace('product p', 'product p ON p.rowid = hit')}
       ORDER BY inside, size, p.name COLLATE NOCASE LIMIT :limit`,
    ),
    // Too short for trigrams: a case-insensitive prefix range walks the NOCASE indexes (0005).
    namePrefix: rows(
      `SELECT ${columns} FROM ${from} WHERE p.name >= :lo COLLATE NOCASE AND p.name < :hi COLLATE NOCASE AND (:all OR p.active = 1)
       ORDER BY p.name COLLATE NOCASE LIMIT :limit`,
    ),
    namePrefixInCategory: rows(
      `SELECT ${columns} FROM ${from} WHERE p.category_id = :cat AND p.name >= :lo COLLATE NOCASE AND p.name < :hi COLLATE NOCASE
         AND (:all OR p.active = 1)
       ORDER BY p.name COLLATE NOCASE LIMIT :limit`,
    ),
    rowidOf: db.prepare<[string], number>('SELECT rowid FROM product WHERE id = ?').pluck(),
    idBySku: db.prepare<[string], string>('SELECT id FROM product WHERE sku = ?').pluck(),
    owner: db.prepare<[string], BarcodeOwner>(
      'SELECT p.id, p.sku, p.name FROM barcode b JOIN product p ON p.id = b.product_id WHERE b.code = ?',
    ),
    insert: db.prepare<Named>(
      `INSERT INTO product (id, sku, name, category_id, unit, price, tax_class_id, cost, reorder_point, active, updated_at)
       VALUES (:id, :sku, :name, :categoryId, :unit, :price, :taxClassId, :cost, :reorderPoint, :active, :updatedAt)`,
    ),
    update: db.prepare<Named>(
      `UPDATE product SET sku = :sku, name = :name, category_id = :categoryId, unit = :unit, price = :price,
         tax_class_id = :taxClassId, cost = :cost, reorder_point = :reorderPoint, active = :active, updated_at = :updatedAt
       WHERE id = :id`,
    ),
    addBarcode: db.prepare<[string, string]>('INSERT INTO barcode (code, product_id) VALUES (?, ?)'),
    dropBarcodes: db.prepare<[string]>('DELETE FROM barcode WHERE product_id = ?'),
    skuPrefix: rows(
      `SELECT ${columns} FROM ${from} WHERE p.sku >= :lo COLLATE NOCASE AND p.sku < :hi COLLATE NOCASE AND ${visible}
       ORDER BY p.sku COLLATE NOCASE LIMIT :limit`,
    ),
  };
}

const cache = new WeakMap<Database.Database, Statements>();

export function catalogStatements(db: Database.Database): Statements {
  let statements = cache.get(db);
  if (!statements) {
    statements = prepareAll(db);
    cache.set(db, statements);
  }
  return statements;
}

export function toSummary(row: ProductRow): ProductSummary {
  return {
    id: row.id,
    sku: row.sku,
    name: row.name,
    barcode: row.barcode,
    categoryId: row.category_id,
    unit: row.unit,
    price: row.price,
    taxClassId: row.tax_class_id,
    active: row.active === 1,
    onHand: row.on_hand,
  };
}

export function toProduct(row: ProductRow, barcodes: string[]): Product {
  return {
    id: row.id,
    sku: row.sku,
    name: row.name,
    barcodes,
    categoryId: row.category_id,
    unit: row.unit,
    price: row.price,
    taxClassId: row.tax_class_id,
    cost: row.cost,
    reorderPoint: row.reorder_point,
    active: row.active === 1,
    onHand: row.on_hand,
    updatedAt: row.updated_at,
  };
}

export function findProduct(db: Database.Database, id: string): Product | null {
  const s = catalogStatements(db);
  const row = s.byId.get(id);
  return row ? toProduct(row, s.barcodesOf.all(row.id)) : null;
}

export function findBySku(db: Database.Database, sku: string): Product | null {
  const id = catalogStatements(db).idBySku.get(sku);
  return id === undefined ? null : findProduct(db, id);
}

export interface BarcodeOwner {
  id: string;
  sku: string;
  name: string;
}

/** Who has this exact code, if anyone: the light check that saving and importing need. */
export function barcodeOwner(db: Database.Database, code: string): BarcodeOwner | null {
  return catalogStatements(db).owner.get(code) ?? null;
}

/** A product as it is stored and synced: everything but the stock figure. */
export type ProductRecord = Omit<Product, 'onHand'>;

export function toRecord(product: Product): ProductRecord {
  const { onHand: _, ...record } = product;
  return record;
}

/** Do two versions differ in anything a save would write (besides the time stamp)? */
export function sameRecord(a: ProductRecord, b: ProductRecord): boolean {
  return (
    a.sku === b.sku &&
    a.name === b.name &&
    a.categoryId === b.categoryId &&
    a.unit === b.unit &&
    a.price === b.price &&
    a.taxClassId === b.taxClassId &&
    a.cost === b.cost &&
    a.reorderPoint === b.reorderPoint &&
    a.active === b.active &&
    a.barcodes.join('|') === b.barcodes.join('|')
  );
}

/**
 * Writes a product row (inserted when `existing` is null) and returns its rowid. Barcodes
 * are written apart (removeBarcodes, addBarcodes), so an import can free every code that
 * moves before it adds any.
 */
export function writeProduct(db: Database.Database, product: ProductRecord, existing: ProductRecord | null): number {
  const s = catalogStatements(db);
  const { barcodes: _, ...row } = product;
  const values = { ...row, active: row.active ? 1 : 0 };
  if (!existing) return Number(s.insert.run(values).lastInsertRowid);
  s.update.run(values);
  return s.rowidOf.get(product.id) ?? 0;
}

export function removeBarcodes(db: Database.Database, productId: string): void {
  catalogStatements(db).dropBarcodes.run(productId);
}

export function addBarcodes(db: Database.Database, productId: string, codes: readonly string[]): void {
  const { addBarcode } = catalogStatements(db);
  for (const code of codes) addBarcode.run(code, productId);
}

export interface SearchOptions {
  query: string;
  limit: number;
  categoryId?: string | undefined;
  includeInactive: boolean;
}

/** How many full-text hits are ranked per search (see the `text` statement). */
const rankWindow = 500;

/**
 * A quoted FTS5 phrase: typed words are never parsed as query syntax. FTS5 ends a string at a
 * NUL (then fails: "unterminated string"), so a NUL counts as a space.
 */
export const phrase = (word: string) => `"${word.replaceAll('\u0000', ' ').replaceAll('"', '""')}"`;

/**
 * Ranked: an exact SKU or barcode first, then names starting with the query, then
 * full-text hits by relevance (for a query too short for trigrams: names, then SKUs,
 * starting with it, in order).
 */
export function searchCatalog(db: Database.Database, options: SearchOptions): ProductSummary[] {
  const s = catalogStatements(db);
  const query = options.query.trim();
  const filter = { all: options.includeInactive ? 1 : 0, cat: options.categoryId ?? null };
  const limit = options.limit;
  const found = new Map<string, ProductSummary>();
  const add = (rows: ProductRow[]) => {
    for (const row of rows) if (found.size < limit && !found.has(row.id)) found.set(row.id, toSummary(row));
  };
  const prefix = (text: string) => {
    const range = { lo: text, hi: text + top, limit, all: filter.all };
    add(filter.cat ? s.namePrefixInCategory.all({ ...range, cat: filter.cat }) : s.namePrefix.all(range));
    return range;
  };
  if (query) add(s.exact.all({ q: query, ...filter }));
  // A whole scanned code that hit: digit trigrams are in every barcode, so a full-text pass
  // would read huge lists only to find nothing better.
  if (found.size > 0 && /^\d{8,14}$/.test(query)) return [...found.values()];
  // SQLite's lower() folds ASCII only; fold the query the same way so they agree.
  const words = query
    .replace(/[A-Z]/g, (c) => c.toLowerCase())
    .split(/\s+/)
    .filter(Boolean);
  const long = words.filter((w) => [...w].length >= 3);
  if (long.length > 0) {
    // Up to two short words filter the hits; more than that is not how anyone types.
    const short = words.filter((w) => [...w].length < 3);
    const match = long.map(phrase).join(' ');
    prefix(query); // names that start with what was typed rank above names that contain it
    const first = long[0] ?? '';
    add(s.text.all({ match, first, short1: short[0] ?? '', short2: short[1] ?? '', window: rankWindow, limit, ...filter }));
  } else {
    const range = prefix(query);
    if (query) add(s.skuPrefix.all({ ...range, cat: filter.cat }));
  }
  return [...found.values()];
}

/** FTS5 keeps this many bytes of new index in memory before writing a segment (default 1 MB). */
const defaultFtsHash = 1024 * 1024;
const bulkFtsHash = 64 * 1024 * 1024;
const bulkCacheKiB = 256 * 1024;

/** What the search index holds for one product (rowid = product.rowid). */
export interface SearchRow {
  rowid: number;
  name: string;
  sku: string;
  barcodes: readonly string[];
  /** The product existed before: its old search row is replaced. */
  replaces: boolean;
}

/**
 * Runs a bulk write (seeding, a large import) quickly: the search triggers of migration
 * 0002 are set aside while `write` runs, and the search rows it hands to `index` are
 * written afterwards in rowid order, one FTS insert per product instead of one per product
 * and one per barcode, with a larger page cache and FTS hash so a million rows are not
 * flushed in small pieces. `write` must call `index` for every product it inserts or
 * changes. Runs inside the caller's transaction, so a failure leaves no half-built index.
 */
export function bulkCatalogWrite(db: Database.Database, write: (index: (row: SearchRow) => void) => void): void {
  if (!db.inTransaction) throw new Error('bulkCatalogWrite must run inside a transaction');
  const triggers = db
    .prepare<[], { name: string; sql: string }>(
      "SELECT name, sql FROM sqlite_schema WHERE type = 'trigger' AND sql LIKE '%product_search%' ORDER BY name",
    )
    .all();
  const cache = db.pragma('cache_size', { simple: true }) as number;
  db.pragma(`cache_size = -${bulkCacheKiB}`);
  for (const t of triggers) db.exec(`DROP TRIGGER "${t.name}"`);
  try {
    const rows: SearchRow[] = [];
    write((row) => rows.push(row));
    rows.sort((a, b) => a.rowid - b.rowid);
    const drop = db.prepare('DELETE FROM product_search WHERE rowid = ?');
    const add = db.prepare('INSERT INTO product_search (rowid, name, sku, codes) VALUES (?, ?, ?, ?)');
    for (const row of rows) if (row.replaces) drop.run(row.rowid);
    db.exec(`INSERT INTO product_search (product_search, rank) VALUES ('hashsize', ${bulkFtsHash})`);
    for (const row of rows) add.run(row.rowid, row.name, row.sku, row.barcodes.join(' '));
    db.exec(`INSERT INTO product_search (product_search, rank) VALUES ('hashsize', ${defaultFtsHash})`);
  } finally {
    // Even if a caller catches the error and commits: the triggers are part of the schema.
    for (const t of triggers) db.exec(t.sql);
    db.pragma(`cache_size = ${cache}`);
  }
}
