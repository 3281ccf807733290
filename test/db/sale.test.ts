import { afterEach, describe, expect, it } from 'vitest';
import { scaleLabel } from '../../db/catalog-generator.ts';
import { checkLedger } from '../../db/stock.ts';
import type { Order } from '../../shared/sale.ts';
import { makeShop, makeTill, signIn } from '../support/till.ts';

type Shop = ReturnType<typeof makeShop>;
let shop: Shop;
afterEach(() => shop?.close());

function counts(s: Shop) {
  const n = (table: string) => (s.till.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  return {
    orders: n('orders'),
    lines: n('order_line'),
    tenders: n('tender'),
    movements: n('stock_movement'),
    outbox: n('outbox'),
    audit: n('audit'),
  };
}

function onHand(s: Shop, productId: string): number {
  const row = s.till.db.prepare("SELECT on_hand FROM stock_level WHERE product_id = ? AND location_id = 'shop'").get(productId) as
    | { on_hand: number }
    | undefined;
  return row?.on_hand ?? 0;
}

describe('ringing up a sale', () => {
  it('adds scanned items, merges repeats, prices with tax and completes in one transaction', async () => {
    shop = makeShop();
    await shop.ok('sale.scan', { code: '4006381333931' });
    await shop.ok('sale.scan', { code: '4006381333931' });
    await shop.ok('sale.addItem', { productId: shop.products.soap });
    const order = await shop.ok<Order>('sale.addItem', { productId: shop.products.apples, quantity: 1250 });
    expect(order.lines.map((l) => [l.sku, l.quantity])).toEqual([
      ['MILK-1L', 2000],
      ['SOAP-250', 1000],
      ['APPLE-KG', 1250],
    ]);
    // 2 × 1.99 + 2.75 + 1.25 kg × 2.99 (3.7375 → 3.74) = 10.47, tax included.
    expect(order.total).toBe(398 + 275 + 374);
    // Inclusive VAT per line: 398×5/105 = 18.95 → 19; 275×20/120 = 45.83 → 46; 374×5/105 = 17.8 → 18.
    expect(order.lines.map((l) => l.tax)).toEqual([19, 46, 18]);
    expect(order.taxTotal).toBe(83);

    const before = counts(shop);
    const done = await shop.ok<Order>('sale.complete', { tenders: [{ kind: 'cash', amount: 2000 }] });
    expect(done.state).toBe('completed');
    expect(done.number).toBe('T01-000001');
    expect(done.tenders).toEqual([expect.objectContaining({ kind: 'cash', amount: 1047, tendered: 2000, change: 953 })]);
    const after = counts(shop);
    expect(after).toEqual({ ...before, tenders: 1, movements: 3, outbox: 1, audit: 1 });
    expect(onHand(shop, shop.products.milk)).toBe(-2000);
    expect(onHand(shop, shop.products.apples)).toBe(-1250);
    expect(checkLedger(shop.till)).toEqual([]);
    const op = shop.till.db.prepare('SELECT type, payload FROM outbox').get() as { type: string; payload: string };
    expect(op.type).toBe('sale.completed');
    expect(JSON.parse(op.payload).order.number).toBe('T01-000001');
  });

  it('refuses bad quantities and unknown products with specific errors and writes nothing', async () => {
    shop = makeShop();
    await shop.ok('sale.addItem', { productId: shop.products.bread });
    const before = counts(shop);
    expect((await shop.fails('sale.addItem', { productId: shop.products.bread, quantity: -1000 })).code).toBe('invalid_input');
    expect((await shop.fails('sale.addItem', { productId: shop.products.bread, quantity: 1.5 })).code).toBe('invalid_input');
    expect((await shop.fails('sale.addItem', { productId: shop.products.bread, quantity: Number.NaN })).code).toBe(
      'invalid_input',
    );
    expect((await shop.fails('sale.addItem', { productId: shop.products.bread, quantity: 1500 })).reason).toBe(
      'whole_units_only',
    );
    expect((await shop.fails('sale.addItem', { productId: shop.products.apples })).reason).toBe('weight_required');
    expect((await shop.fails('sale.addItem', { productId: 'nope' })).reason).toBe('unknown_product');
    expect((await shop.fails('sale.addItem', { productId: shop.products.bread, unitPrice: 1e300 })).code).toBe('invalid_input');
    expect((await shop.fails('sale.scan', { code: '0000000000000' })).reason).toBe('unknown_barcode');
    expect((await shop.fails('sale.addItem', { productId: shop.products.bread, extra: 1 })).code).toBe('invalid_input');
    expect(counts(shop)).toEqual(before);
  });

  it('refuses a short tender, a card without approval code and a sale with no shift, writing nothing', async () => {
    shop = makeShop();
    await shop.ok('sale.addItem', { productId: shop.products.soap });
    const before = counts(shop);
    const short = await shop.fails('sale.complete', { tenders: [{ kind: 'cash', amount: 200 }] });
    expect(short).toMatchObject({ code: 'rejected', reason: 'tender_short', params: { short: 75 } });
    expect((await shop.fails('sale.complete', { tenders: [{ kind: 'card', amount: 275 }] })).reason).toBe(
      'card_reference_required',
    );
    shop.till.db.prepare('UPDATE shift SET closed_at = ?').run(new Date().toISOString());
    expect((await shop.fails('sale.complete', { tenders: [{ kind: 'cash', amount: 300 }] })).reason).toBe('no_open_shift');
    expect(counts(shop)).toEqual(before);
    expect((await shop.ok<Order | null>('sale.current', {}))?.state).toBe('open');
  });

  it('splits cash and card, rounding only the cash part', async () => {
    shop = makeShop({ cashRoundingStep: 5 });
    await shop.ok('sale.addItem', { productId: shop.products.milk, quantity: 3000 }); // 5.97
    const done = await shop.ok<Order>('sale.complete', {
      tenders: [
        { kind: 'card', amount: 300, reference: 'AUTH123' },
        { kind: 'cash', amount: 500 },
      ],
    });
    // Card pays 3.00 exactly; cash owes 2.97 → 2.95; change 2.05.
    expect(done.cashRounding).toBe(-2);
    expect(done.tenders.map((t) => [t.kind, t.amount, t.change])).toEqual([
      ['card', 300, 0],
      ['cash', 295, 205],
    ]);
    expect(done.tenders.reduce((s, t) => s + t.amount, 0)).toBe(done.total + done.cashRounding);
  });
});

describe('what completing a sale returns and writes', () => {
  it('returns the order exactly as the store reads it back, and syncs the same order and movements', async () => {
    shop = makeShop({ cashRoundingStep: 5 });
    await shop.ok('sale.addItem', { productId: shop.products.milk, quantity: 2000 });
    await shop.ok('sale.addItem', { productId: shop.products.apples, quantity: 1250 });
    await shop.ok('sale.addItem', { productId: shop.products.soap });
    await shop.ok('sale.setOrderDiscount', { amount: 7 });
    const done = await shop.ok<Order>('sale.complete', {
      tenders: [
        { kind: 'card', amount: 400, reference: 'AUTH9' },
        { kind: 'cash', amount: 1000 },
      ],
    });
    expect(done).toMatchObject({ state: 'completed', number: 'T01-000001', shiftId: shop.shift, related: [] });
    expect(done.tenders.map((t) => t.kind)).toEqual(['card', 'cash']);
    expect(done.lines.every((l) => l.refundedQuantity === 0)).toBe(true);
    expect(await shop.ok<Order>('sale.order', { id: done.id })).toEqual(done);
    const op = shop.till.db.prepare("SELECT payload FROM outbox WHERE type = 'sale.completed'").get() as { payload: string };
    const payload = JSON.parse(op.payload) as { order: Order; movements: { id: string; productId: string; quantity: number }[] };
    const { related: _, ...withoutRelated } = done;
    expect(payload.order).toEqual(withoutRelated);
    const ledger = shop.till.db
      .prepare('SELECT id, product_id AS productId, quantity FROM stock_movement WHERE order_id = ? ORDER BY rowid')
      .all(done.id);
    expect(payload.movements.map((m) => ({ id: m.id, productId: m.productId, quantity: m.quantity }))).toEqual(ledger);
    expect(ledger).toEqual(done.lines.map((l) => ({ id: expect.any(String), productId: l.productId, quantity: -l.quantity })));
  });

  it('writes a sale of more lines than one statement holds, the same product on several lines', async () => {
    shop = makeShop();
    const { milk, bread, soap } = shop.products;
    const rotation = [milk, bread, soap];
    // Neighbours differ, so no scan merges into the line before: 40 lines, each product on 13 or 14.
    for (let i = 0; i < 40; i++) await shop.ok('sale.addItem', { productId: rotation[i % 3], quantity: 1000 * (1 + (i % 2)) });
    const before = counts(shop);
    const order = await shop.ok<Order>('sale.current', {});
    const done = await shop.ok<Order>('sale.complete', { tenders: [{ kind: 'cash', amount: order.total }] });
    expect(done.lines).toHaveLength(40);
    expect(counts(shop)).toEqual({ ...before, tenders: 1, movements: 40, outbox: 1, audit: 1 });
    for (const productId of rotation) {
      const sold = done.lines.filter((l) => l.productId === productId).reduce((sum, l) => sum + l.quantity, 0);
      expect(onHand(shop, productId)).toBe(-sold);
    }
    expect(checkLedger(shop.till)).toEqual([]);
    expect(await shop.ok<Order>('sale.order', { id: done.id })).toEqual(done);
  });
});

describe('discounts and overrides', () => {
  it('lets a cashier discount within the limit, needs a manager beyond it, and audits the override', async () => {
    shop = makeShop();
    const order = await shop.ok<Order>('sale.addItem', { productId: shop.products.soap, quantity: 4000 }); // 11.00
    const line = order.lines[0]?.id;
    const small = await shop.ok<Order>('sale.updateLine', { lineId: line, lineDiscount: 110 }); // 10%
    expect(small.total).toBe(990);
    const before = counts(shop);
    const refused = await shop.fails('sale.updateLine', { lineId: line, lineDiscount: 200 });
    expect(refused).toMatchObject({ code: 'forbidden', reason: 'needs_manager' });
    const wrong = await shop.fails('sale.updateLine', {
      lineId: line,
      lineDiscount: 200,
      override: { staffId: shop.manager, pin: '9999' },
    });
    expect(wrong.reason).toBe('wrong_pin');
    expect({ ...counts(shop) }).toEqual(before);
    const allowed = await shop.ok<Order>('sale.updateLine', {
      lineId: line,
      lineDiscount: 200,
      override: { staffId: shop.manager, pin: '2222' },
    });
    expect(allowed.total).toBe(900);
    const audit = shop.till.db.prepare("SELECT staff_id, approved_by FROM audit WHERE action = 'sale.line_discount'").get();
    expect(audit).toEqual({ staff_id: shop.cashier, approved_by: shop.manager });
  });

  it('spreads an order discount over lines exactly and overrides prices only with a manager', async () => {
    shop = makeShop();
    await shop.ok('sale.addItem', { productId: shop.products.milk });
    await shop.ok('sale.addItem', { productId: shop.products.bread });
    const order = await shop.ok<Order>('sale.addItem', { productId: shop.products.soap });
    const discounted = await shop.ok<Order>('sale.setOrderDiscount', { amount: 50 });
    expect(discounted.lines.reduce((s, l) => s + l.orderDiscount, 0)).toBe(50);
    expect(discounted.total).toBe(order.total - 50);
    expect(discounted.lines.reduce((s, l) => s + l.total, 0)).toBe(discounted.total);
    const soapLine = order.lines[2]?.id;
    expect((await shop.fails('sale.updateLine', { lineId: soapLine, unitPrice: 100 })).reason).toBe('needs_manager');
    const overridden = await shop.ok<Order>('sale.updateLine', {
      lineId: soapLine,
      unitPrice: 100,
      override: { staffId: shop.manager, pin: '2222' },
    });
    expect(overridden.lines[2]).toMatchObject({ unitPrice: 100, priceOverridden: true });
  });
});

describe('parking and restarts', () => {
  it('parks and resumes sales, refusing to resume over a sale in progress', async () => {
    shop = makeShop();
    await shop.ok('sale.addItem', { productId: shop.products.milk });
    const parked = await shop.ok<{ id: string }>('sale.park', {});
    expect(await shop.ok('sale.current', {})).toBeNull();
    await shop.ok('sale.addItem', { productId: shop.products.bread });
    expect((await shop.fails('sale.resume', { orderId: parked.id })).reason).toBe('sale_in_progress');
    await shop.ok('sale.park', {});
    expect((await shop.ok<unknown[]>('sale.parked', {})).length).toBe(2);
    const resumed = await shop.ok<Order>('sale.resume', { orderId: parked.id });
    expect(resumed.lines.map((l) => l.sku)).toEqual(['MILK-1L']);
    expect((await shop.fails('sale.park', { extra: true })).code).toBe('invalid_input');
  });

  it('brings back the open sale exactly after the till restarts', async () => {
    shop = makeShop();
    await shop.ok('sale.addItem', { productId: shop.products.milk, quantity: 2000 });
    await shop.ok('sale.addItem', { productId: shop.products.apples, quantity: 615 });
    const before = await shop.ok<Order>('sale.setOrderDiscount', { amount: 10 });
    shop.till.store.close();
    const again = makeTill({ dir: shop.dir });
    signIn(again.till, shop.cashier);
    const after = await again.ok<Order>('sale.current', {});
    expect(after).toEqual(before);
    again.close();
    shop = { ...shop, close: () => {} };
  });
});

describe('refunds and voids', () => {
  async function sold(s: Shop) {
    await s.ok('sale.addItem', { productId: s.products.milk, quantity: 3000 });
    await s.ok('sale.addItem', { productId: s.products.soap });
    await s.ok('sale.setOrderDiscount', { amount: 1 });
    return s.ok<Order>('sale.complete', {
      tenders: [
        { kind: 'card', amount: 500, reference: 'A1' },
        { kind: 'cash', amount: 1000 },
      ],
    });
  }

  it('refunds part, caps what is left, and adds up to exactly the sale when all comes back', async () => {
    shop = makeShop();
    const sale = await sold(shop);
    const milk = sale.lines[0];
    const soap = sale.lines[1];
    if (!milk || !soap) throw new Error('lines missing');
    expect(
      (await shop.fails('sale.refund', { orderId: sale.id, lines: [{ lineId: milk.id, quantity: 1000 }], reason: 'x' })).reason,
    ).toBe('needs_manager');
    const override = { staffId: shop.manager, pin: '2222' };
    const first = await shop.ok<Order>('sale.refund', {
      orderId: sale.id,
      lines: [{ lineId: milk.id, quantity: 1000 }],
      reason: 'Damaged carton',
      override,
    });
    expect(first.kind).toBe('refund');
    expect(first.number).toBe('T01-000002');
    expect((await shop.ok<Order>('sale.order', { id: sale.id })).state).toBe('partially_refunded');
    const over = await shop.fails('sale.refund', {
      orderId: sale.id,
      lines: [{ lineId: milk.id, quantity: 3000 }],
      reason: 'x',
      override,
    });
    expect(over).toMatchObject({ reason: 'over_refund', params: { left: 2 } });
    const twice = await shop.fails('sale.refund', {
      orderId: sale.id,
      lines: [
        { lineId: milk.id, quantity: 2000 },
        { lineId: milk.id, quantity: 1000 },
      ],
      reason: 'x',
      override,
    });
    expect(twice.reason).toBe('over_refund');
    const second = await shop.ok<Order>('sale.refund', {
      orderId: sale.id,
      lines: [
        { lineId: milk.id, quantity: 2000, restock: false },
        { lineId: soap.id, quantity: 1000 },
      ],
      reason: 'Changed mind',
      override,
    });
    expect(first.total + second.total).toBe(-sale.total);
    expect(first.taxTotal + second.taxTotal).toBe(-sale.taxTotal);
    const refundedByTender = new Map<string, number>();
    for (const r of [first, second])
      for (const t of r.tenders) refundedByTender.set(t.kind, (refundedByTender.get(t.kind) ?? 0) - t.amount);
    for (const t of sale.tenders) expect(refundedByTender.get(t.kind) ?? 0).toBeLessThanOrEqual(t.amount);
    expect((await shop.ok<Order>('sale.order', { id: sale.id })).state).toBe('refunded');
    expect(
      (await shop.fails('sale.refund', { orderId: sale.id, lines: [{ lineId: soap.id, quantity: 1000 }], reason: 'x', override }))
        .reason,
    ).toBe('not_refundable');
    // Restocked: 1 milk and the soap came back; 2 milk were written off.
    expect(onHand(shop, shop.products.milk)).toBe(-2000);
    expect(onHand(shop, shop.products.soap)).toBe(0);
    expect(checkLedger(shop.till)).toEqual([]);
  });

  it('voids a sale of this shift with a manager and puts the stock back', async () => {
    shop = makeShop();
    const sale = await sold(shop);
    const override = { staffId: shop.manager, pin: '2222' };
    expect((await shop.fails('sale.void', { orderId: sale.id, reason: 'Wrong items' })).reason).toBe('needs_manager');
    const voided = await shop.ok<Order>('sale.void', { orderId: sale.id, reason: 'Wrong items', override });
    expect(voided.state).toBe('voided');
    expect(onHand(shop, shop.products.milk)).toBe(0);
    expect((await shop.fails('sale.void', { orderId: sale.id, reason: 'again', override })).reason).toBe('not_voidable');
    expect(checkLedger(shop.till)).toEqual([]);
  });

  it('will not void a sale from an earlier shift', async () => {
    shop = makeShop();
    const sale = await sold(shop);
    shop.till.db.prepare('UPDATE shift SET closed_at = ?').run(new Date().toISOString());
    shop.till.db
      .prepare("INSERT INTO shift (id, opened_by, opened_at, float) VALUES ('s2', ?, ?, 0)")
      .run(shop.cashier, new Date().toISOString());
    const error = await shop.fails('sale.void', {
      orderId: sale.id,
      reason: 'late',
      override: { staffId: shop.manager, pin: '2222' },
    });
    expect(error.reason).toBe('void_other_shift');
  });
});

describe('returns without a receipt', () => {
  it('need a manager, price at today’s catalog price and restock what is put back', async () => {
    shop = makeShop();
    const before = counts(shop);
    const input = {
      lines: [
        { productId: shop.products.soap, quantity: 2000 },
        { productId: shop.products.milk, quantity: 1000, restock: false },
      ],
      refundTo: 'cash',
      reason: 'Gift, no receipt',
    };
    expect((await shop.fails('sale.returnWithoutReceipt', input)).reason).toBe('needs_manager');
    expect(
      (await shop.fails('sale.returnWithoutReceipt', { ...input, lines: [{ productId: shop.products.soap, quantity: 500 }] }))
        .reason,
    ).toBe('needs_manager');
    expect(counts(shop)).toEqual(before);
    const refund = await shop.ok<Order>('sale.returnWithoutReceipt', {
      ...input,
      override: { staffId: shop.manager, pin: '2222' },
    });
    expect(refund).toMatchObject({ kind: 'refund', originalOrderId: null, total: -(2 * 275 + 199) });
    expect(refund.tenders).toEqual([expect.objectContaining({ kind: 'cash', amount: -(2 * 275 + 199) })]);
    expect(onHand(shop, shop.products.soap)).toBe(2000);
    expect(onHand(shop, shop.products.milk)).toBe(0);
    const audit = shop.till.db.prepare("SELECT approved_by FROM audit WHERE action = 'sale.return_without_receipt'").get();
    expect(audit).toEqual({ approved_by: shop.manager });
    expect(checkLedger(shop.till)).toEqual([]);
  });
});

describe('frequently bought together', () => {
  it('suggests what this shop’s customers bought with the item, most often first, leaving out what is on the sale', async () => {
    shop = makeShop();
    const { milk, bread, soap } = shop.products;
    const basket = async (ids: string[]) => {
      for (const productId of ids) await shop.ok('sale.addItem', { productId });
      const open = await shop.ok<Order>('sale.current', {});
      await shop.ok('sale.complete', { tenders: [{ kind: 'cash', amount: open.total }] });
    };
    await basket([milk, bread]);
    await basket([milk, bread]);
    await basket([milk, soap]);
    await basket([soap]);
    type S = { id: string; together: number };
    expect((await shop.ok<S[]>('sale.suggestions', { productId: milk })).map((s) => [s.id, s.together])).toEqual([
      [bread, 2],
      [soap, 1],
    ]);
    await shop.ok('sale.addItem', { productId: bread });
    expect((await shop.ok<S[]>('sale.suggestions', { productId: milk })).map((s) => s.id)).toEqual([soap]);
    expect(await shop.ok('sale.suggestions', { productId: 'unknown' })).toEqual([]);
  });
});

describe('scanning scale labels and misreads', () => {
  it('rings up the weight printed in a scale label, and refuses a code with a wrong check digit', async () => {
    shop = makeShop();
    shop.till.db.prepare("INSERT INTO barcode (code, product_id) VALUES ('2212345', ?)").run(shop.products.apples);
    const label = scaleLabel('2212345', 615);
    const order = await shop.ok<Order>('sale.scan', { code: label });
    expect(order.lines[0]).toMatchObject({ sku: 'APPLE-KG', quantity: 615, total: 184 }); // 0.615 kg × 2.99 = 1.84
    const misread = `${label.slice(0, 12)}${(Number(label[12]) + 1) % 10}`;
    expect((await shop.fails('sale.scan', { code: misread })).reason).toBe('bad_check_digit');
    const three = await shop.ok<Order>('sale.scan', { code: '4006381333931', quantity: 3000 });
    expect(three.lines[1]).toMatchObject({ sku: 'MILK-1L', quantity: 3000 });
  });
});
