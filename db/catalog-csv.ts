import type Database from 'better-sqlite3';
import Papa from 'papaparse';
import { classifyBarcode } from '../shared/barcode.ts';
import {
  barcodeSchema,
  type CatalogCsvColumn,
  catalogCsvColumns,
  categorySchema,
  type ImportMode,
  type ImportReport,
  type ImportRowError,
  maxBarcodesPerProduct,
  maxPrice,
  maxQuantity,
  maxReportedErrors,
  productNameSchema,
  skuSchema,
  type Unit,
  units,
} from '../shared/catalog.ts';
import { TillError } from '../shared/errors.ts';
import { uuidv7 } from '../shared/ids.ts';
import { majorString, parseMoney } from '../shared/money.ts';
import { writeAudit } from './audit.ts';
import {
  addBarcodes,
  type BarcodeOwner,
  bulkCatalogWrite,
  type ProductRecord,
  type ProductRow,
  removeBarcodes,
  type SearchRow,
  sameRecord,
  toProduct,
  toRecord,
  writeProduct,
} from './catalog-search.ts';
import { appendOp, appendOps } from './outbox.ts';
import { prepared } from './sql.ts';
import type { Authorization } from './staff-access.ts';
import type { Till } from './till.ts';

/**
 * The catalog as a spreadsheet: sku, name, barcodes (several joined by |), category (by
 * name, created when new), unit, price (major units as typed, exact in the shop's
 * currency), tax_class (by name), cost, reorder_point (units, up to 3 decimals), active.
 * Import upserts by SKU in one transaction and reports every bad row; export writes the
 * same columns, so an export imports back into the same catalog.
 */

/** One product as the file describes it; money in minor units, reorder point in thousandths. */
export interface CatalogRow {
  sku: string;
  name: string;
  barcodes: string[];
  /** Category name, '' for none. */
  category: string;
  unit: Unit;
  price: number;
  taxClass: string;
  cost: number | null;
  reorderPoint: number;
  active: boolean;
}

/** Thousandths as a decimal: 2500 → "2.5", 6000 → "6". */
function thousandthsString(value: number): string {
  const whole = Math.trunc(value / 1000);
  const fraction = String(value % 1000)
    .padStart(3, '0')
    .replace(/0+$/, '');
  return fraction ? `${whole}.${fraction}` : String(whole);
}

/** "2.5" → 2500, exactly (no float); null when it is not a plain decimal with ≤ 3 places. */
function parseThousandths(text: string): number | null {
  const match = /^(\d{1,10})(?:[.,](\d{0,3}))?$/.exec(text);
  if (!match) return null;
  const value = Number(match[1]) * 1000 + Number((match[2] ?? '').padEnd(3, '0'));
  return value <= maxQuantity ? value : null;
}

/**
 * Cells that start like a formula (= + - @) are prefixed with ' so a spreadsheet shows
 * them as text instead of running them; import strips that one apostrophe again.
 */
export function writeCatalogCsv(rows: Iterable<CatalogRow>, currency: string): string {
  const data: string[][] = [];
  for (const r of rows) {
    data.push([
      r.sku,
      r.name,
      r.barcodes.join('|'),
      r.category,
      r.unit,
      majorString(r.price, currency),
      r.taxClass,
      r.cost === null ? '' : majorString(r.cost, currency),
      thousandthsString(r.reorderPoint),
      r.active ? 'true' : 'false',
    ]);
  }
  return Papa.unparse({ fields: [...catalogCsvColumns], data }, { escapeFormulae: true, newline: '\r\n' });
}

/** The whole catalog as CSV, ordered by SKU. */
export function exportCatalogCsv(till: Till): string {
  const rows = till.db
    .prepare<
      [],
      {
        sku: string;
        name: string;
        barcodes: string | null;
        category: string | null;
        unit: Unit;
        price: number;
        tax_class: string;
        cost: number | null;
        reorder_point: number;
        active: number;
      }
    >(
      `SELECT p.sku, p.name, c.name AS category, p.unit, p.price, t.name AS tax_class, p.cost, p.reorder_point, p.active,
         (SELECT group_concat(code, '|') FROM (SELECT code FROM barcode WHERE product_id = p.id ORDER BY rowid)) AS barcodes
       FROM product p JOIN tax_class t ON t.id = p.tax_class_id LEFT JOIN category c ON c.id = p.category_id
       ORDER BY p.sku`,
    )
    .iterate();
  function* catalogRows(): Generator<CatalogRow> {
    for (const r of rows) {
      yield {
        sku: r.sku,
        name: r.name,
        barcodes: r.barcodes ? r.barcodes.split('|') : [],
        category: r.category ?? '',
        unit: r.unit,
        price: r.price,
        taxClass: r.tax_class,
        cost: r.cost,
        reorderPoint: r.reorder_point,
        active: r.active === 1,
      };
    }
  }
  return writeCatalogCsv(catalogRows(), till.settings().currency);
}

/** A row that passed its own checks; `undefined` fields had no column and keep their value. */
interface Candidate {
  row: number;
  sku: string;
  name: string;
  barcodes: string[] | undefined;
  category: string | null | undefined;
  unit: Unit | undefined;
  price: number;
  taxClassId: string | undefined;
  cost: number | null | undefined;
  reorderPoint: number | undefined;
  active: boolean | undefined;
  existing: ProductRecord | null;
}

type Params = Record<string, string | number>;

/** The per-row error report: every bad row counted, the first maxReportedErrors problems kept. */
class Problems {
  readonly errors: ImportRowError[] = [];
  readonly rows = new Set<number>();

  add(row: number, column: string, reason: string, message: string, params?: Params): void {
    this.rows.add(row);
    if (this.errors.length < maxReportedErrors)
      this.errors.push(params ? { row, column, reason, message, params } : { row, column, reason, message });
  }
}

const required: CatalogCsvColumn[] = ['sku', 'name', 'price'];
const progressEvery = 5000;
const opsPerBatch = 256;

function unescapeFormula(cell: string): string {
  return /^'[=+\-@\t\r]/.test(cell) ? cell.slice(1) : cell;
}

/** The header's column names, or a whole-file error when it cannot be a catalog. */
function readHeader(header: string[] | undefined): string[] {
  if (!header || header.every((h) => h.trim() === '')) {
    throw new TillError('invalid_input', 'csv_empty', 'The file is empty: it needs a header row and products');
  }
  const columns = header.map((h) => h.trim().toLowerCase());
  for (const column of required) {
    if (!columns.includes(column))
      throw new TillError('invalid_input', 'csv_missing_column', `The file has no "${column}" column`, { column });
  }
  const duplicate = columns.find((c, i) => c !== '' && columns.indexOf(c) !== i);
  if (duplicate) {
    throw new TillError('invalid_input', 'csv_duplicate_column', `The file has two "${duplicate}" columns`, {
      column: duplicate,
    });
  }
  return columns;
}

/** SKUs or codes per lookup statement: one json_each array, one index probe each inside SQLite. */
const lookupChunk = 500;

/** Runs `statement` (one JSON array parameter) over `keys` in chunks and gathers the rows. */
function lookupAll<T>(db: Database.Database, sql: string, keys: readonly string[]): T[] {
  const statement = prepared(db, sql);
  const rows: T[] = [];
  for (let start = 0; start < keys.length; start += lookupChunk) {
    rows.push(...(statement.all(JSON.stringify(keys.slice(start, start + lookupChunk))) as T[]));
  }
  return rows;
}

/** The products these SKUs already name, as stored (barcodes in the order they were added). */
function productsBySku(db: Database.Database, skus: readonly string[]): Map<string, ProductRecord> {
  const rows = lookupAll<Omit<ProductRow, 'on_hand' | 'barcode'> & { codes: string }>(
    db,
    `SELECT p.id, p.sku, p.name, p.category_id, p.unit, p.price, p.tax_class_id, p.cost, p.reorder_point, p.active,
       p.updated_at, (SELECT json_group_array(code) FROM (SELECT code FROM barcode WHERE product_id = p.id ORDER BY rowid)) AS codes
     FROM json_each(?) j JOIN product p ON p.sku = j.value`,
    skus,
  );
  return new Map(rows.map((r) => [r.sku, toRecord(toProduct({ ...r, on_hand: 0, barcode: null }, JSON.parse(r.codes)))]));
}

/** Who owns each of these codes now (codes nobody has are absent). */
function barcodeOwners(db: Database.Database, codes: readonly string[]): Map<string, BarcodeOwner> {
  const rows = lookupAll<BarcodeOwner & { code: string }>(
    db,
    `SELECT b.code, p.id, p.sku, p.name FROM json_each(?) j JOIN barcode b ON b.code = j.value JOIN product p ON p.id = b.product_id`,
    codes,
  );
  return new Map(rows.map(({ code, ...owner }) => [code, owner]));
}

/** Pass 1: each row on its own: formats, required cells, repeats within the file. */
function checkRows(till: Till, columns: string[], records: string[][], malformed: Map<number, string>, problems: Problems) {
  const { db } = till;
  const currency = till.settings().currency;
  const taxClasses = new Map(
    db
      .prepare<[], { id: string; name: string }>('SELECT id, name FROM tax_class')
      .all()
      .map((t) => [t.name.toLowerCase(), t.id]),
  );
  const at = (name: CatalogCsvColumn) => columns.indexOf(name);
  const has = (name: CatalogCsvColumn) => at(name) >= 0;
  const candidates: Candidate[] = [];
  const firstSku = new Map<string, number>();
  const firstBarcode = new Map<string, number>();
  let total = 0;
  // Which SKUs exist already, looked up for the whole file at once rather than row by row.
  const skuAt = at('sku');
  const existing = productsBySku(db, [
    ...new Set(records.map((cells) => unescapeFormula((cells[skuAt] ?? '').trim())).filter(Boolean)),
  ]);
  for (const [index, cells] of records.entries()) {
    const row = index + 2; // the header is row 1
    if (cells.every((c) => c.trim() === '')) continue;
    total++;
    const fail = (column: string, reason: string, message: string, params?: Params) =>
      problems.add(row, column, reason, message, params);
    const problem = malformed.get(index + 1);
    if (problem) {
      fail('', 'csv_malformed', `This row could not be read: ${problem}`, { problem });
      continue;
    }
    if (cells.slice(columns.length).some((c) => c.trim() !== '')) {
      fail('', 'too_many_cells', `This row has more cells than the header (${columns.length})`, { count: columns.length });
      continue;
    }
    const cell = (name: CatalogCsvColumn) => unescapeFormula((cells[at(name)] ?? '').trim());
    const shown = (text: string) => text.slice(0, 60);

    const sku = cell('sku');
    if (!sku) fail('sku', 'missing_sku', 'The SKU is empty');
    else if (!skuSchema.safeParse(sku).success) fail('sku', 'bad_sku', 'A SKU is at most 64 characters, no control characters');
    else if (firstSku.has(sku)) {
      const first = firstSku.get(sku) ?? 0;
      fail('sku', 'duplicate_sku', `SKU ${sku} is already on row ${first}`, { sku, row: first });
    } else firstSku.set(sku, row);

    const name = cell('name');
    if (!name) fail('name', 'missing_name', 'The name is empty');
    else if (!productNameSchema.safeParse(name).success)
      fail('name', 'bad_name', 'A name is at most 200 characters, no control characters');

    let barcodes: string[] | undefined;
    if (has('barcodes')) {
      barcodes = cell('barcodes')
        .split('|')
        .map((c) => c.trim())
        .filter(Boolean);
      if (barcodes.length > maxBarcodesPerProduct) {
        fail('barcodes', 'too_many_barcodes', `A product has at most ${maxBarcodesPerProduct} barcodes`, {
          max: maxBarcodesPerProduct,
        });
      }
      for (const code of barcodes) {
        if (!barcodeSchema.safeParse(code).success)
          fail('barcodes', 'bad_barcode', `"${shown(code)}" is not a barcode`, { code: shown(code) });
        else if (!classifyBarcode(code).valid)
          fail('barcodes', 'bad_check_digit', `Barcode ${code} has a wrong check digit`, { code });
        else if (firstBarcode.has(code)) {
          const first = firstBarcode.get(code) ?? 0;
          fail('barcodes', 'duplicate_barcode', `Barcode ${code} is already on row ${first}`, { code, row: first });
        } else firstBarcode.set(code, row);
      }
    }

    let category: string | null | undefined;
    if (has('category')) {
      category = cell('category') || null;
      if (category && !categorySchema.shape.name.safeParse(category).success) {
        fail('category', 'bad_category', 'A category name is at most 80 characters, no control characters');
      }
    }

    let unit: Unit | undefined;
    if (has('unit')) {
      const text = cell('unit').toLowerCase() || 'each';
      if ((units as readonly string[]).includes(text)) unit = text as Unit;
      else fail('unit', 'bad_unit', `Unit must be "each" or "weight", not "${shown(text)}"`, { value: shown(text) });
    }

    // Money as typed, in major units of the shop's currency, read exactly (shared/money.ts).
    const money = (column: 'price' | 'cost'): number | null | undefined => {
      const text = cell(column);
      if (text === '') return null;
      try {
        const value = parseMoney(text, currency);
        if (value <= maxPrice) return value;
      } catch {}
      fail(column, `bad_${column}`, `"${shown(text)}" is not a ${column} in ${currency}`, { value: shown(text), currency });
      return undefined;
    };
    const price = money('price');
    if (price === null) fail('price', 'missing_price', 'The price is empty');
    const cost = has('cost') ? money('cost') : undefined;

    let taxClassId: string | undefined;
    const taxName = has('tax_class') ? cell('tax_class') : '';
    if (taxName) {
      taxClassId = taxClasses.get(taxName.toLowerCase());
      if (!taxClassId)
        fail('tax_class', 'unknown_tax_class_name', `There is no tax class "${shown(taxName)}"`, { name: shown(taxName) });
    }

    let reorderPoint: number | undefined;
    if (has('reorder_point')) {
      const text = cell('reorder_point');
      const value = text === '' ? 0 : parseThousandths(text);
      if (value === null)
        fail('reorder_point', 'bad_reorder_point', `"${shown(text)}" is not a quantity`, { value: shown(text) });
      else reorderPoint = value;
    }

    let active: boolean | undefined;
    if (has('active')) {
      const text = cell('active').toLowerCase();
      if (['', 'true', 'yes', '1', 'y'].includes(text)) active = true;
      else if (['false', 'no', '0', 'n'].includes(text)) active = false;
      else fail('active', 'bad_active', `Active must be true or false, not "${shown(text)}"`, { value: shown(text) });
    }

    if (problems.rows.has(row) || price == null) continue;
    const record = existing.get(sku) ?? null;
    if (!record && !taxClassId) {
      fail('tax_class', 'missing_tax_class', `New product ${sku} needs a tax class`, { sku });
      continue;
    }
    candidates.push({
      row,
      sku,
      name,
      barcodes,
      category,
      unit,
      price,
      taxClassId,
      cost,
      reorderPoint,
      active,
      existing: record,
    });
  }
  return { candidates, total };
}

/**
 * Pass 2: a barcode another product owns may only move if that product's row, imported
 * too, gives it up. Refusing one row can strand a code another row wanted: repeat.
 */
function checkOwners(till: Till, candidates: Candidate[], problems: Problems): void {
  const owners = barcodeOwners(till.db, [...new Set(candidates.flatMap((c) => c.barcodes ?? []))]);
  const ownerOf = (code: string) => owners.get(code) ?? null;
  let changed = true;
  while (changed) {
    changed = false;
    const bySku = new Map(candidates.filter((c) => !problems.rows.has(c.row)).map((c) => [c.sku, c]));
    for (const c of bySku.values()) {
      for (const code of c.barcodes ?? []) {
        const owner = ownerOf(code);
        if (!owner || owner.sku === c.sku) continue;
        const releasing = bySku.get(owner.sku);
        if (releasing?.barcodes && !releasing.barcodes.includes(code)) continue;
        problems.add(c.row, 'barcodes', 'barcode_taken', `Barcode ${code} belongs to ${owner.name}`, { code, name: owner.name });
        changed = true;
        break;
      }
    }
  }
}

/** Writes the good rows: categories named for the first time, products, barcodes, one op each. */
function writeRows(till: Till, good: Candidate[], total: number, report: ImportReport): void {
  const { db } = till;
  const now = till.now().toISOString();
  const nowMs = till.now().getTime();
  const categories = new Map(
    db
      .prepare<[], { id: string; name: string }>('SELECT id, name FROM category')
      .all()
      .map((c) => [c.name.toLowerCase(), c.id]),
  );
  const addCategory = db.prepare('INSERT INTO category (id, name, position, active) VALUES (?, ?, ?, 1)');
  let position = db.prepare<[], number>('SELECT coalesce(max(position) + 1, 0) FROM category').pluck().get() ?? 0;
  const categoryId = (name: string) => {
    let id = categories.get(name.toLowerCase());
    if (!id) {
      id = uuidv7(nowMs);
      addCategory.run(id, name, position);
      appendOp(till, 'catalog.category_saved', { id, name, position, active: true });
      categories.set(name.toLowerCase(), id);
      position++;
    }
    return id;
  };

  const plans = good.map((c) => {
    const before = c.existing;
    const next: ProductRecord = {
      id: before?.id ?? uuidv7(nowMs),
      sku: c.sku,
      name: c.name,
      barcodes: c.barcodes ?? before?.barcodes ?? [],
      categoryId: c.category === undefined ? (before?.categoryId ?? null) : c.category && categoryId(c.category),
      unit: c.unit ?? before?.unit ?? 'each',
      price: c.price,
      taxClassId: c.taxClassId ?? before?.taxClassId ?? '',
      cost: c.cost === undefined ? (before?.cost ?? null) : c.cost,
      reorderPoint: c.reorderPoint ?? before?.reorderPoint ?? 0,
      active: c.active ?? before?.active ?? true,
      updatedAt: now,
    };
    const same = before !== null && sameRecord(before, next);
    const newCodes = !before || before.barcodes.join('|') !== next.barcodes.join('|');
    return { before, next, same, newCodes };
  });

  const write = (index: (row: SearchRow) => void) => {
    // Free every code that moves or goes before adding any, so codes can change hands.
    for (const { before, newCodes } of plans) if (before && newCodes) removeBarcodes(db, before.id);
    // One op per product saved, written a batch at a time in the same order.
    const ops: { type: string; payload: ProductRecord }[] = [];
    let done = 0;
    for (const { before, next, same, newCodes } of plans) {
      if (++done % progressEvery === 0) till.events.emit('catalog.importProgress', { done, total });
      if (same) {
        report.unchanged++;
        continue;
      }
      const rowid = writeProduct(db, next, before);
      if (newCodes) addBarcodes(db, next.id, next.barcodes);
      ops.push({ type: 'catalog.product_saved', payload: next });
      if (ops.length === opsPerBatch) appendOps(till, ops.splice(0));
      index({ rowid, name: next.name, sku: next.sku, barcodes: next.barcodes, replaces: before !== null });
      if (before) report.updated++;
      else report.created++;
    }
    appendOps(till, ops);
  };
  // Large files skip the per-row search triggers and index once at the end.
  if (plans.length >= 1000) bulkCatalogWrite(db, write);
  else write(() => {});
  report.imported = report.created + report.updated + report.unchanged;
}

/**
 * Imports a catalog file in one transaction: every row is checked first; with
 * 'all_or_nothing' one bad row means nothing is written, with 'valid_rows' the good rows
 * are written and the bad ones reported. One audit entry for the import, one outbox op
 * per product created or changed. Rows are numbered as a spreadsheet shows them (records,
 * header = 1), so a cell holding a line break does not shift the numbers.
 */
export function importCatalogCsv(till: Till, csv: string, mode: ImportMode, auth: Authorization): ImportReport {
  const parsed = Papa.parse<string[]>(csv.replace(/^\uFEFF/, ''), { skipEmptyLines: false, delimitersToGuess: [',', ';', '\t'] });
  const [header, ...records] = parsed.data;
  const columns = readHeader(header);
  const malformed = new Map<number, string>();
  for (const e of parsed.errors) if (e.row !== undefined && !malformed.has(e.row)) malformed.set(e.row, e.message);

  const report = till.db.transaction((): ImportReport => {
    const problems = new Problems();
    const { candidates, total } = checkRows(till, columns, records, malformed, problems);
    checkOwners(till, candidates, problems);
    problems.errors.sort((a, b) => a.row - b.row);
    const result: ImportReport = {
      total,
      imported: 0,
      created: 0,
      updated: 0,
      unchanged: 0,
      failed: problems.rows.size,
      errors: problems.errors,
    };
    if (problems.rows.size > 0 && mode === 'all_or_nothing') return result;
    writeRows(
      till,
      candidates.filter((c) => !problems.rows.has(c.row)),
      total,
      result,
    );
    const { created, updated, unchanged, failed } = result;
    writeAudit(till, {
      staffId: auth.staffId,
      approvedBy: auth.approvedBy,
      action: 'catalog.import',
      after: { mode, total, created, updated, unchanged, failed },
    });
    return result;
  })();
  till.events.emit('catalog.importProgress', { done: report.total, total: report.total });
  return report;
}
