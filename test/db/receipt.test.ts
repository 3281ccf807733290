import { afterEach, describe, expect, it } from 'vitest';
import { writeSettings } from '../../db/settings.ts';
import { formatMoney } from '../../shared/money.ts';
import { buildReceipt, type Receipt, receiptLayout } from '../../shared/receipt.ts';
import type { Order } from '../../shared/sale.ts';
import { addProduct, addTaxClass, makeShop, signIn } from '../support/till.ts';

type Shop = ReturnType<typeof makeShop>;
let shop: Shop;
afterEach(() => shop?.close());

const at = new Date('2025-03-14T09:26:53.000Z');

/** The figures every receipt must satisfy, whatever the shop. */
function expectAddsUp(r: Receipt): void {
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  expect(sum(r.lines.map((l) => l.total))).toBe(r.total);
  expect(r.subtotal - r.discountTotal + (r.taxMode === 'exclusive' ? r.taxTotal : 0)).toBe(r.total);
  expect(sum(r.taxes.map((t) => t.gross))).toBe(r.total);
  expect(sum(r.taxes.map((t) => t.tax))).toBe(r.taxTotal);
  for (const t of r.taxes) expect(t.net + t.tax).toBe(t.gross);
  expect(r.due).toBe(r.total + r.cashRounding);
  expect(r.paid - r.change).toBe(r.due);
}

describe('the receipt model', () => {
  it('an inclusive shop: shelf prices, line and sale discounts, tax by rate, cash and change', async () => {
    shop = makeShop({ now: () => at });
    await shop.ok('sale.scan', { code: '4006381333931' });
    await shop.ok('sale.scan', { code: '4006381333931' });
    const withSoap = await shop.ok<Order>('sale.addItem', { productId: shop.products.soap });
    await shop.ok('sale.addItem', { productId: shop.products.apples, quantity: 1250 });
    const soapLine = withSoap.lines.find((l) => l.sku === 'SOAP-250');
    await shop.ok('sale.updateLine', { lineId: soapLine?.id, lineDiscount: 25 });
    await shop.ok('sale.setOrderDiscount', { amount: 50 });
    const sale = await shop.ok<Order>('sale.complete', { tenders: [{ kind: 'cash', amount: 2000 }] });

    const r = buildReceipt(sale, shop.till.settings(), { timeZone: 'UTC' });
    // Milk 2 × 1.99, soap 2.75 less 0.25, apples 1.25 kg × 2.99 = 3.7375 → 3.74.
    expect(r.lines.map((l) => [l.name, l.amount, l.lineDiscount])).toEqual([
      ['Oat Milk 1L', 398, 0],
      ['Hand Soap 250ml', 275, 25],
      ['Apples (kg)', 374, 0],
    ]);
    expect(r.subtotal).toBe(1047);
    expect(r.lineDiscounts).toBe(25);
    // The 0.50 sale discount over 3.98 : 2.50 : 3.74 by largest remainder → 0.20, 0.12, 0.18.
    expect(r.lines.map((l) => l.orderDiscount)).toEqual([20, 12, 18]);
    expect(r.orderDiscount).toBe(50);
    expect(r.total).toBe(972);
    // Tax inside each line: 3.78 × 5/105 = 0.18; 2.38 × 20/120 = 0.397 → 0.40; 3.56 × 5/105 = 0.1695 → 0.17.
    expect(r.taxes).toEqual([
      { code: 'A', rateBp: 500, net: 734 - 35, tax: 35, gross: 734 },
      { code: 'B', rateBp: 2000, net: 198, tax: 40, gross: 238 },
    ]);
    expect(r.lines.map((l) => l.taxCode)).toEqual(['A', 'B', 'A']);
    expect(r.taxTotal).toBe(75);
    expect(r.tenders).toEqual([{ kind: 'cash', amount: 972, tendered: 2000, change: 1028, reference: null }]);
    expect(r.change).toBe(1028);
    expect(r.itemCount).toBe(4); // two milk, one soap, one weighed line
    expect(r.number).toBe('T01-000001');
    expect(r.cashier).toBe('Ada Cashier');
    expect(r.shopName).toBe('Corner Shop');
    expect(r.copy).toBe(false);
    expectAddsUp(r);

    const layout = receiptLayout(r);
    const euro = (minor: number) => formatMoney(minor, 'EUR', 'en-IE');
    expect(layout.items.map((i) => [i.detail, i.amount])).toEqual([
      [`2 × ${euro(199)}`, euro(398)],
      [null, euro(275)],
      [`1.250 kg × ${euro(299)}/kg`, euro(374)],
    ]);
    expect(layout.items[1]?.discount).toEqual({ label: 'Discount', value: euro(-25) });
    expect(layout.totals).toEqual([
      { label: 'Items', value: '4' },
      { label: 'Subtotal', value: euro(1047) },
      { label: 'Line discounts', value: euro(-25) },
      { label: 'Sale discount', value: euro(-50) },
      { label: 'TOTAL', value: euro(972), strong: true },
    ]);
    expect(layout.tenders).toEqual([
      { label: 'Cash', value: euro(2000) },
      { label: 'Change', value: euro(1028), strong: true },
    ]);
    expect(layout.taxRows).toEqual([
      ['A 5%', '6.99', '0.35', '7.34'],
      ['B 20%', '1.98', '0.40', '2.38'],
    ]);
    expect(layout.meta).toContainEqual({ label: 'Date', value: '14/03/2025, 09:26' });
    expect(layout.barcode).toBe('T01-000001');
  });

  it('an exclusive shop: tax added under the subtotal, split card + cash with cash rounding', async () => {
    shop = makeShop({ taxMode: 'exclusive', cashRoundingStep: 5, now: () => at });
    await shop.ok('sale.addItem', { productId: shop.products.milk });
    await shop.ok('sale.addItem', { productId: shop.products.soap });
    const sale = await shop.ok<Order>('sale.complete', {
      tenders: [
        { kind: 'card', amount: 300, reference: 'AUTH42' },
        { kind: 'cash', amount: 500 },
      ],
    });
    const r = buildReceipt(sale, shop.till.settings(), { timeZone: 'UTC' });
    // Net shelf prices; tax on top: 1.99 × 5% = 0.0995 → 0.10, 2.75 × 20% = 0.55.
    expect(r.lines.map((l) => [l.amount, l.tax, l.total])).toEqual([
      [199, 10, 209],
      [275, 55, 330],
    ]);
    expect(r.subtotal).toBe(474);
    expect(r.taxTotal).toBe(65);
    expect(r.total).toBe(539);
    // Card pays 3.00, cash owes 2.39 → rounded to the 0.05 step: 2.40.
    expect(r.cashRounding).toBe(1);
    expect(r.due).toBe(540);
    expect(r.tenders.map((t) => [t.kind, t.amount, t.tendered, t.change, t.reference])).toEqual([
      ['card', 300, null, 0, 'AUTH42'],
      ['cash', 240, 500, 260, null],
    ]);
    expect(r.paid).toBe(800);
    expect(r.change).toBe(260);
    expect(r.taxes).toEqual([
      { code: 'A', rateBp: 500, net: 199, tax: 10, gross: 209 },
      { code: 'B', rateBp: 2000, net: 275, tax: 55, gross: 330 },
    ]);
    expectAddsUp(r);

    const euro = (minor: number) => formatMoney(minor, 'EUR', 'en-IE');
    const layout = receiptLayout(r);
    expect(layout.totals).toEqual([
      { label: 'Items', value: '2' },
      { label: 'Subtotal', value: euro(474) },
      { label: 'Tax', value: euro(65) },
      { label: 'TOTAL', value: euro(539), strong: true },
      { label: 'Cash rounding', value: euro(1) },
      { label: 'To pay', value: euro(540), strong: true },
    ]);
    expect(layout.tenders).toEqual([
      { label: 'Card AUTH42', value: euro(300) },
      { label: 'Cash', value: euro(500) },
      { label: 'Change', value: euro(260), strong: true },
    ]);
  });

  it('a refund receipt: its own number, the sale it belongs to, money going back', async () => {
    shop = makeShop({ now: () => at });
    await shop.ok('sale.scan', { code: '4006381333931' });
    await shop.ok('sale.scan', { code: '4006381333931' });
    await shop.ok('sale.addItem', { productId: shop.products.soap });
    await shop.ok('sale.setOrderDiscount', { amount: 30 });
    const sale = await shop.ok<Order>('sale.complete', { tenders: [{ kind: 'cash', amount: 1000 }] });
    const milk = sale.lines.find((l) => l.sku === 'MILK-1L');
    const refund = await shop.ok<Order>('sale.refund', {
      orderId: sale.id,
      lines: [{ lineId: milk?.id, quantity: 1000 }],
      reason: 'Leaking carton',
      override: { staffId: shop.manager, pin: '2222' },
    });

    const r = await shop.ok<Receipt>('receipt.get', { orderId: refund.id });
    expect(r.kind).toBe('refund');
    expect(r.number).toBe('T01-000002');
    expect(r.originalNumber).toBe('T01-000001');
    // Half of what the milk line came to after its share of the discount, never the shelf price.
    const half = Math.round((milk?.total ?? 0) / 2);
    expect(half).toBeLessThan(199);
    expect(r.lines).toEqual([expect.objectContaining({ name: 'Oat Milk 1L', quantity: 1000, amount: -half, total: -half })]);
    expect(r.total).toBe(-half);
    expect(r.tenders).toEqual([expect.objectContaining({ kind: 'cash', amount: -half, change: 0 })]);
    expect(r.taxes).toHaveLength(1);
    expect(r.taxes[0]?.gross).toBe(-half);
    expect(r.taxes[0]?.tax).toBe(-Math.round((milk?.tax ?? 0) / 2));
    expectAddsUp(r);

    const layout = receiptLayout(r);
    expect(layout.title).toBe('Refund');
    expect(layout.meta).toContainEqual({ label: 'Refund of', value: 'T01-000001' });
    expect(layout.totals.at(-1)).toEqual({ label: 'REFUND TOTAL', value: formatMoney(-half, 'EUR', 'en-IE'), strong: true });
  });

  it('yen: no decimals anywhere, Japanese formatting, 8% and 10% inclusive', async () => {
    shop = makeShop({ now: () => at });
    writeSettings(shop.till.store, {
      currency: 'JPY',
      locale: 'ja-JP',
      shopName: '角の店',
      receiptFooter: 'ありがとう\nまたどうぞ',
    });
    const food = addTaxClass(shop.till, 800);
    const standard = addTaxClass(shop.till, 1000);
    const onigiri = addProduct(shop.till, { sku: 'ONI', name: 'Onigiri', price: 150, taxClassId: food });
    const umbrella = addProduct(shop.till, { sku: 'UMB', name: 'Umbrella', price: 1100, taxClassId: standard });
    await shop.ok('sale.addItem', { productId: onigiri, quantity: 3000 });
    await shop.ok('sale.addItem', { productId: umbrella });
    const sale = await shop.ok<Order>('sale.complete', { tenders: [{ kind: 'cash', amount: 2000 }] });
    const r = buildReceipt(sale, shop.till.settings(), { timeZone: 'Asia/Tokyo' });
    // 3 × ¥150 = ¥450 with 450 × 8/108 = 33.3 → ¥33 inside; ¥1,100 with 100 inside.
    expect(r.taxes).toEqual([
      { code: 'A', rateBp: 800, net: 417, tax: 33, gross: 450 },
      { code: 'B', rateBp: 1000, net: 1000, tax: 100, gross: 1100 },
    ]);
    expect(r.total).toBe(1550);
    expect(r.change).toBe(450);
    expect(r.footer).toEqual(['ありがとう', 'またどうぞ']);
    expectAddsUp(r);

    const layout = receiptLayout(r);
    const yen = (minor: number) => formatMoney(minor, 'JPY', 'ja-JP');
    expect(yen(1550)).toMatch(/1,550$/);
    expect(layout.totals.find((row) => row.strong)?.value).toBe(yen(1550));
    expect(layout.taxRows).toEqual([
      ['A 8%', '417', '33', '450'],
      ['B 10%', '1,000', '100', '1,100'],
    ]);
    for (const row of [...layout.totals, ...layout.tenders]) expect(row.value).not.toMatch(/\d[.,]\d{2}$/);
    // 18:26 in Tokyo: the shop's zone, the shop's way of writing a date.
    expect(layout.meta).toContainEqual({ label: 'Date', value: '2025/03/14 18:26' });
    expect(layout.header).toEqual(['角の店']);
  });

  it('a copy is marked and on record; only finished orders have receipts; bad input is refused', async () => {
    shop = makeShop({ now: () => at });
    await shop.ok('sale.addItem', { productId: shop.products.bread });
    const open = await shop.ok<Order>('sale.current', {});
    expect((await shop.fails('receipt.get', { orderId: open.id })).reason).toBe('no_receipt_yet');
    const sale = await shop.ok<Order>('sale.complete', { tenders: [{ kind: 'cash', amount: 349 }] });

    const copy = await shop.ok<Receipt>('receipt.get', { orderId: sale.id, copy: true });
    expect(receiptLayout(copy).marks).toEqual(['COPY']);
    const audits = () =>
      (shop.till.db.prepare("SELECT count(*) AS n FROM audit WHERE action = 'receipt.copy'").get() as { n: number }).n;
    // The system printer in browser mode: the page prints it, the store only says so.
    expect(await shop.ok('receipt.print', { orderId: sale.id, copy: true })).toEqual({ printed: false, fallback: 'browser' });
    expect(audits()).toBe(1);
    expect(await shop.ok('receipt.print', { orderId: sale.id })).toEqual({ printed: false, fallback: 'browser' });
    expect(audits()).toBe(1);

    expect((await shop.fails('receipt.get', { orderId: 'no-such-order' })).reason).toBe('unknown_order');
    expect((await shop.fails('receipt.get', { orderId: sale.id, extra: 1 })).code).toBe('invalid_input');
    expect((await shop.fails('receipt.print', { orderId: '' })).code).toBe('invalid_input');
    expect((await shop.fails('receipt.print', { orderId: sale.id, copy: 'yes' })).code).toBe('invalid_input');
    shop.till.session.staffId = null;
    expect((await shop.fails('receipt.get', { orderId: sale.id })).code).toBe('unauthorized');
    signIn(shop.till, shop.cashier);
    expect(receiptLayout(await shop.ok<Receipt>('receipt.get', { orderId: sale.id })).marks).toEqual([]);
  });
});
