import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTillApi } from '../../db/api.ts';
import { lookupBarcode } from '../../db/catalog.ts';
import { generateCatalog, generatedTaxClasses, scaleLabel, seedCatalog } from '../../db/catalog-generator.ts';
import { searchCatalog } from '../../db/catalog-search.ts';
import { hashPin } from '../../db/pin.ts';
import { openStore } from '../../db/store.ts';
import { openTill, type Till } from '../../db/till.ts';
import { classifyBarcode, parseEmbedded } from '../../shared/barcode.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { defaultTillSettings } from '../../shared/settings.ts';

const opened: (() => void)[] = [];
afterEach(() => {
  for (const close of opened.splice(0)) close();
});

function openShop(): Till {
  const dir = mkdtempSync(join(tmpdir(), 'tilldesk-'));
  const store = openStore({ dataDir: dir });
  opened.push(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return openTill(store, { now: () => new Date('2026-03-02T09:00:00Z') });
}

const count = (till: Till, sql: string, ...params: unknown[]) => (till.db.prepare(sql).get(...params) as { n: number }).n;

describe('generateCatalog', () => {
  const rows = generateCatalog({ size: 20_000, seed: 11 });

  it('is deterministic: the same seed gives the same catalog, another seed another', () => {
    expect(generateCatalog({ size: 20_000, seed: 11 })).toEqual(rows);
    const other = generateCatalog({ size: 200, seed: 12 });
    expect(other.map((r) => r.name)).not.toEqual(rows.slice(0, 200).map((r) => r.name));
    expect(generateCatalog({ size: 0, seed: 1 })).toEqual([]);
    expect(() => generateCatalog({ size: -1, seed: 1 })).toThrow(RangeError);
    expect(() => generateCatalog({ size: 1.5, seed: 1 })).toThrow(RangeError);
  });

  it('gives every product a unique SKU and unique, valid barcodes', () => {
    expect(new Set(rows.map((r) => r.sku)).size).toBe(rows.length);
    const codes = rows.flatMap((r) => r.barcodes);
    expect(new Set(codes).size).toBe(codes.length);
    for (const r of rows) {
      expect(r.barcodes.length).toBeGreaterThanOrEqual(1);
      for (const code of r.barcodes) {
        if (code.length === 13) {
          expect(classifyBarcode(code), code).toEqual({ kind: 'ean13', valid: true });
          expect(code.startsWith('20'), code).toBe(true); // GS1 restricted range: never a real product
        } else {
          expect(code, r.name).toMatch(/^2[12]\d{5}$/); // a label's item code
        }
      }
    }
    const twoCodes = rows.filter((r) => r.barcodes.length === 2).length / rows.length;
    expect(twoCodes).toBeGreaterThan(0.05);
    expect(twoCodes).toBeLessThan(0.2);
  });

  it('sells about 3 % by weight, each with a scale item code, priced per kg', () => {
    const weighed = rows.filter((r) => r.unit === 'weight');
    expect(weighed.length / rows.length).toBeGreaterThan(0.02);
    expect(weighed.length / rows.length).toBeLessThan(0.05);
    for (const r of weighed) {
      expect(r.barcodes).toHaveLength(1);
      const label = scaleLabel(r.barcodes[0] ?? '', 1234);
      expect(parseEmbedded(label, defaultTillSettings.embeddedBarcodeRules)).toEqual({
        itemCode: r.barcodes[0],
        kind: 'weight',
        value: 1234,
      });
    }
    expect(rows.filter((r) => r.barcodes[0]?.startsWith('21')).length).toBeGreaterThan(0); // priced packs
  });

  it('names, prices and costs things the way a grocery shop would', () => {
    const names = new Set(rows.map((r) => r.name));
    expect(names.size).toBeGreaterThan(1000);
    expect([...names].some((n) => n.endsWith('Oat Milk 1L'))).toBe(true);
    expect([...names].some((n) => n.includes('Sourdough Loaf 800g'))).toBe(true);
    expect(new Set(rows.map((r) => r.category))).toEqual(
      new Set(['Dairy', 'Bakery', 'Produce', 'Deli', 'Drinks', 'Snacks', 'Pantry', 'Frozen', 'Household', 'Health']),
    );
    expect(new Set(rows.map((r) => r.taxClass))).toEqual(new Set(generatedTaxClasses.map((t) => t.name)));
    for (const r of rows) {
      expect(Number.isInteger(r.price)).toBe(true);
      expect(r.price % 10, `${r.name} ${r.price}`).toBe(9); // shelf prices end in 9
      expect(r.price).toBeGreaterThanOrEqual(9);
      expect(r.price).toBeLessThan(10_000); // nothing in a corner shop costs 100.00 or more
      if (r.cost !== null) {
        expect(Number.isInteger(r.cost)).toBe(true);
        expect(r.cost).toBeGreaterThan(0);
        expect(r.cost).toBeLessThan(r.price);
      }
      expect(r.reorderPoint % 1000).toBe(0);
    }
    const inactive = rows.filter((r) => !r.active).length / rows.length;
    expect(inactive).toBeGreaterThan(0.005);
    expect(inactive).toBeLessThan(0.05);
  });
});

describe('seedCatalog', () => {
  it('fills an empty till with 100,000 products that search and scan in milliseconds', () => {
    const till = openShop();
    const report = seedCatalog(till, { size: 100_000, seed: 3 });
    console.log(`seedCatalog: ${report.products} products, ${report.barcodes} barcodes in ${report.ms} ms`);
    const rows = generateCatalog({ size: 100_000, seed: 3 });
    expect(report).toMatchObject({ products: 100_000, barcodes: rows.reduce((n, r) => n + r.barcodes.length, 0) });
    expect(count(till, 'SELECT count(*) AS n FROM product')).toBe(100_000);
    expect(count(till, 'SELECT count(*) AS n FROM product_search')).toBe(100_000);
    expect(count(till, 'SELECT count(*) AS n FROM tax_class')).toBe(3);
    expect(count(till, 'SELECT count(*) AS n FROM category')).toBe(10);
    expect(count(till, 'SELECT count(*) AS n FROM outbox')).toBe(0);

    // The index built in one pass says exactly what the triggers would have said.
    for (const word of ['milk', 'oat', '200', 'dai-']) {
      const viaIndex = count(till, 'SELECT count(*) AS n FROM product_search WHERE product_search MATCH ?', `"${word}"`);
      const viaScan = rows.filter((r) => `${r.name} ${r.sku} ${r.barcodes.join(' ')}`.toLowerCase().includes(word)).length;
      expect(viaIndex, word).toBe(viaScan);
    }
    const sample = rows[77_777];
    if (!sample) throw new Error('no sample');
    const indexed = till.db
      .prepare('SELECT s.name, s.sku, s.codes FROM product_search s JOIN product p ON p.rowid = s.rowid WHERE p.sku = ?')
      .get(sample.sku);
    expect(indexed).toEqual({ name: sample.name, sku: sample.sku, codes: sample.barcodes.join(' ') });

    const rules = defaultTillSettings.embeddedBarcodeRules;
    const timings: string[] = [];
    const time = (label: string, run: () => unknown) => {
      run();
      const started = performance.now();
      for (let i = 0; i < 50; i++) run();
      timings.push(`${label} ${((performance.now() - started) / 50).toFixed(2)} ms`);
    };
    for (const query of ['milk', 'oat milk 1l', 'choc', 'mi', sample.sku, sample.barcodes[0] ?? '']) {
      time(`search "${query}"`, () => searchCatalog(till.db, { query, limit: 20, includeInactive: false }));
    }
    time('scan', () => lookupBarcode(till.db, rules, sample.barcodes[0] ?? '', true));
    console.log(`catalog of 100,000: ${timings.join(', ')}`);

    expect(searchCatalog(till.db, { query: sample.barcodes[0] ?? '', limit: 5, includeInactive: true })[0]?.sku).toBe(sample.sku);
    const weighed = rows.find((r) => r.unit === 'weight' && r.active);
    if (!weighed) throw new Error('no weighed product');
    const scanned = lookupBarcode(till.db, rules, scaleLabel(weighed.barcodes[0] ?? '', 375), false);
    expect(scanned).toMatchObject({ product: { sku: weighed.sku, unit: 'weight', price: weighed.price }, quantity: 375 });
  }, 300_000);

  it('puts the search triggers back: products saved afterwards are found', async () => {
    const till = openShop();
    seedCatalog(till, { size: 2000, seed: 5 });
    const manager = uuidv7();
    till.db
      .prepare("INSERT INTO staff (id, name, role, pin_hash, created_at) VALUES (?, 'Max', 'manager', ?, ?)")
      .run(manager, hashPin('4321'), till.now().toISOString());
    till.session.staffId = manager;
    const api = createTillApi(till, { transport: 'http', version: 'test' });
    const standard = till.db.prepare("SELECT id FROM tax_class WHERE name = 'Standard'").pluck().get() as string;
    const saved = await api.call('catalog.saveProduct', {
      sku: 'NEW-1',
      name: 'Quince Paste 250g',
      barcodes: ['96385074'],
      price: 399,
      taxClassId: standard,
    });
    expect(saved.ok).toBe(true);
    expect(searchCatalog(till.db, { query: 'quince', limit: 5, includeInactive: false }).map((p) => p.sku)).toEqual(['NEW-1']);
    expect(searchCatalog(till.db, { query: '638507', limit: 5, includeInactive: false }).map((p) => p.sku)).toEqual(['NEW-1']);
    const triggers = till.db
      .prepare("SELECT count(*) AS n FROM sqlite_schema WHERE type = 'trigger' AND sql LIKE '%product_search%'")
      .get();
    expect(triggers).toEqual({ n: 5 });
  });

  it('refuses to seed a catalog that already has products, changing nothing', () => {
    const till = openShop();
    seedCatalog(till, { size: 10, seed: 1 });
    expect(() => seedCatalog(till, { size: 10, seed: 2 })).toThrow(expect.objectContaining({ reason: 'catalog_not_empty' }));
    expect(count(till, 'SELECT count(*) AS n FROM product')).toBe(10);
  });
});
