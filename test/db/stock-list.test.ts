import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedCatalog } from '../../db/catalog-generator.ts';
import { writeSettings } from '../../db/settings.ts';
import { recordMovement } from '../../db/stock.ts';
import type {
  StockHistoryEntry,
  StockListCursor,
  StockListFilter,
  StockListPage,
  StockListRow,
} from '../../shared/stock-list.ts';
import { addProduct, addStaff, makeShop, makeTill, signIn } from '../support/till.ts';

type Shop = ReturnType<typeof makeShop>;

async function everyRow(t: Pick<Shop, 'ok'>, filter: StockListFilter, limit = 100): Promise<StockListRow[]> {
  const rows: StockListRow[] = [];
  let after: StockListCursor | null = null;
  do {
    const page: StockListPage = await t.ok('stockList.page', { ...filter, after, limit });
    rows.push(...page.rows);
    after = page.next;
  } while (after);
  return rows;
}
const names = (rows: StockListRow[]) => rows.map((r) => r.name);

describe('the stock list', () => {
  let shop: Shop;
  beforeAll(async () => {
    shop = makeShop();
    signIn(shop.till, shop.manager);
    const { milk, bread, soap, apples } = shop.products;
    shop.till.db.prepare("INSERT INTO location (id, name) VALUES ('back', 'Back room')").run();
    await shop.ok('stock.receive', {
      supplier: 'Wholesale',
      lines: [
        { productId: milk, quantity: 3000, unitCost: 100 },
        { productId: bread, quantity: 20_000, unitCost: 150 },
      ],
    });
    await shop.ok('stock.adjust', { productId: soap, quantity: -2000, reason: 'damaged' });
    await shop.ok('stock.transfer', { productId: bread, from: 'shop', to: 'back', quantity: 5000 });
    const dairy = await shop.ok<{ id: string }>('catalog.saveCategory', { name: 'Dairy' });
    const milkProduct = await shop.ok<Record<string, unknown>>('catalog.product', { id: milk });
    const { onHand: _, updatedAt: __, ...milkFields } = milkProduct;
    await shop.ok('catalog.saveProduct', { ...milkFields, categoryId: dairy.id, reorderPoint: 6000 });
    const breadProduct = await shop.ok<Record<string, unknown>>('catalog.product', { id: bread });
    const { onHand: ___, updatedAt: ____, ...breadFields } = breadProduct;
    await shop.ok('catalog.saveProduct', { ...breadFields, reorderPoint: 4000 });
    await shop.ok('catalog.setActive', { id: apples, active: false });
    // Names equal but for case sort together; the rowid keeps their order stable across pages.
    for (const name of ['oat milk 1l', 'OAT MILK 1L', 'Oat Milk 1L']) {
      addProduct(shop.till, { sku: `DUP-${name}`, name, price: 100, taxClassId: shop.reduced });
    }
  });
  afterAll(() => shop.close());

  it('lists products in name order with on-hand at the shop and at every location', async () => {
    const rows = await everyRow(shop, {});
    expect(names(rows)).toEqual([
      'Hand Soap 250ml',
      'Oat Milk 1L',
      'oat milk 1l',
      'OAT MILK 1L',
      'Oat Milk 1L',
      'Sourdough Loaf 800g',
    ]);
    const bread = rows.find((r) => r.id === shop.products.bread);
    expect(bread).toMatchObject({ onHand: 15_000, levels: { shop: 15_000, back: 5000 }, reorderPoint: 4000, cost: 150 });
    expect(rows.find((r) => r.id === shop.products.milk)).toMatchObject({
      sku: 'MILK-1L',
      barcode: '4006381333931',
      onHand: 3000,
      price: 199,
    });
    expect(rows.find((r) => r.sku === 'DUP-oat milk 1l')).toMatchObject({ onHand: 0, levels: {} });
    const back = await everyRow(shop, { locationId: 'back' });
    expect(back.find((r) => r.id === shop.products.bread)?.onHand).toBe(5000);
  });

  it('pages by key without repeating or skipping, even through names equal but for case', async () => {
    const all = await everyRow(shop, {});
    for (const limit of [1, 2, 3, 4]) expect(await everyRow(shop, {}, limit)).toEqual(all);
    const first: StockListPage = await shop.ok('stockList.page', { limit: 2 });
    expect(first.next).toEqual({ name: 'Oat Milk 1L', key: expect.any(Number) });
    const last: StockListPage = await shop.ok('stockList.page', { limit: 100 });
    expect(last.next).toBeNull();
  });

  it('filters low stock, negative stock, inactive products and a category, and counts each', async () => {
    const cases: [StockListFilter, string[]][] = [
      // Milk 3 ≤ 6; bread 15 > 4; products without a reorder point are never low.
      [{ stock: 'low' }, ['Oat Milk 1L']],
      [{ stock: 'negative' }, ['Hand Soap 250ml']],
      [{ status: 'inactive' }, ['Apples (kg)']],
      [{ status: 'all', search: 'app' }, ['Apples (kg)']],
      [
        { categoryId: (shop.till.db.prepare("SELECT id FROM category WHERE name = 'Dairy'").get() as { id: string }).id },
        ['Oat Milk 1L'],
      ],
      // Soap is below zero on the shop floor only.
      [{ stock: 'negative', locationId: 'back' }, []],
      [{ stock: 'low', status: 'all', search: 'milk' }, ['Oat Milk 1L']],
    ];
    for (const [filter, expected] of cases) {
      expect(names(await everyRow(shop, filter))).toEqual(expected);
      expect(await shop.ok('stockList.count', filter)).toEqual({ count: expected.length });
    }
  });

  it('searches names, SKUs and barcodes anywhere, and short words as a prefix', async () => {
    const search = async (text: string) => names(await everyRow(shop, { search: text }));
    expect(await search('milk')).toEqual(['Oat Milk 1L', 'oat milk 1l', 'OAT MILK 1L', 'Oat Milk 1L']);
    expect(await search('dough')).toEqual(['Sourdough Loaf 800g']);
    expect(await search('BREAD-8')).toEqual(['Sourdough Loaf 800g']);
    expect(await search('5012345678900')).toEqual(['Sourdough Loaf 800g']);
    // Too short for the index: a name or a SKU (SOAP-250) that starts with it.
    expect(await search('so')).toEqual(['Hand Soap 250ml', 'Sourdough Loaf 800g']);
    expect(await search('milk 1l')).toHaveLength(4);
    expect(await search('milk zz')).toEqual([]);
    expect(await search('"milk')).toEqual([]); // quotes are text, not query syntax
    // A NUL would end FTS5's string and fail the query: it counts as a space (list and till search alike).
    expect(await search('oat\u0000milk')).toHaveLength(4);
    expect(await shop.ok('catalog.search', { query: 'oat\u0000milk' })).toEqual(expect.any(Array));
    expect(await shop.ok('stockList.count', { search: 'milk', stock: 'low' })).toEqual({ count: 1 });
  });

  it('refuses bad input before it reaches the store', async () => {
    expect((await shop.fails('stockList.page', { limit: 501 })).code).toBe('invalid_input');
    expect((await shop.fails('stockList.page', { stock: 'lots' })).code).toBe('invalid_input');
    expect((await shop.fails('stockList.page', { after: { name: 'x', key: -1 } })).code).toBe('invalid_input');
    expect((await shop.fails('stockList.count', { search: 'x'.repeat(101) })).code).toBe('invalid_input');
    expect((await shop.fails('stockList.page', { sort: 'price' })).code).toBe('invalid_input');
  });

  it('shows a product’s movements newest first: who, when, why, which till, and who approved', async () => {
    const { bread } = shop.products;
    await shop.ok('stock.adjust', { productId: bread, quantity: 1000, reason: 'found' });
    signIn(shop.till, shop.cashier);
    expect((await shop.fails('stock.adjust', { productId: bread, quantity: -1000, reason: 'expired' })).reason).toBe(
      'needs_manager',
    );
    await shop.ok('stock.adjust', {
      productId: bread,
      quantity: -1000,
      reason: 'expired',
      note: 'Past date',
      override: { staffId: shop.manager, pin: '2222' },
    });
    await shop.ok('sale.addItem', { productId: bread });
    await shop.ok('sale.complete', { tenders: [{ kind: 'cash', amount: 349 }] });
    const history = await shop.ok<StockHistoryEntry[]>('stockList.history', { productId: bread });
    expect(
      history.map((h) => [h.kind, h.locationId, h.quantity, h.reason, h.orderNumber, h.staffName, h.approvedBy, h.till]),
    ).toEqual([
      ['sale', 'shop', -1000, null, 'T01-000001', 'Ada Cashier', null, 'T01'],
      ['adjustment', 'shop', -1000, 'expired: Past date', null, 'Ada Cashier', 'Max Manager', 'T01'],
      ['adjustment', 'shop', 1000, 'found', null, 'Max Manager', null, 'T01'],
      ['transfer', 'back', 5000, 'from shop', null, 'Max Manager', null, 'T01'],
      ['transfer', 'shop', -5000, 'to back', null, 'Max Manager', null, 'T01'],
      ['goods_in', 'shop', 20_000, 'Wholesale', null, 'Max Manager', null, 'T01'],
    ]);
    expect(history.every((h) => h.thisTill)).toBe(true);
    expect(history[5]?.unitCost).toBe(150);
    const older = await shop.ok<StockHistoryEntry[]>('stockList.history', {
      productId: bread,
      before: history[1]?.hlc,
      limit: 2,
    });
    expect(older.map((h) => h.id)).toEqual([history[2]?.id, history[3]?.id]);
    expect((await shop.fails('stockList.history', { productId: 'nope' })).reason).toBe('unknown_product');
    signIn(shop.till, shop.manager);
  });

  it('lists the locations, shop floor first', async () => {
    expect(await shop.ok('stockList.locations', {})).toEqual([
      { id: 'shop', name: 'Shop floor' },
      { id: 'back', name: 'Back room' },
    ]);
  });
});

describe('the stock list at 100,000 products', () => {
  const t = makeTill();
  let expected: {
    id: string;
    key: number;
    name: string;
    sku: string;
    active: boolean;
    reorder: number;
    onHand: number;
    codes: string;
  }[];
  let categoryId: string;

  beforeAll(() => {
    writeSettings(t.till.store, { setupComplete: true });
    const seeded = seedCatalog(t.till, { size: 100_000, seed: 11 });
    const db = t.till.db;
    // A third of the catalog received, one in 400 sold into negative, as a busy shop's would be.
    db.transaction(() => {
      const products = db.prepare('SELECT id, rowid FROM product').all() as { id: string; rowid: number }[];
      for (const p of products) {
        if (p.rowid % 3 === 0) {
          recordMovement(t.till, {
            productId: p.id,
            locationId: 'shop',
            kind: 'goods_in',
            quantity: (p.rowid % 40) * 1000,
            staffId: null,
          });
        }
        if (p.rowid % 400 === 0) {
          recordMovement(t.till, { productId: p.id, locationId: 'shop', kind: 'adjustment', quantity: -60_000, staffId: null });
        }
      }
    })();
    console.log(`seeded ${seeded.products} products in ${seeded.ms} ms`);
    expected = (
      db
        .prepare(
          `SELECT p.id, p.rowid AS key, p.name, p.sku, p.active, p.reorder_point AS reorder, coalesce(s.on_hand, 0) AS onHand,
             (SELECT group_concat(code, ' ') FROM barcode WHERE product_id = p.id) AS codes
           FROM product p LEFT JOIN stock_level s ON s.product_id = p.id AND s.location_id = 'shop'`,
        )
        .all() as {
        id: string;
        key: number;
        name: string;
        sku: string;
        active: number;
        reorder: number;
        onHand: number;
        codes: string;
      }[]
    ).map((r) => ({ ...r, active: r.active === 1 }));
    const fold = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());
    expected.sort((a, b) => (fold(a.name) < fold(b.name) ? -1 : fold(a.name) > fold(b.name) ? 1 : a.key - b.key));
    categoryId = (db.prepare("SELECT id FROM category WHERE name = 'Bakery'").get() as { id: string }).id;
    signIn(t.till, addStaff(t.till, 'Max Manager', 'manager'));
  }, 240_000);
  afterAll(() => t.close());

  it('walks every active product in order, a page at a time, with nothing repeated or missed', async () => {
    const started = performance.now();
    const rows = await everyRow(t, {}, 500);
    const ms = performance.now() - started;
    const want = expected.filter((p) => p.active);
    expect(rows).toHaveLength(want.length);
    expect(rows.map((r) => r.id)).toEqual(want.map((p) => p.id));
    expect(rows.map((r) => r.onHand)).toEqual(want.map((p) => p.onHand));
    console.log(
      `stock list: all ${rows.length} active products in ${Math.ceil(rows.length / 500)} pages of 500, ${ms.toFixed(0)} ms`,
    );
  }, 120_000);

  it('filters the way the shelves are, and says how long each filter takes', async () => {
    const shortWord = (p: (typeof expected)[number], w: string) =>
      p.name.toLowerCase().startsWith(w) || p.sku.toLowerCase().startsWith(w);
    const inText = (p: (typeof expected)[number], w: string) =>
      [p.name, p.sku, p.codes ?? ''].some((field) => field.toLowerCase().includes(w));
    const bakery = new Set(
      (t.till.db.prepare('SELECT id FROM product WHERE category_id = ?').pluck().all(categoryId) as string[]).values(),
    );
    const cases: [string, StockListFilter, (p: (typeof expected)[number]) => boolean][] = [
      ['low stock', { stock: 'low' }, (p) => p.active && p.reorder > 0 && p.onHand <= p.reorder],
      ['negative stock', { stock: 'negative' }, (p) => p.active && p.onHand < 0],
      ['inactive', { status: 'inactive' }, (p) => !p.active],
      ['category', { categoryId }, (p) => p.active && bakery.has(p.id)],
      ['search "milk"', { search: 'milk' }, (p) => p.active && inText(p, 'milk')],
      ['search "organic milk"', { search: 'Organic milk' }, (p) => p.active && inText(p, 'organic') && inText(p, 'milk')],
      ['search "Me" (prefix)', { search: 'Me' }, (p) => p.active && shortWord(p, 'me')],
      [
        'search barcode',
        { search: expected[500]?.codes.split(' ')[0] ?? '' },
        (p) => p.active && inText(p, expected[500]?.codes.split(' ')[0] ?? ''),
      ],
      [
        'category + low + search',
        { categoryId, stock: 'low', search: 'bread' },
        (p) => p.active && bakery.has(p.id) && p.reorder > 0 && p.onHand <= p.reorder && inText(p, 'bread'),
      ],
    ];
    for (const [label, filter, match] of cases) {
      const want = expected.filter(match);
      let started = performance.now();
      const first: StockListPage = await t.ok('stockList.page', { ...filter, limit: 100 });
      const firstMs = performance.now() - started;
      started = performance.now();
      const { count } = await t.ok<{ count: number }>('stockList.count', filter);
      const countMs = performance.now() - started;
      expect(count, label).toBe(want.length);
      expect(
        first.rows.map((r) => r.id),
        label,
      ).toEqual(want.slice(0, 100).map((p) => p.id));
      if (want.length <= 5000)
        expect(
          (await everyRow(t, filter, 500)).map((r) => r.id),
          label,
        ).toEqual(want.map((p) => p.id));
      console.log(
        `stock list filter ${label.padEnd(24)} ${String(count).padStart(6)} products: first page ${firstMs.toFixed(1)} ms, count ${countMs.toFixed(1)} ms`,
      );
    }
    expect(expected.some((p) => p.onHand < 0)).toBe(true);
  }, 120_000);
});
