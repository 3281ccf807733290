import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTillApi } from '../../db/api.ts';
import type { Api } from '../../db/dispatch.ts';
import { hashPin } from '../../db/pin.ts';
import { writeSettings } from '../../db/settings.ts';
import { openStore } from '../../db/store.ts';
import { openTill, type Till } from '../../db/till.ts';
import type { InputOf, OperationName, OutputOf } from '../../shared/api.ts';
import { embeddedBarcode } from '../../shared/barcode.ts';
import type { Product } from '../../shared/catalog.ts';
import type { ApiError } from '../../shared/errors.ts';
import { uuidv7 } from '../../shared/ids.ts';
import type { Role } from '../../shared/staff.ts';

/** A real till on a real SQLite file, driven through the contract as the UI drives it. */
function openShop() {
  const dir = mkdtempSync(join(tmpdir(), 'tilldesk-'));
  const store = openStore({ dataDir: dir });
  let clock = Date.parse('2026-03-02T09:00:00Z');
  const till: Till = openTill(store, { now: () => new Date(clock) });
  const api: Api = createTillApi(till, { transport: 'http', version: 'test' });
  const staff = (name: string, role: Role) => {
    const id = uuidv7();
    till.db
      .prepare('INSERT INTO staff (id, name, role, pin_hash, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(id, name, role, hashPin('4321'), till.now().toISOString());
    return id;
  };
  const manager = staff('Max Manager', 'manager');
  const cashier = staff('Ada Cashier', 'cashier');
  till.session.staffId = manager;
  return {
    till,
    dir,
    manager,
    cashier,
    signIn(id: string | null) {
      till.session.staffId = id;
      till.session.lastActivityAt = clock;
    },
    tick(ms = 1000) {
      clock += ms;
    },
    async ok<N extends OperationName>(name: N, input: InputOf<N>): Promise<OutputOf<N>> {
      const result = await api.call(name, input);
      if (!result.ok) throw new Error(`${name} failed: ${JSON.stringify(result.error)}`);
      return result.value as OutputOf<N>;
    },
    async fails(name: OperationName, input: unknown): Promise<ApiError> {
      const result = await api.call(name, input);
      if (result.ok) throw new Error(`${name} unexpectedly succeeded: ${JSON.stringify(result.value)}`);
      return result.error;
    },
    /** Rows in every table a catalog write touches: a refused call must leave them all alone. */
    counts() {
      const count = (table: string) => (till.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
      return {
        product: count('product'),
        barcode: count('barcode'),
        category: count('category'),
        taxClass: count('tax_class'),
        search: count('product_search'),
        audit: count('audit'),
        outbox: count('outbox'),
      };
    },
    close() {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

type Shop = ReturnType<typeof openShop>;

/** A product as an edit form sends it back: everything but the figures the store keeps. */
function edit({ onHand: _, updatedAt: __, ...product }: Product) {
  return product;
}

let shop: Shop;
let standard: string;
let reduced: string;
let dairy: string;
let drinks: string;
let oatMilk: Product;

beforeEach(async () => {
  shop = openShop();
  standard = (await shop.ok('catalog.saveTaxClass', { name: 'Standard', rateBp: 2000 })).id;
  reduced = (await shop.ok('catalog.saveTaxClass', { name: 'Reduced', rateBp: 500 })).id;
  dairy = (await shop.ok('catalog.saveCategory', { name: 'Dairy' })).id;
  drinks = (await shop.ok('catalog.saveCategory', { name: 'Drinks', position: 1 })).id;
  oatMilk = await shop.ok('catalog.saveProduct', {
    sku: 'OAT-1L',
    name: 'Oat Milk 1L',
    barcodes: ['4006381333931'],
    categoryId: dairy,
    price: 199,
    taxClassId: reduced,
    cost: 120,
    reorderPoint: 6000,
  });
});

afterEach(() => shop.close());

describe('saving products', () => {
  it('creates a product with its barcodes, an audit entry and an outbox op, all at once', async () => {
    expect(oatMilk).toMatchObject({
      sku: 'OAT-1L',
      name: 'Oat Milk 1L',
      barcodes: ['4006381333931'],
      categoryId: dairy,
      unit: 'each',
      price: 199,
      taxClassId: reduced,
      cost: 120,
      reorderPoint: 6000,
      active: true,
      onHand: 0,
      updatedAt: '2026-03-02T09:00:00.000Z',
    });
    expect(await shop.ok('catalog.product', { id: oatMilk.id })).toEqual(oatMilk);
    const audit = shop.till.db
      .prepare("SELECT * FROM audit WHERE subject = ? AND action = 'catalog.product_created'")
      .get(oatMilk.id) as {
      staff_id: string;
      before: string | null;
      after: string;
    };
    expect(audit.staff_id).toBe(shop.manager);
    expect(audit.before).toBeNull();
    expect(JSON.parse(audit.after)).toMatchObject({ sku: 'OAT-1L', price: 199, barcodes: ['4006381333931'] });
    const op = shop.till.db.prepare("SELECT payload FROM outbox WHERE type = 'catalog.product_saved'").get() as {
      payload: string;
    };
    expect(JSON.parse(op.payload)).toMatchObject({ id: oatMilk.id, sku: 'OAT-1L', price: 199 });
  });

  it('updates a product, keeps before and after in the audit, and the search follows the new name and codes', async () => {
    shop.tick();
    const saved = await shop.ok('catalog.saveProduct', {
      ...edit(oatMilk),
      name: 'Barista Oat Drink 1L',
      price: 229,
      barcodes: ['5012345678900', '036000291452'],
    });
    expect(saved).toMatchObject({
      id: oatMilk.id,
      name: 'Barista Oat Drink 1L',
      price: 229,
      barcodes: ['5012345678900', '036000291452'],
    });
    expect(saved.updatedAt).toBe('2026-03-02T09:00:01.000Z');
    const audit = shop.till.db.prepare("SELECT before, after FROM audit WHERE action = 'catalog.product_changed'").get() as {
      before: string;
      after: string;
    };
    expect(JSON.parse(audit.before)).toMatchObject({ name: 'Oat Milk 1L', price: 199, barcodes: ['4006381333931'] });
    expect(JSON.parse(audit.after)).toMatchObject({ name: 'Barista Oat Drink 1L', price: 229 });

    const names = async (query: string) => (await shop.ok('catalog.search', { query })).map((p) => p.name);
    expect(await names('barista')).toEqual(['Barista Oat Drink 1L']);
    expect(await names('oat milk')).toEqual([]);
    expect(await names('4006381333931')).toEqual([]);
    expect(await names('5012345678900')).toEqual(['Barista Oat Drink 1L']);
    expect(await names('0291452')).toEqual(['Barista Oat Drink 1L']);
    const missing = await shop.fails('catalog.lookupBarcode', { code: '4006381333931' });
    expect(missing).toMatchObject({ code: 'not_found', reason: 'unknown_barcode', params: { code: '4006381333931' } });
  });

  it('writes nothing for a save that changes nothing', async () => {
    const before = shop.counts();
    shop.tick();
    expect(await shop.ok('catalog.saveProduct', edit(oatMilk))).toEqual(oatMilk);
    expect(shop.counts()).toEqual(before);
  });

  it('refuses bad input before anything is written', async () => {
    const good = { sku: 'NEW-1', name: 'New Thing', price: 100, taxClassId: standard };
    const before = shop.counts();
    const refused: [string, unknown][] = [
      ['negative price', { ...good, price: -1 }],
      ['NaN price', { ...good, price: Number.NaN }],
      ['infinite price', { ...good, price: Number.POSITIVE_INFINITY }],
      ['huge price', { ...good, price: 1e12 }],
      ['fractional price', { ...good, price: 1.5 }],
      ['price as text', { ...good, price: '1.00' }],
      ['negative cost', { ...good, cost: -5 }],
      ['empty name', { ...good, name: '' }],
      ['blank name', { ...good, name: '   ' }],
      ['name too long', { ...good, name: 'x'.repeat(201) }],
      ['name with a control character', { ...good, name: 'Bad\u0000Name' }],
      ['empty SKU', { ...good, sku: '' }],
      ['unknown unit', { ...good, unit: 'litre' }],
      ['barcode with a space', { ...good, barcodes: ['123 456'] }],
      ['barcode with a pipe', { ...good, barcodes: ['123|456'] }],
      ['too many barcodes', { ...good, barcodes: Array.from({ length: 21 }, (_, i) => `CODE${i}`) }],
      ['negative reorder point', { ...good, reorderPoint: -1000 }],
      ['unknown field', { ...good, colour: 'red' }],
      ['missing tax class', { sku: 'NEW-1', name: 'New Thing', price: 100 }],
    ];
    for (const [label, input] of refused) {
      const error = await shop.fails('catalog.saveProduct', input);
      expect(error.code, label).toBe('invalid_input');
    }
    expect(shop.counts()).toEqual(before);
  });

  it('refuses what the schema cannot see with specific reasons, writing nothing', async () => {
    const good = { sku: 'NEW-1', name: 'New Thing', price: 100, taxClassId: standard };
    const before = shop.counts();
    expect(await shop.fails('catalog.saveProduct', { ...good, sku: 'OAT-1L' })).toMatchObject({
      code: 'conflict',
      reason: 'sku_taken',
      params: { sku: 'OAT-1L', name: 'Oat Milk 1L' },
    });
    expect(await shop.fails('catalog.saveProduct', { ...good, barcodes: ['4006381333931'] })).toMatchObject({
      code: 'conflict',
      reason: 'barcode_taken',
      params: { code: '4006381333931', name: 'Oat Milk 1L' },
    });
    expect(await shop.fails('catalog.saveProduct', { ...good, barcodes: ['4006381333932'] })).toMatchObject({
      code: 'invalid_input',
      reason: 'bad_check_digit',
      params: { code: '4006381333932' },
    });
    expect(await shop.fails('catalog.saveProduct', { ...good, barcodes: ['96385074', '96385074'] })).toMatchObject({
      reason: 'duplicate_barcode',
      params: { code: '96385074' },
    });
    expect(await shop.fails('catalog.saveProduct', { ...good, categoryId: 'no-such-category' })).toMatchObject({
      code: 'not_found',
      reason: 'unknown_category',
    });
    expect(await shop.fails('catalog.saveProduct', { ...good, taxClassId: 'no-such-tax' })).toMatchObject({
      code: 'not_found',
      reason: 'unknown_tax_class',
    });
    expect(await shop.fails('catalog.saveProduct', { ...good, id: 'no-such-product' })).toMatchObject({
      code: 'not_found',
      reason: 'unknown_product',
    });
    expect(await shop.fails('catalog.product', { id: 'no-such-product' })).toMatchObject({
      code: 'not_found',
      reason: 'unknown_product',
    });
    expect(shop.counts()).toEqual(before);
  });

  it('lets only a manager change the catalog, and only someone signed in read it', async () => {
    const before = shop.counts();
    shop.signIn(shop.cashier);
    const writes: [OperationName, unknown][] = [
      ['catalog.saveProduct', { sku: 'NEW-1', name: 'New Thing', price: 100, taxClassId: standard }],
      ['catalog.setActive', { id: oatMilk.id, active: false }],
      ['catalog.saveCategory', { name: 'Bakery' }],
      ['catalog.saveTaxClass', { name: 'Zero', rateBp: 0 }],
      ['catalog.importCsv', { csv: 'sku,name,price,tax_class\nNEW-1,New Thing,1.00,Standard\n' }],
    ];
    for (const [name, input] of writes) {
      expect((await shop.fails(name, input)).code, name).toBe('forbidden');
    }
    // A cashier still reads: search, scan, look up.
    expect((await shop.ok('catalog.search', { query: 'milk' })).map((p) => p.id)).toEqual([oatMilk.id]);
    shop.signIn(null);
    for (const [name, input] of [...writes, ['catalog.search', { query: 'milk' }] as [OperationName, unknown]]) {
      expect(await shop.fails(name, input), name).toMatchObject({ code: 'unauthorized' });
    }
    expect(shop.counts()).toEqual(before);
  });

  it('takes a product off sale and back, with audit entries', async () => {
    const off = await shop.ok('catalog.setActive', { id: oatMilk.id, active: false });
    expect(off.active).toBe(false);
    expect(await shop.ok('catalog.search', { query: 'milk' })).toEqual([]);
    expect((await shop.ok('catalog.setActive', { id: oatMilk.id, active: true })).active).toBe(true);
    const actions = shop.till.db.prepare('SELECT action FROM audit WHERE subject = ? ORDER BY id').pluck().all(oatMilk.id);
    expect(actions).toEqual(['catalog.product_created', 'catalog.product_deactivated', 'catalog.product_activated']);
    expect(await shop.fails('catalog.setActive', { id: 'nope', active: true })).toMatchObject({ reason: 'unknown_product' });
  });

  it('shows stock on hand at the shop once goods come in', async () => {
    await shop.ok('stock.receive', { supplier: 'Oat Co', lines: [{ productId: oatMilk.id, quantity: 24000, unitCost: 110 }] });
    expect((await shop.ok('catalog.product', { id: oatMilk.id })).onHand).toBe(24000);
    expect((await shop.ok('catalog.search', { query: 'OAT-1L' }))[0]?.onHand).toBe(24000);
  });
});

describe('categories and tax classes', () => {
  it('lists them in order, renames, and refuses duplicates and unknown ids', async () => {
    expect((await shop.ok('catalog.categories', {})).map((c) => c.name)).toEqual(['Dairy', 'Drinks']);
    await shop.ok('catalog.saveCategory', { id: drinks, name: 'Soft Drinks', position: 1, active: false });
    expect((await shop.ok('catalog.categories', {})).map((c) => c.name)).toEqual(['Dairy']);
    expect((await shop.ok('catalog.categories', { includeInactive: true })).map((c) => c.name)).toEqual(['Dairy', 'Soft Drinks']);
    const before = shop.counts();
    expect(await shop.fails('catalog.saveCategory', { name: 'dairy' })).toMatchObject({
      code: 'conflict',
      reason: 'category_name_taken',
    });
    expect(await shop.fails('catalog.saveCategory', { id: 'nope', name: 'Bakery' })).toMatchObject({
      reason: 'unknown_category',
    });
    expect(await shop.fails('catalog.saveCategory', { name: '' })).toMatchObject({ code: 'invalid_input' });
    expect(await shop.fails('catalog.saveTaxClass', { name: 'standard', rateBp: 1000 })).toMatchObject({
      reason: 'tax_class_name_taken',
    });
    expect(await shop.fails('catalog.saveTaxClass', { id: 'nope', name: 'Zero', rateBp: 0 })).toMatchObject({
      reason: 'unknown_tax_class',
    });
    for (const rateBp of [-1, 100_001, 2.5, Number.NaN]) {
      expect(await shop.fails('catalog.saveTaxClass', { name: 'Odd', rateBp })).toMatchObject({ code: 'invalid_input' });
    }
    expect(shop.counts()).toEqual(before);
    await shop.ok('catalog.saveTaxClass', { id: reduced, name: 'Reduced', rateBp: 600 });
    expect(await shop.ok('catalog.taxClasses', {})).toEqual([
      { id: standard, name: 'Standard', rateBp: 2000 },
      { id: reduced, name: 'Reduced', rateBp: 600 },
    ]);
    const ops = shop.till.db.prepare('SELECT type FROM outbox ORDER BY seq').pluck().all();
    expect(ops.filter((t) => t === 'catalog.tax_class_saved')).toHaveLength(3);
    expect(ops.filter((t) => t === 'catalog.category_saved')).toHaveLength(3);
  });
});

describe('search', () => {
  beforeEach(async () => {
    const add = (sku: string, name: string, barcodes: string[], categoryId: string, active = true) =>
      shop.ok('catalog.saveProduct', { sku, name, barcodes, categoryId, price: 150, taxClassId: standard, active });
    await add('BMILK', 'Buttermilk 500ml', ['5012345678900'], dairy);
    await add('CHOC-45', 'Milk Chocolate Bar 45g', ['96385074'], drinks);
    await add('WMILK-2L', 'Whole Milk 2L', [], dairy);
    await add('OLD-MILK', 'Goat Milk 1L', ['036000291452'], dairy, false);
    await add('SOUR-800', 'Sourdough Loaf 800g', ['9780306406157'], drinks);
  });

  const names = async (input: InputOf<'catalog.search'>) => (await shop.ok('catalog.search', input)).map((p) => p.name);

  it('finds "milk" inside names: names starting with it, then word starts, shorter first; inactive hidden', async () => {
    expect(await names({ query: 'milk' })).toEqual([
      'Milk Chocolate Bar 45g',
      'Oat Milk 1L',
      'Whole Milk 2L',
      'Buttermilk 500ml',
    ]);
    expect(await names({ query: 'MILK', includeInactive: true })).toContain('Goat Milk 1L');
    expect(await names({ query: 'milk', categoryId: dairy })).toEqual(['Oat Milk 1L', 'Whole Milk 2L', 'Buttermilk 500ml']);
    expect(await names({ query: 'milk', limit: 2 })).toHaveLength(2);
  });

  it('puts an exact SKU or barcode first, and finds part of a barcode', async () => {
    expect(await names({ query: '96385074' })).toEqual(['Milk Chocolate Bar 45g']);
    expect((await names({ query: 'choc-45' }))[0]).toBe('Milk Chocolate Bar 45g');
    expect(await names({ query: '4006381' })).toEqual(['Oat Milk 1L']);
    const hit = (await shop.ok('catalog.search', { query: '5012345678900' }))[0];
    expect(hit).toMatchObject({ sku: 'BMILK', barcode: '5012345678900', price: 150, unit: 'each', active: true, onHand: 0 });
  });

  it('matches every long word, and narrows by short ones', async () => {
    expect(await names({ query: 'oat milk' })).toEqual(['Oat Milk 1L']);
    expect(await names({ query: 'milk 2l' })).toEqual(['Whole Milk 2L']);
    expect(await names({ query: 'loaf sour' })).toEqual(['Sourdough Loaf 800g']);
  });

  it('answers queries too short for trigrams with a prefix match on name and SKU', async () => {
    expect(await names({ query: 'wh' })).toEqual(['Whole Milk 2L']);
    expect(await names({ query: 'so' })).toEqual(['Sourdough Loaf 800g']);
    expect(await names({ query: 'O' })).toEqual(['Oat Milk 1L']);
    expect(await names({ query: 'ol', includeInactive: true })).toEqual(['Goat Milk 1L']); // by SKU OLD-MILK
    expect(await names({ query: 'ol' })).toEqual([]);
    expect(await names({ query: '', categoryId: drinks })).toEqual(['Milk Chocolate Bar 45g', 'Sourdough Loaf 800g']);
  });

  it('treats the query as text, never as FTS syntax', async () => {
    for (const query of ['"milk', 'milk"', 'NEAR(milk oat)', 'milk OR oat', '*', 'milk*', "o'", '%', '_']) {
      expect(Array.isArray(await shop.ok('catalog.search', { query })), query).toBe(true);
    }
    expect(await names({ query: 'milk OR bread' })).toEqual([]);
  });

  it('refuses out-of-bounds search input', async () => {
    for (const input of [
      { query: 'x'.repeat(101) },
      { query: 'milk', limit: 0 },
      { query: 'milk', limit: 101 },
      { query: 'milk', limit: 2.5 },
      {},
    ]) {
      expect(await shop.fails('catalog.search', input)).toMatchObject({ code: 'invalid_input' });
    }
  });
});

describe('barcode lookup', () => {
  const weightRule = { prefix: '22', kind: 'weight', itemDigits: 5, valueDigits: 5 } as const;
  let cheese: Product;
  let ham: Product;

  beforeEach(async () => {
    // The scale label's item code is a barcode row: prefix + item digits (see parseEmbedded).
    cheese = await shop.ok('catalog.saveProduct', {
      sku: 'CHED-KG',
      name: 'Cheddar from the Counter',
      unit: 'weight',
      barcodes: ['2212345'],
      price: 1299,
      taxClassId: reduced,
    });
    ham = await shop.ok('catalog.saveProduct', {
      sku: 'HAM-PACK',
      name: 'Roast Ham Slices',
      barcodes: ['2100042'],
      price: 400,
      taxClassId: reduced,
    });
  });

  it('resolves a printed barcode to one item', async () => {
    expect(await shop.ok('catalog.lookupBarcode', { code: '4006381333931' })).toEqual({ product: oatMilk, quantity: 1000 });
  });

  it('gives the whole product whichever of its codes is scanned: every barcode in the order added, stock on hand', async () => {
    const codes = ['5012345678900', '96385074', 'BAKERY-7'];
    const bread = await shop.ok('catalog.saveProduct', {
      sku: 'BREAD',
      name: 'Sourdough',
      barcodes: codes,
      price: 349,
      taxClassId: reduced,
    });
    await shop.ok('stock.receive', { supplier: 'Mill', lines: [{ productId: bread.id, quantity: 12000, unitCost: 150 }] });
    const stored = await shop.ok('catalog.product', { id: bread.id });
    expect(stored).toMatchObject({ barcodes: codes, onHand: 12000 });
    for (const code of codes)
      expect(await shop.ok('catalog.lookupBarcode', { code })).toEqual({ product: stored, quantity: 1000 });
    // A code added later comes last; one taken away is gone from every answer.
    const changed = ['96385074', 'BAKERY-7', '4006381333948'];
    await shop.ok('catalog.saveProduct', { ...edit(stored), barcodes: changed });
    const after = await shop.ok('catalog.lookupBarcode', { code: '4006381333948' });
    expect(after.product.barcodes).toEqual(changed);
    expect(after.product).toEqual(await shop.ok('catalog.product', { id: bread.id }));
    expect((await shop.fails('catalog.lookupBarcode', { code: '5012345678900' })).reason).toBe('unknown_barcode');
  });

  it('treats a UPC-A and its EAN-13 form as the same code', async () => {
    const soap = await shop.ok('catalog.saveProduct', {
      sku: 'SOAP',
      name: 'Hand Soap',
      barcodes: ['036000291452'],
      price: 275,
      taxClassId: standard,
    });
    expect((await shop.ok('catalog.lookupBarcode', { code: '0036000291452' })).product.id).toBe(soap.id);
    await shop.ok('catalog.saveProduct', { ...edit(oatMilk), barcodes: ['0012345678905'] });
    expect((await shop.ok('catalog.lookupBarcode', { code: '012345678905' })).product.id).toBe(oatMilk.id);
  });

  it('reads the weight from a scale label: 22 12345 01234 3 is 1.234 kg of cheddar', async () => {
    expect(await shop.ok('catalog.lookupBarcode', { code: '2212345012343' })).toEqual({
      product: cheese,
      quantity: 1234,
      embedded: { kind: 'weight', value: 1234 },
    });
  });

  it('takes the price from a price label: 21 00042 00349 1 is a pack of ham at 3.49', async () => {
    expect(await shop.ok('catalog.lookupBarcode', { code: '2100042003491' })).toEqual({
      product: ham,
      quantity: 1000,
      unitPrice: 349,
      embedded: { kind: 'price', value: 349 },
    });
  });

  it('follows the configured label rules', async () => {
    writeSettings(shop.till.store, { embeddedBarcodeRules: [{ prefix: '22', kind: 'price', itemDigits: 5, valueDigits: 5 }] });
    await shop.ok('catalog.saveProduct', { ...edit(cheese), unit: 'each' });
    expect(await shop.ok('catalog.lookupBarcode', { code: '2212345012343' })).toMatchObject({ quantity: 1000, unitPrice: 1234 });
    expect(await shop.fails('catalog.lookupBarcode', { code: '2100042003491' })).toMatchObject({ reason: 'unknown_barcode' });
  });

  it('refuses misreads, unknown codes, wrong labels and withdrawn products with specific reasons', async () => {
    expect(await shop.fails('catalog.lookupBarcode', { code: '4006381333932' })).toEqual({
      code: 'rejected',
      reason: 'bad_check_digit',
      message: expect.any(String),
      params: { code: '4006381333932' },
    });
    expect(await shop.fails('catalog.lookupBarcode', { code: '2212345012344' })).toMatchObject({ reason: 'bad_check_digit' });
    expect(await shop.fails('catalog.lookupBarcode', { code: '5012345678900' })).toMatchObject({
      code: 'not_found',
      reason: 'unknown_barcode',
      params: { code: '5012345678900' },
    });
    expect(await shop.fails('catalog.lookupBarcode', { code: 'NO-SUCH-CODE' })).toMatchObject({ reason: 'unknown_barcode' });
    expect(await shop.fails('catalog.lookupBarcode', { code: embeddedBarcode(weightRule, '99999', 500) })).toMatchObject({
      reason: 'unknown_barcode',
    });
    await shop.ok('catalog.saveProduct', {
      sku: 'POT',
      name: 'Olive Pot',
      barcodes: ['2254321'],
      price: 250,
      taxClassId: reduced,
    });
    expect(await shop.fails('catalog.lookupBarcode', { code: embeddedBarcode(weightRule, '54321', 500) })).toMatchObject({
      code: 'rejected',
      reason: 'weight_label_on_item',
      params: { name: 'Olive Pot' },
    });
    expect(await shop.fails('catalog.lookupBarcode', { code: embeddedBarcode(weightRule, '12345', 0) })).toMatchObject({
      reason: 'empty_weight_label',
    });
    await shop.ok('catalog.setActive', { id: oatMilk.id, active: false });
    const before = shop.counts();
    expect(await shop.fails('catalog.lookupBarcode', { code: '4006381333931' })).toMatchObject({
      code: 'rejected',
      reason: 'product_inactive',
    });
    expect((await shop.ok('catalog.lookupBarcode', { code: '4006381333931', includeInactive: true })).product.active).toBe(false);
    for (const code of ['', ' ', 'x'.repeat(49)]) {
      expect(await shop.fails('catalog.lookupBarcode', { code })).toMatchObject({ code: 'invalid_input' });
    }
    expect(shop.counts()).toEqual(before);
  });
});
