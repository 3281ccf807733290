import { afterEach, describe, expect, it } from 'vitest';
import { writeSettings } from '../../db/settings.ts';
import type { Product } from '../../shared/catalog.ts';
import type { ReorderReport, SalesReport } from '../../shared/reports.ts';
import { offsetSpans } from '../../shared/reports.ts';
import type { Order } from '../../shared/sale.ts';
import { makeShop, signIn } from '../support/till.ts';

/**
 * Reports against figures worked out by hand from sales rung up through the real contract
 * (sale.addItem, sale.complete, sale.refund, sale.void) on a till whose clock the test sets.
 */

let shop: ReturnType<typeof makeShop>;
let clock = new Date('2024-03-04T09:00:00Z');
afterEach(() => shop?.close());

function at(iso: string): void {
  clock = new Date(iso);
}

function openShop() {
  clock = new Date('2024-03-04T09:00:00Z');
  shop = makeShop({ now: () => clock });
  writeSettings(shop.till.store, { idleLockSeconds: 0 }); // the test moves the clock by days
  return shop;
}

const override = () => ({ staffId: shop.manager, pin: '2222' });

async function sell(items: [string, number][], tenders: { kind: 'cash' | 'card'; amount: number }[], discount = 0) {
  for (const [productId, quantity] of items) await shop.ok('sale.addItem', { productId, quantity });
  if (discount) await shop.ok('sale.setOrderDiscount', { amount: discount });
  return shop.ok<Order>('sale.complete', {
    tenders: tenders.map((t) => (t.kind === 'card' ? { ...t, reference: 'AUTH42' } : t)),
  });
}

/** Puts a product in a category through the catalog's own save, as the back office does. */
async function categorise(productId: string, categoryName: string) {
  const category = await shop.ok<{ id: string }>('catalog.saveCategory', { name: categoryName });
  const { id, sku, name, barcodes, unit, price, taxClassId, cost, reorderPoint, active } = await shop.ok<Product>(
    'catalog.product',
    { id: productId },
  );
  await shop.ok('catalog.saveProduct', {
    id,
    sku,
    name,
    barcodes,
    unit,
    price,
    taxClassId,
    cost,
    reorderPoint,
    active,
    categoryId: category.id,
  });
}

/**
 * Monday 4 and Tuesday 5 March 2024 in Dublin (GMT, so local time = UTC):
 * A 10:00 Ada: 2 milk (3.98, VAT 5 % 0.19) + soap (2.75, VAT 20 % 0.46), cash → 6.73
 * B 14:30 Ada: bread (3.49, VAT 0.17), card
 * C 11:00 Tue, Max: 3 milk less a 0.97 sale discount → 5.00 (VAT 0.24), cash
 * R 12:00 Tue, Ada with Max's approval: 1 milk back from A, restocked → −1.99 (VAT −0.10), cash
 * D 15:00 Tue, Ada: soap 2.75 cash, voided 15:05 with Max's approval
 * Milk cost 1.20 when A was rung up and 1.40 by C (goods in at a new price); soap 1.50; bread unknown.
 */
async function ringUpTwoDays() {
  const { milk, bread, soap } = shop.products;
  signIn(shop.till, shop.manager);
  await categorise(milk, 'Dairy');
  await categorise(soap, 'Household');
  at('2024-03-04T09:15:00Z');
  await shop.ok('stock.receive', {
    supplier: 'Dairy Co',
    lines: [
      { productId: milk, quantity: 20_000, unitCost: 120 },
      { productId: soap, quantity: 10_000, unitCost: 150 },
    ],
  });
  signIn(shop.till, shop.cashier);
  at('2024-03-04T10:00:00Z');
  const a = await sell(
    [
      [milk, 2000],
      [soap, 1000],
    ],
    [{ kind: 'cash', amount: 1000 }],
  );
  at('2024-03-04T14:30:00Z');
  await sell([[bread, 1000]], [{ kind: 'card', amount: 349 }]);

  at('2024-03-05T08:00:00Z');
  signIn(shop.till, shop.manager);
  await shop.ok('stock.receive', { supplier: 'Dairy Co', lines: [{ productId: milk, quantity: 10_000, unitCost: 140 }] });
  at('2024-03-05T11:00:00Z');
  await sell([[milk, 3000]], [{ kind: 'cash', amount: 500 }], 97);
  signIn(shop.till, shop.cashier);
  at('2024-03-05T12:00:00Z');
  const milkLine = a.lines.find((l) => l.productId === milk);
  await shop.ok('sale.refund', {
    orderId: a.id,
    lines: [{ lineId: milkLine?.id, quantity: 1000 }],
    reason: 'Leaking carton',
    override: override(),
  });
  at('2024-03-05T15:00:00Z');
  const d = await sell([[soap, 1000]], [{ kind: 'cash', amount: 275 }]);
  at('2024-03-05T15:05:00Z');
  await shop.ok('sale.void', { orderId: d.id, reason: 'Rang up twice', override: override() });
  signIn(shop.till, shop.manager);
}

const dublin = { from: '2024-03-04', to: '2024-03-05', timeZone: 'Europe/Dublin' };

describe('the sales report', () => {
  it('counts sales, refunds and voids, tax, discounts and the average sale', async () => {
    openShop();
    await ringUpTwoDays();
    const report = await shop.ok<SalesReport>('reports.sales', dublin);
    expect(report.range).toMatchObject({ fromUtc: '2024-03-04T00:00:00.000Z', toUtc: '2024-03-06T00:00:00.000Z' });
    expect(report.totals).toEqual({
      sales: { count: 3, total: 673 + 349 + 500 },
      refunds: { count: 1, total: -199 },
      voids: { count: 1, total: 275 },
      net: 1522 - 199,
      tax: 19 + 46 + 17 + 24 - 10,
      discounts: 97,
      cashRounding: 0,
      averageSale: 507, // 1522 / 3 = 507.33
    });
    // 0.97 of 16.19 before discounts = 5.99 %
    expect(report.discounts).toEqual({ line: 0, order: 97, total: 97, discountedSales: 1, shareBp: 599 });
  });

  it('splits the money by day, hour and weekday of the shop', async () => {
    openShop();
    await ringUpTwoDays();
    const report = await shop.ok<SalesReport>('reports.sales', dublin);
    expect(report.byDay).toEqual([
      { day: '2024-03-04', sales: 2, salesTotal: 1022, refundsTotal: 0, net: 1022 },
      { day: '2024-03-05', sales: 1, salesTotal: 500, refundsTotal: -199, net: 301 },
    ]);
    const busy = report.byHour.filter((h) => h.sales > 0 || h.refundsTotal !== 0);
    expect(busy.map((h) => [h.hour, h.salesTotal, h.refundsTotal])).toEqual([
      [10, 673, 0],
      [11, 500, 0],
      [12, 0, -199],
      [14, 349, 0],
    ]);
    expect(report.byHour).toHaveLength(24);
    expect(report.byWeekday.map((w) => w.net)).toEqual([1022, 301, 0, 0, 0, 0, 0]);
  });

  it('gives each product and category its sales, revenue ex tax, cost and margin from the cost snapshots', async () => {
    openShop();
    await ringUpTwoDays();
    const report = await shop.ok<SalesReport>('reports.sales', dublin);
    // Milk: 2 + 3 − 1 = 4 sold; 3.98 + 5.00 − 1.99 = 6.99 with 0.19 + 0.24 − 0.10 = 0.33 VAT → 6.66 ex tax.
    // Cost 2 × 1.20 (A's snapshot) + 3 × 1.40 (C's) − 1 × 1.20 back on the shelf = 5.40 → margin 1.26.
    expect(report.byProduct).toEqual([
      {
        productId: shop.products.milk,
        sku: 'MILK-1L',
        name: 'Oat Milk 1L',
        unit: 'each',
        category: 'Dairy',
        quantity: 4000,
        sales: 699,
        revenue: 666,
        costedRevenue: 666,
        cost: 540,
        margin: 126,
      },
      expect.objectContaining({ sku: 'BREAD-800', quantity: 1000, sales: 349, revenue: 332, cost: null, margin: null }),
      expect.objectContaining({ sku: 'SOAP-250', quantity: 1000, sales: 275, revenue: 229, cost: 150, margin: 79 }),
    ]);
    expect(report.productCount).toBe(3);
    expect(report.byCategory.map((c) => [c.category, c.sales, c.margin])).toEqual([
      ['Dairy', 699, 126],
      [null, 349, null],
      ['Household', 275, 79],
    ]);
    // Margin over the costed lines only: (6.66 + 2.29) − (5.40 + 1.50) = 2.05 of 8.95 = 22.91 %.
    expect(report.margin).toEqual({
      sales: 1323,
      revenue: 1227,
      costedRevenue: 895,
      cost: 690,
      margin: 205,
      marginBp: 2291,
      revenueWithoutCost: 332,
    });
  });

  it('reports cashiers, tenders, tax per rate, and each refund and void with who approved it and why', async () => {
    openShop();
    await ringUpTwoDays();
    const report = await shop.ok<SalesReport>('reports.sales', dublin);
    expect(report.byCashier).toEqual([
      {
        staffId: shop.cashier,
        name: 'Ada Cashier',
        sales: { count: 2, total: 1022 },
        refunds: { count: 1, total: -199 },
        voids: { count: 1, total: 275 },
        net: 823,
        averageSale: 511,
      },
      {
        staffId: shop.manager,
        name: 'Max Manager',
        sales: { count: 1, total: 500 },
        refunds: { count: 0, total: 0 },
        voids: { count: 0, total: 0 },
        net: 500,
        averageSale: 500,
      },
    ]);
    expect(report.tenders).toEqual([
      { kind: 'cash', count: 2, sales: 1173, refunds: -199, net: 974 },
      { kind: 'card', count: 1, sales: 349, refunds: 0, net: 349 },
    ]);
    expect(report.tax).toEqual([
      { rateBp: 500, gross: 398 + 349 + 500 - 199, tax: 19 + 17 + 24 - 10, taxable: 1048 - 50 },
      { rateBp: 2000, gross: 275, tax: 46, taxable: 229 },
    ]);
    expect(report.refundsAndVoids).toEqual([
      expect.objectContaining({
        number: 'T01-000005',
        kind: 'void',
        at: '2024-03-05T15:05:00.000Z',
        staffName: 'Ada Cashier',
        approvedBy: 'Max Manager',
        total: 275,
        reason: 'Rang up twice',
      }),
      expect.objectContaining({
        number: 'T01-000004',
        kind: 'refund',
        at: '2024-03-05T12:00:00.000Z',
        staffName: 'Ada Cashier',
        approvedBy: 'Max Manager',
        total: -199,
        reason: 'Leaking carton',
      }),
    ]);
  });

  it('keeps to the range: one day alone holds only its own orders', async () => {
    openShop();
    await ringUpTwoDays();
    const monday = await shop.ok<SalesReport>('reports.sales', { ...dublin, to: '2024-03-04' });
    expect(monday.totals.sales).toEqual({ count: 2, total: 1022 });
    expect(monday.totals.refunds).toEqual({ count: 0, total: 0 });
    expect(monday.totals.voids).toEqual({ count: 0, total: 0 });
    expect(monday.byDay.map((d) => d.day)).toEqual(['2024-03-04']);
    const later = await shop.ok<SalesReport>('reports.sales', { ...dublin, from: '2024-03-06', to: '2024-03-10' });
    expect(later.totals.net).toBe(0);
    expect(later.byDay).toHaveLength(5);
    expect(later.byProduct).toEqual([]);
    expect(later.margin.marginBp).toBeNull();
  });

  it('uses the shop’s own days and hours, daylight saving included', async () => {
    openShop();
    const { milk } = shop.products;
    // Dublin on 31 March 2024: GMT until 01:00 UTC, then IST (UTC+1).
    at('2024-03-31T00:30:00Z'); // 00:30 local
    await sell([[milk, 1000]], [{ kind: 'cash', amount: 199 }]);
    at('2024-03-31T01:30:00Z'); // 02:30 local
    await sell([[milk, 1000]], [{ kind: 'cash', amount: 199 }]);
    at('2024-07-01T23:30:00Z'); // 00:30 on 2 July in Dublin, 19:30 on 1 July in New York
    await sell([[milk, 1000]], [{ kind: 'cash', amount: 199 }]);
    signIn(shop.till, shop.manager);

    const spring = await shop.ok<SalesReport>('reports.sales', {
      from: '2024-03-31',
      to: '2024-03-31',
      timeZone: 'Europe/Dublin',
    });
    expect(spring.byHour.filter((h) => h.sales > 0).map((h) => h.hour)).toEqual([0, 2]);
    expect(spring.range.toUtc).toBe('2024-03-31T23:00:00.000Z'); // the day was 23 hours long

    const july = (timeZone: string, day: string) =>
      shop.ok<SalesReport>('reports.sales', { from: day, to: day, timeZone }).then((r) => r.byHour.findIndex((h) => h.sales > 0));
    expect(await july('Europe/Dublin', '2024-07-01')).toBe(-1);
    expect(await july('Europe/Dublin', '2024-07-02')).toBe(0);
    expect(await july('America/New_York', '2024-07-01')).toBe(19);
    const newYork = await shop.ok<SalesReport>('reports.sales', {
      from: '2024-07-01',
      to: '2024-07-01',
      timeZone: 'America/New_York',
    });
    expect(newYork.byWeekday.map((w) => w.sales)).toEqual([1, 0, 0, 0, 0, 0, 0]); // a Monday there
  });

  it('exports each table as CSV with money in major units', async () => {
    openShop();
    await ringUpTwoDays();
    const products = await shop.ok<{ csv: string; fileName: string }>('reports.exportCsv', { ...dublin, table: 'products' });
    expect(products.fileName).toBe('products-2024-03-04-to-2024-03-05.csv');
    expect(products.csv.split('\r\n')).toEqual([
      'sku,name,category,quantity,sales,revenue_ex_tax,cost,margin',
      'MILK-1L,Oat Milk 1L,Dairy,4,6.99,6.66,5.40,1.26',
      'BREAD-800,Sourdough Loaf 800g,,1,3.49,3.32,,',
      'SOAP-250,Hand Soap 250ml,Household,1,2.75,2.29,1.50,0.79',
    ]);
    const tenders = await shop.ok<{ csv: string }>('reports.exportCsv', { ...dublin, table: 'tenders' });
    expect(tenders.csv.split('\r\n')).toEqual([
      'tender,payments,sales,refunds,net',
      'cash,2,11.73,-1.99,9.74',
      'card,1,3.49,0.00,3.49',
    ]);
    const voids = await shop.ok<{ csv: string }>('reports.exportCsv', { ...dublin, table: 'refunds_voids' });
    expect(voids.csv.split('\r\n')[1]).toBe(
      'T01-000005,void,2024-03-05T15:05:00.000Z,Ada Cashier,Max Manager,2.75,Rang up twice',
    );
  });

  it('refuses a reversed or over-long range, an unknown time zone, and anyone below a manager', async () => {
    openShop();
    signIn(shop.till, shop.manager);
    expect((await shop.fails('reports.sales', { ...dublin, from: '2024-03-06' })).reason).toBe('report_range_reversed');
    const long = await shop.fails('reports.sales', { ...dublin, from: '2023-01-01', to: '2024-03-01' });
    expect(long).toMatchObject({ reason: 'report_range_too_long', params: { days: 366 } });
    expect((await shop.fails('reports.sales', { ...dublin, timeZone: 'Mars/Olympus' })).code).toBe('invalid_input');
    expect((await shop.fails('reports.sales', { ...dublin, from: '4 March' })).code).toBe('invalid_input');
    expect((await shop.fails('reports.exportCsv', { ...dublin, table: 'everything' })).code).toBe('invalid_input');
    signIn(shop.till, shop.cashier);
    expect((await shop.fails('reports.sales', dublin)).reason).toBe('needs_role');
  });
});

describe('reorder suggestions', () => {
  it('fits a trend to each product’s daily sales and orders enough for the lead time and the reorder point', async () => {
    openShop();
    const { milk, soap } = shop.products;
    signIn(shop.till, shop.manager);
    const product = await shop.ok<Product>('catalog.product', { id: milk });
    const { onHand: _, updatedAt: __, ...record } = product;
    await shop.ok('catalog.saveProduct', { ...record, reorderPoint: 10_000 });
    const soapRecord = await shop.ok<Product>('catalog.product', { id: soap });
    const { onHand: ___, updatedAt: ____, ...soapFields } = soapRecord;
    await shop.ok('catalog.saveProduct', { ...soapFields, reorderPoint: 5000 });
    await shop.ok('stock.receive', { supplier: 'Dairy Co', lines: [{ productId: milk, quantity: 40_000, unitCost: 120 }] });
    signIn(shop.till, shop.cashier);
    // 5 to 11 March: 1, 2, … 7 milk a day (one sale each), so the line is y = 1 + x.
    for (let day = 0; day < 7; day++) {
      at(`2024-03-${String(5 + day).padStart(2, '0')}T12:00:00Z`);
      await sell([[milk, (day + 1) * 1000]], [{ kind: 'card', amount: 199 * (day + 1) }]);
    }
    at('2024-03-12T09:00:00Z'); // today: its own sales are not history yet
    await sell([[milk, 1000]], [{ kind: 'card', amount: 199 }]);
    signIn(shop.till, shop.manager);

    const report = await shop.ok<ReorderReport>('reports.reorder', { historyDays: 7, leadDays: 3, timeZone: 'Europe/Dublin' });
    expect(report).toMatchObject({ historyFrom: '2024-03-05', historyTo: '2024-03-11', leadDays: 3, total: 2 });
    // Forecast 8, 9, 10 over the lead time = 27; on hand 40 − 28 − 1 = 11; order 10 + 27 − 11 = 26.
    expect(report.rows[0]).toEqual({
      productId: milk,
      sku: 'MILK-1L',
      name: 'Oat Milk 1L',
      unit: 'each',
      onHand: 11_000,
      reorderPoint: 10_000,
      sold: 28_000,
      trend: 1000,
      dailyNow: 8000,
      demand: 27_000,
      quantity: 26_000,
      coverDays: 11 / 8,
      cost: 120,
      value: 26 * 120,
    });
    // Soap never sold and has none: brought up to its reorder point of 5.
    expect(report.rows[1]).toMatchObject({ sku: 'SOAP-250', onHand: 0, sold: 0, demand: 0, quantity: 5000, cost: null });

    const csv = await shop.ok<{ csv: string; fileName: string }>('reports.reorderCsv', {
      historyDays: 7,
      leadDays: 3,
      timeZone: 'Europe/Dublin',
    });
    expect(csv.fileName).toBe('reorder-2024-03-12.csv');
    expect(csv.csv.split('\r\n')[1]).toBe('MILK-1L,Oat Milk 1L,11,10,28,1,8,27,26,1.20,31.20');

    const longer = await shop.ok<ReorderReport>('reports.reorder', { historyDays: 7, leadDays: 10, timeZone: 'Europe/Dublin' });
    // 8 + 9 + … + 17 = 125 → 10 + 125 − 11 = 124.
    expect(longer.rows[0]?.quantity).toBe(124_000);
  });
});

describe('time zone spans', () => {
  it('cut a range where daylight saving starts, to the minute', () => {
    const from = Date.parse('2024-03-30T00:00:00Z');
    const to = Date.parse('2024-04-01T00:00:00Z');
    expect(offsetSpans(from, to, 'Europe/Dublin')).toEqual([
      { from, to: Date.parse('2024-03-31T01:00:00Z'), offsetMinutes: 0 },
      { from: Date.parse('2024-03-31T01:00:00Z'), to, offsetMinutes: 60 },
    ]);
    expect(offsetSpans(from, to, 'Asia/Kathmandu')).toEqual([{ from, to, offsetMinutes: 345 }]);
  });
});
