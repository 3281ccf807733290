import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createTillApi } from '../../db/api.ts';
import { catalogToCsv, generateCatalog } from '../../db/catalog-generator.ts';
import { hashPin } from '../../db/pin.ts';
import { writeSettings } from '../../db/settings.ts';
import { openStore } from '../../db/store.ts';
import { openTill } from '../../db/till.ts';
import type { InputOf, OperationName, OutputOf } from '../../shared/api.ts';
import { maxCsvLength } from '../../shared/catalog.ts';
import type { ApiError } from '../../shared/errors.ts';
import { uuidv7 } from '../../shared/ids.ts';

const opened: (() => void)[] = [];
afterEach(() => {
  for (const close of opened.splice(0)) close();
});

/** A fresh till on a real SQLite file with a manager signed in and the three usual tax classes. */
async function openShop(currency = 'EUR') {
  const dir = mkdtempSync(join(tmpdir(), 'tilldesk-'));
  const store = openStore({ dataDir: dir });
  const till = openTill(store, { now: () => new Date('2026-03-02T09:00:00Z') });
  writeSettings(store, { currency });
  const api = createTillApi(till, { transport: 'http', version: 'test' });
  const staff = (name: string, role: 'cashier' | 'manager') => {
    const id = uuidv7();
    till.db
      .prepare('INSERT INTO staff (id, name, role, pin_hash, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(id, name, role, hashPin('4321'), till.now().toISOString());
    return id;
  };
  const manager = staff('Max Manager', 'manager');
  const cashier = staff('Ada Cashier', 'cashier');
  till.session.staffId = manager;
  opened.push(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const shop = {
    till,
    manager,
    cashier,
    async ok<N extends OperationName>(name: N, input: InputOf<N>): Promise<OutputOf<N>> {
      const result = await api.call(name, input);
      if (!result.ok) throw new Error(`${name} failed: ${JSON.stringify(result.error)}`);
      return result.value as OutputOf<N>;
    },
    async fails(name: OperationName, input: unknown): Promise<ApiError> {
      const result = await api.call(name, input);
      if (result.ok) throw new Error(`${name} unexpectedly succeeded`);
      return result.error;
    },
    import: (csv: string, mode: 'all_or_nothing' | 'valid_rows' = 'all_or_nothing') =>
      shop.ok('catalog.importCsv', { csv, mode }),
    /** The catalog as a reader sees it: no ids or time stamps, so two tills compare equal. */
    catalog() {
      return till.db
        .prepare(
          `SELECT p.sku, p.name, c.name AS category, p.unit, p.price, t.name AS tax, p.cost, p.reorder_point, p.active,
             (SELECT group_concat(code, '|') FROM (SELECT code FROM barcode WHERE product_id = p.id ORDER BY rowid)) AS barcodes
           FROM product p JOIN tax_class t ON t.id = p.tax_class_id LEFT JOIN category c ON c.id = p.category_id ORDER BY p.sku`,
        )
        .all();
    },
    counts() {
      const count = (table: string) => (till.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
      return {
        product: count('product'),
        barcode: count('barcode'),
        category: count('category'),
        search: count('product_search'),
        audit: count('audit'),
        outbox: count('outbox'),
      };
    },
  };
  for (const [name, rateBp] of [
    ['Standard', 2000],
    ['Reduced', 500],
    ['Zero', 0],
  ] as const) {
    await shop.ok('catalog.saveTaxClass', { name, rateBp });
  }
  return shop;
}

const header = 'sku,name,barcodes,category,unit,price,tax_class,cost,reorder_point,active';

describe('importing a catalog file', () => {
  it('creates products, categories and barcodes, with one audit entry and an op per product', async () => {
    const shop = await openShop();
    const before = shop.counts();
    const report = await shop.import(
      [
        header,
        'OAT-1L,Oat Milk 1L,4006381333931,Dairy,each,1.99,Reduced,1.20,6,true',
        'BREAD-800,Sourdough Loaf 800g,5012345678900|96385074,Bakery,each,3.49,Zero,,0,yes',
        'CHED-KG,"Cheddar, mature (counter)",2212345,Dairy,weight,12.99,Zero,8.5,2.5,TRUE',
        '',
        'SOAP,Hand Soap 250ml,036000291452,,each,2.75,standard,1,,false',
        '',
      ].join('\r\n'),
    );
    expect(report).toEqual({ total: 4, imported: 4, created: 4, updated: 0, unchanged: 0, failed: 0, errors: [] });
    expect(shop.catalog()).toEqual([
      {
        sku: 'BREAD-800',
        name: 'Sourdough Loaf 800g',
        category: 'Bakery',
        unit: 'each',
        price: 349,
        tax: 'Zero',
        cost: null,
        reorder_point: 0,
        active: 1,
        barcodes: '5012345678900|96385074',
      },
      {
        sku: 'CHED-KG',
        name: 'Cheddar, mature (counter)',
        category: 'Dairy',
        unit: 'weight',
        price: 1299,
        tax: 'Zero',
        cost: 850,
        reorder_point: 2500,
        active: 1,
        barcodes: '2212345',
      },
      {
        sku: 'OAT-1L',
        name: 'Oat Milk 1L',
        category: 'Dairy',
        unit: 'each',
        price: 199,
        tax: 'Reduced',
        cost: 120,
        reorder_point: 6000,
        active: 1,
        barcodes: '4006381333931',
      },
      {
        sku: 'SOAP',
        name: 'Hand Soap 250ml',
        category: null,
        unit: 'each',
        price: 275,
        tax: 'Standard',
        cost: 100,
        reorder_point: 0,
        active: 0,
        barcodes: '036000291452',
      },
    ]);
    const after = shop.counts();
    expect(after).toEqual({
      product: 4,
      barcode: 5,
      category: 2,
      search: 4,
      audit: before.audit + 1,
      outbox: before.outbox + 4 + 2, // four products, two new categories
    });
    const audit = shop.till.db.prepare("SELECT staff_id, after FROM audit WHERE action = 'catalog.import'").get() as {
      staff_id: string;
      after: string;
    };
    expect(audit.staff_id).toBe(shop.manager);
    expect(JSON.parse(audit.after)).toMatchObject({ mode: 'all_or_nothing', created: 4, failed: 0 });
    expect((await shop.ok('catalog.search', { query: 'cheddar' }))[0]?.sku).toBe('CHED-KG');
    expect((await shop.ok('catalog.lookupBarcode', { code: '96385074' })).product.sku).toBe('BREAD-800');
  });

  it('reports every bad row with its row number, column and reason, and imports nothing', async () => {
    const shop = await openShop();
    await shop.import(`${header}\nTAKEN,Already Here,5012345678900,,each,1.00,Standard,,,\n`);
    const before = shop.counts();
    const lines = [
      header, // row 1
      'GOOD-1,Good Product,4006381333931,Dairy,each,1.99,Reduced,,,', // 2
      'NONAME,,,,each,1.00,Standard,,,', // 3
      'PRICE-1,Bad Price,,,each,12.345,Standard,,,', // 4
      'PRICE-2,Negative Price,,,each,-1,Standard,,,', // 5
      'PRICE-3,Words Price,,,each,twelve,Standard,,,', // 6
      'CHECK,Bad Check Digit,4006381333932,,each,1.00,Standard,,,', // 7
      'DUP-1,Same Code Twice,4006381333931,,each,1.00,Standard,,,', // 8
      'OWNED,Someone Elses Code,5012345678900,,each,1.00,Standard,,,', // 9
      'TAX,Unknown Tax,,,each,1.00,Luxury,,,', // 10
      'UNIT,Bad Unit,,,litre,1.00,Standard,,,', // 11
      'GOOD-1,Same SKU Again,,,each,1.00,Standard,,,', // 12
      'ACTIVE,Bad Active,,,each,1.00,Standard,,,maybe', // 13
      'REORDER,Bad Reorder,,,each,1.00,Standard,,1.2345,', // 14
      'NOTAX,New Without Tax,,,each,1.00,,,,', // 15
      ',No SKU,,,each,1.00,Standard,,,', // 16
      'NOPRICE,No Price,,,each,,Standard,,,', // 17
      'COST,Bad Cost,,,each,1.00,Standard,abc,,', // 18
      'CELLS,Too Many Cells,,,each,1.00,Standard,,,,extra', // 19
      'HUGE,Huge Price,,,each,99999999999,Standard,,,', // 20
      'NL-1,"Two\nlines",,,each,1.00,Standard,,,', // 21, over two lines of text
      'LAST,Last Row,,,each,,Standard,,,', // 22: rows are records, as a spreadsheet numbers them
    ];
    const report = await shop.import(lines.join('\n'));
    expect(report).toMatchObject({ total: 21, imported: 0, created: 0, updated: 0, failed: 20 });
    expect(report.errors.map((e) => [e.row, e.column, e.reason])).toEqual([
      [3, 'name', 'missing_name'],
      [4, 'price', 'bad_price'],
      [5, 'price', 'bad_price'],
      [6, 'price', 'bad_price'],
      [7, 'barcodes', 'bad_check_digit'],
      [8, 'barcodes', 'duplicate_barcode'],
      [9, 'barcodes', 'barcode_taken'],
      [10, 'tax_class', 'unknown_tax_class_name'],
      [11, 'unit', 'bad_unit'],
      [12, 'sku', 'duplicate_sku'],
      [13, 'active', 'bad_active'],
      [14, 'reorder_point', 'bad_reorder_point'],
      [15, 'tax_class', 'missing_tax_class'],
      [16, 'sku', 'missing_sku'],
      [17, 'price', 'missing_price'],
      [18, 'cost', 'bad_cost'],
      [19, '', 'too_many_cells'],
      [20, 'price', 'bad_price'],
      [21, 'name', 'bad_name'],
      [22, 'price', 'missing_price'],
    ]);
    const byRow = new Map(report.errors.map((e) => [e.row, e]));
    expect(byRow.get(7)?.params).toEqual({ code: '4006381333932' });
    expect(byRow.get(8)?.params).toEqual({ code: '4006381333931', row: 2 });
    expect(byRow.get(9)?.params).toEqual({ code: '5012345678900', name: 'Already Here' });
    expect(byRow.get(12)?.params).toEqual({ sku: 'GOOD-1', row: 2 });
    expect(byRow.get(10)?.message).toBe('There is no tax class "Luxury"');
    for (const e of report.errors) expect(e.message.length).toBeGreaterThan(5);
    expect(shop.counts()).toEqual(before);
  });

  it('imports the valid rows and reports the rest when asked to', async () => {
    const shop = await openShop();
    const report = await shop.import(
      [
        header,
        'A,Apple,,Produce,each,0.50,Zero,,,',
        'B,,,,each,1.00,Zero,,,',
        'C,Cherry,,Fruit,each,x,Zero,,,',
        'D,Date,,Produce,each,3,Zero,,,',
      ].join('\n'),
      'valid_rows',
    );
    expect(report).toMatchObject({ total: 4, imported: 2, created: 2, failed: 2 });
    expect(report.errors.map((e) => e.row)).toEqual([3, 4]);
    expect(shop.catalog().map((p) => (p as { sku: string }).sku)).toEqual(['A', 'D']);
    // A category named only by a refused row is not created.
    expect((await shop.ok('catalog.categories', {})).map((c) => c.name)).toEqual(['Produce']);
  });

  it('upserts by SKU: changed rows update, same rows stay, absent columns keep their values', async () => {
    const shop = await openShop();
    await shop.import(
      [header, 'A,Apple,96385074,Produce,each,0.50,Zero,0.20,10,true', 'B,Banana,,Produce,weight,1.20,Zero,,,'].join('\n'),
    );
    const outbox = shop.counts().outbox;
    const report = await shop.import(['sku,name,price', 'A,Apple,0.50', 'B,Bananas (loose),1.10', 'C,Cherry,4.00'].join('\n'));
    // C is new and the file has no tax_class column.
    expect(report.errors).toEqual([
      { row: 4, column: 'tax_class', reason: 'missing_tax_class', message: expect.any(String), params: { sku: 'C' } },
    ]);
    const second = await shop.import(['sku,name,price', 'A,Apple,0.50', 'B,Bananas (loose),1.10'].join('\n'));
    expect(second).toMatchObject({ total: 2, imported: 2, created: 0, updated: 1, unchanged: 1 });
    expect(shop.catalog()).toEqual([
      {
        sku: 'A',
        name: 'Apple',
        category: 'Produce',
        unit: 'each',
        price: 50,
        tax: 'Zero',
        cost: 20,
        reorder_point: 10000,
        active: 1,
        barcodes: '96385074',
      },
      {
        sku: 'B',
        name: 'Bananas (loose)',
        category: 'Produce',
        unit: 'weight',
        price: 110,
        tax: 'Zero',
        cost: null,
        reorder_point: 0,
        active: 1,
        barcodes: null,
      },
    ]);
    expect(shop.counts().outbox).toBe(outbox + 1);
    expect((await shop.ok('catalog.search', { query: 'bananas' })).map((p) => p.sku)).toEqual(['B']);
  });

  it('moves a barcode from one product to another within one file', async () => {
    const shop = await openShop();
    await shop.import([header, 'OLD,Old Pack,4006381333931,,each,1.00,Zero,,,', 'NEW,New Pack,,,each,1.00,Zero,,,'].join('\n'));
    const swap = [header, 'OLD,Old Pack,,,each,1.00,Zero,,,', 'NEW,New Pack,4006381333931,,each,1.00,Zero,,,'].join('\n');
    expect(await shop.import(swap)).toMatchObject({ updated: 2, failed: 0 });
    expect((await shop.ok('catalog.lookupBarcode', { code: '4006381333931' })).product.sku).toBe('NEW');
    // Giving a code to another product without the owner's row letting go is refused.
    const steal = [header, 'OLD,Old Pack,4006381333931,,each,1.00,Zero,,,'].join('\n');
    expect((await shop.import(steal)).errors[0]).toMatchObject({ row: 2, reason: 'barcode_taken', params: { name: 'New Pack' } });
  });

  it('updates 1,200 products by SKU in one file, every barcode moving on to the next product, one op each in order', async () => {
    const shop = await openShop();
    const rows = generateCatalog({ size: 1200, seed: 11 }).map((r, i) => ({ ...r, barcodes: [r.barcodes[0] ?? `CODE-${i}`] }));
    expect(await shop.import(catalogToCsv(rows))).toMatchObject({ created: 1200, failed: 0 });
    const seqBefore = (shop.till.db.prepare('SELECT max(seq) AS n FROM outbox').get() as { n: number }).n;
    // Row i takes row i+1's code (the last takes the first's), and every name changes.
    const moved = rows.map((r, i) => ({
      ...r,
      name: `${r.name} (new)`,
      barcodes: [...(rows[(i + 1) % rows.length]?.barcodes ?? [])],
    }));
    const report = await shop.import(catalogToCsv(moved));
    expect(report).toMatchObject({ total: 1200, updated: 1200, created: 0, unchanged: 0, failed: 0, errors: [] });
    const bySku = new Map(
      (shop.catalog() as { sku: string; name: string; barcodes: string }[]).map((p) => [p.sku, [p.name, p.barcodes]]),
    );
    for (const r of moved) expect(bySku.get(r.sku)).toEqual([r.name, r.barcodes.join('|')]);
    const ops = shop.till.db
      .prepare("SELECT seq, hlc, json_extract(payload, '$.sku') AS sku FROM outbox WHERE seq > ? ORDER BY seq")
      .all(seqBefore) as { seq: number; hlc: string; sku: string }[];
    expect(ops.map((o) => o.sku)).toEqual(moved.map((r) => r.sku));
    ops.forEach((o, i) => {
      expect(o.seq).toBe(seqBefore + 1 + i);
      if (i > 0) expect(o.hlc > (ops[i - 1]?.hlc ?? '')).toBe(true);
    });
    const sample = moved[700];
    const code = sample?.barcodes[0] ?? '';
    expect((await shop.ok('catalog.lookupBarcode', { code, includeInactive: true })).product.sku).toBe(sample?.sku);
  });

  it('reads prices exactly in the shop currency: yen have no decimals, dinars three', async () => {
    const yen = await openShop('JPY');
    const report = await yen.import(
      [header, 'TEA,Green Tea,,,each,120,Zero,,,', 'BAD,Half Yen,,,each,1.5,Zero,,,'].join('\n'),
      'valid_rows',
    );
    expect(report.errors.map((e) => [e.row, e.reason, e.params?.currency])).toEqual([[3, 'bad_price', 'JPY']]);
    expect(yen.catalog()).toMatchObject([{ sku: 'TEA', price: 120 }]);
    const dinar = await openShop('KWD');
    await dinar.import([header, 'DATES,Dates 1kg,,,each,1.250,Zero,0.5,,'].join('\n'));
    expect(dinar.catalog()).toMatchObject([{ sku: 'DATES', price: 1250, cost: 500 }]);
    expect((await dinar.ok('catalog.exportCsv', {})).csv).toContain('DATES,Dates 1kg,,,each,1.250,Zero,0.500,0,true');
  });

  it('refuses a file it cannot read as a catalog, writing nothing', async () => {
    const shop = await openShop();
    const before = shop.counts();
    expect(await shop.fails('catalog.importCsv', { csv: '' })).toMatchObject({ code: 'invalid_input', reason: 'csv_empty' });
    expect(await shop.fails('catalog.importCsv', { csv: 'sku,name\nA,Apple\n' })).toMatchObject({
      reason: 'csv_missing_column',
      params: { column: 'price' },
    });
    expect(await shop.fails('catalog.importCsv', { csv: 'sku,name,price,price\nA,Apple,1,2\n' })).toMatchObject({
      reason: 'csv_duplicate_column',
    });
    expect(await shop.fails('catalog.importCsv', { csv: 'sku,name,price', mode: 'some' })).toMatchObject({
      code: 'invalid_input',
    });
    expect(await shop.fails('catalog.importCsv', { csv: 'x'.repeat(maxCsvLength + 1) })).toMatchObject({ code: 'invalid_input' });
    const unterminated = await shop.import('sku,name,price,tax_class\nA,"Apple,1.00,Zero\n');
    expect(unterminated.errors[0]).toMatchObject({ row: 2, reason: 'csv_malformed' });
    expect(shop.counts()).toEqual(before);
  });

  it('accepts a spreadsheet export: byte-order mark, semicolons, any column order and letter case', async () => {
    const shop = await openShop();
    const report = await shop.import('\uFEFFPrice;Tax_Class;Name;SKU\n"1,99";Reduced;Oat Milk 1L;OAT\n');
    expect(report).toMatchObject({ created: 1, failed: 0 });
    expect(shop.catalog()).toMatchObject([
      { sku: 'OAT', name: 'Oat Milk 1L', price: 199, tax: 'Reduced', unit: 'each', active: 1 },
    ]);
  });
});

describe('exporting', () => {
  it('writes what import reads: export, import into a fresh till, same catalog', async () => {
    const shop = await openShop();
    await shop.ok('catalog.importCsv', { csv: catalogToCsv(generateCatalog({ size: 300, seed: 7 })) });
    // Awkward names survive the trip: quotes, commas, new lines, and cells a spreadsheet would run as formulas.
    await shop.import(
      [
        header,
        '"=CMD-1","=HYPERLINK(""http://x"")",,Tricky,each,1.00,Zero,,,',
        '"Q,1","Say ""cheese"", please",,Tricky,each,2.00,Zero,,,',
        '@SKU,+Plus -minus,,,each,4.00,Zero,,,',
      ].join('\n'),
    );
    const { csv } = await shop.ok('catalog.exportCsv', {});
    expect(csv.split('\r\n')[0]).toBe(header);
    expect(csv).toContain(`"'=CMD-1","'=HYPERLINK(""http://x"")"`);
    const copy = await openShop();
    const report = await copy.import(csv);
    expect(report).toMatchObject({ total: 303, created: 303, failed: 0 });
    expect(copy.catalog()).toEqual(shop.catalog());
    expect(copy.catalog()).toContainEqual(expect.objectContaining({ sku: '=CMD-1', name: '=HYPERLINK("http://x")' }));
    expect((await copy.ok('catalog.exportCsv', {})).csv).toBe(csv);
    // And a cashier may read the export (costs included: it is the back office's file).
    copy.till.session.staffId = copy.cashier;
    expect((await copy.ok('catalog.exportCsv', {})).csv).toBe(csv);
  });
});

describe('a 100,000-row file', () => {
  it('imports in one transaction with progress events, and is searchable at once', async () => {
    const shop = await openShop();
    const rows = generateCatalog({ size: 100_000, seed: 2026 });
    const csv = catalogToCsv(rows);
    const progress: { done: number; total: number }[] = [];
    // Another connection, as a second process would see the file: nothing until the commit.
    const outside = new Database(shop.till.store.path, { readonly: true });
    const seenOutside: number[] = [];
    shop.till.events.on('catalog.importProgress', (p) => {
      progress.push(p);
      if (p.done < p.total) {
        expect(shop.till.db.inTransaction).toBe(true);
        seenOutside.push((outside.prepare('SELECT count(*) AS n FROM product').get() as { n: number }).n);
      }
    });
    const started = performance.now();
    const report = await shop.import(csv);
    const ms = performance.now() - started;
    console.log(`catalog import: 100,000 rows (${(csv.length / 1e6).toFixed(1)} MB) in ${Math.round(ms)} ms`);
    expect(seenOutside.length).toBeGreaterThanOrEqual(19);
    expect(new Set(seenOutside)).toEqual(new Set([0]));
    expect((outside.prepare('SELECT count(*) AS n FROM product').get() as { n: number }).n).toBe(100_000);
    outside.close();
    expect(report).toMatchObject({ total: 100_000, imported: 100_000, created: 100_000, failed: 0, errors: [] });
    expect(progress.length).toBeGreaterThanOrEqual(20);
    expect(progress.at(-1)).toEqual({ done: 100_000, total: 100_000 });
    for (let i = 1; i < progress.length; i++) expect(progress[i]?.done).toBeGreaterThanOrEqual(progress[i - 1]?.done ?? 0);
    expect(shop.counts()).toMatchObject({ product: 100_000, search: 100_000 });
    const sample = rows[54_321];
    if (!sample) throw new Error('no sample row');
    const code = sample.barcodes[0] ?? '';
    const found = await shop.ok('catalog.lookupBarcode', { code, includeInactive: true });
    expect(found.product).toMatchObject({ sku: sample.sku, name: sample.name, price: sample.price });
    expect((await shop.ok('catalog.search', { query: sample.sku, includeInactive: true }))[0]?.sku).toBe(sample.sku);
    // The bulk path indexed exactly what the triggers would have: every product whose name says milk.
    const milk = shop.till.db
      .prepare(`SELECT count(*) AS n FROM product_search WHERE product_search MATCH 'name:"milk"'`)
      .get() as { n: number };
    expect(milk.n).toBe(rows.filter((r) => r.name.toLowerCase().includes('milk')).length);
  }, 300_000); // no time limit meant: a busy CI machine must not fail it
});
