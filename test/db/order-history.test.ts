import Papa from 'papaparse';
import { afterEach, describe, expect, it } from 'vitest';
import { seedCatalog } from '../../db/catalog-generator.ts';
import { loadMigrations } from '../../db/migrate.ts';
import { smallSet } from '../../db/order-history.ts';
import { writeSettings } from '../../db/settings.ts';
import type { Customer, SupportNote } from '../../shared/customer.ts';
import type { Fulfilment, PackingSlip } from '../../shared/fulfilment.ts';
import type { OrderCount, OrderDetail, OrderPage } from '../../shared/order-history.ts';
import type { Order } from '../../shared/sale.ts';
import { generateOrders } from '../support/orders.ts';
import { addStaff, makeShop, makeTill, signIn } from '../support/till.ts';

type Shop = ReturnType<typeof makeShop>;
let shop: Shop | ReturnType<typeof makeTill>;
afterEach(() => shop?.close());

function counts(s: Shop) {
  const n = (table: string) => (s.till.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  return { fulfilment: n('fulfilment'), audit: n('audit'), outbox: n('outbox'), orders: n('orders') };
}

const address = {
  recipient: 'Bram de Vries',
  line1: '12 Harbour Road',
  city: 'Howth',
  postcode: 'D13 X2Y4',
  country: 'Ireland',
};

/**
 * A week in a small shop, by hand, through the real sale handlers:
 *   S1 May 1 09:00  Ada   Aoife  2 × milk 3.98          cash         → later 1 milk refunded (R1)
 *   S2 May 2 09:00  Max   —      soap 2.75              card
 *   S3 May 3 09:00  Ada   Bram   bread + milk 5.48      card 3.00 + cash 2.48
 *   S4 May 3 10:00  Ada   =cmd   1.25 kg apples 3.74    other
 *   R1 May 3 11:00  Max   Aoife  1 milk back −1.99      cash
 *   S5 May 3 12:00  Ada   —      bread 3.49             cash         → voided
 * plus a parked sale and an open one, which history never shows.
 */
async function smallShop() {
  let clock = Date.parse('2025-05-01T09:00:00Z');
  const s = makeShop({ now: () => new Date(clock) });
  shop = s;
  const at = (iso: string) => {
    clock = Date.parse(iso);
    s.till.session.lastActivityAt = clock;
  };
  const as = (staffId: string) => signIn(s.till, staffId);
  const aoife = await s.ok<Customer>('customer.save', { name: 'Aoife Murphy', email: 'aoife@example.com' });
  const bram = await s.ok<Customer>('customer.save', { name: 'Bram de Vries' });
  const formula = await s.ok<Customer>('customer.save', { name: '=cmd' });

  await s.ok('sale.addItem', { productId: s.products.milk, quantity: 2000 });
  await s.ok('sale.attachCustomer', { customerId: aoife.id });
  const s1 = await s.ok<Order>('sale.complete', { tenders: [{ kind: 'cash', amount: 500 }] });

  at('2025-05-02T09:00:00Z');
  as(s.manager);
  await s.ok('sale.addItem', { productId: s.products.soap });
  const s2 = await s.ok<Order>('sale.complete', { tenders: [{ kind: 'card', amount: 275, reference: 'A1' }] });

  at('2025-05-03T09:00:00Z');
  as(s.cashier);
  await s.ok('sale.addItem', { productId: s.products.bread });
  await s.ok('sale.addItem', { productId: s.products.milk });
  await s.ok('sale.attachCustomer', { customerId: bram.id });
  const s3 = await s.ok<Order>('sale.complete', {
    tenders: [
      { kind: 'card', amount: 300, reference: 'B2' },
      { kind: 'cash', amount: 300 },
    ],
  });

  at('2025-05-03T10:00:00Z');
  await s.ok('sale.addItem', { productId: s.products.apples, quantity: 1250 });
  await s.ok('sale.attachCustomer', { customerId: formula.id });
  const s4 = await s.ok<Order>('sale.complete', { tenders: [{ kind: 'other', amount: 374 }] });

  at('2025-05-03T11:00:00Z');
  as(s.manager);
  const milkLine = s1.lines[0];
  if (!milkLine) throw new Error('S1 has no line');
  const r1 = await s.ok<Order>('sale.refund', {
    orderId: s1.id,
    lines: [{ lineId: milkLine.id, quantity: 1000 }],
    reason: 'Sour',
  });

  at('2025-05-03T12:00:00Z');
  as(s.cashier);
  await s.ok('sale.addItem', { productId: s.products.bread });
  const s5 = await s.ok<Order>('sale.complete', { tenders: [{ kind: 'cash', amount: 349 }] });
  as(s.manager);
  await s.ok('sale.void', { orderId: s5.id, reason: 'Rang up twice' });

  as(s.cashier);
  await s.ok('sale.addItem', { productId: s.products.soap });
  await s.ok('sale.park', {});
  await s.ok('sale.addItem', { productId: s.products.bread });
  const open = await s.ok<Order>('sale.current', {});

  return { s, at, as, aoife, bram, formula, s1, s2, s3, s4, s5, r1, open, milkLine };
}

describe('finding orders', () => {
  it('checks every filter against a week of hand-made orders, newest first', async () => {
    const { s, aoife, bram, formula, s1, s2, s3, s4, s5, r1 } = await smallShop();
    const find = async (filter: object) => (await s.ok<OrderPage>('orders.search', filter)).orders.map((o) => o.number);
    const [n1, n2, n3, n4, n5, nr] = [s1, s2, s3, s4, s5, r1].map((o) => o.number);
    expect([n1, n2, n3, n4, nr, n5]).toEqual([
      'T01-000001',
      'T01-000002',
      'T01-000003',
      'T01-000004',
      'T01-000005',
      'T01-000006',
    ]);

    expect(await find({})).toEqual([n5, nr, n4, n3, n2, n1]);
    expect(await find({ number: 'T01-000002' })).toEqual([n2]);
    expect(await find({ number: 't01-000002' })).toEqual([n2]);
    expect(await find({ number: '5' })).toEqual([nr]);
    expect(await find({ number: '00000' })).toEqual([n5, nr, n4, n3, n2, n1]);
    expect(await find({ number: 'T01-999999' })).toEqual([]);
    // Part of the digits, 3 long or more, is looked up in their trigram index (kept by sale.complete
    // and sale.refund); part of the till code, or a short part, by walking the history.
    expect(await find({ number: '000003' })).toEqual([n3]);
    expect(await find({ number: '000005' })).toEqual([nr]);
    expect(await find({ number: '01-00000' })).toEqual([n5, nr, n4, n3, n2, n1]);
    expect(await find({ number: '1-000004' })).toEqual([n4]); // no till is called "1": part of a number
    expect(await find({ number: 't0' })).toEqual([n5, nr, n4, n3, n2, n1]);
    expect(await find({ number: '9' })).toEqual([]);
    expect(await find({ number: '999' })).toEqual([]);
    expect(await find({ number: 'Q' })).toEqual([]);
    expect(await find({ number: 'X01-000001' })).toEqual([]);
    expect(await find({ number: 'T01-00-1' })).toEqual([]);
    expect(await find({ from: '2025-05-02T00:00:00Z', to: '2025-05-03T00:00:00Z' })).toEqual([n2]);
    expect(await find({ from: '2025-05-03T10:00:00Z' })).toEqual([n5, nr, n4]);
    expect(await find({ to: '2025-05-03T10:00:00Z' })).toEqual([n3, n2, n1]);
    // Another offset, same instant: 11:00 in Dublin's summer is 10:00 UTC.
    expect(await find({ from: '2025-05-03T11:00:00+01:00' })).toEqual([n5, nr, n4]);
    expect(await find({ customerId: aoife.id })).toEqual([nr, n1]);
    expect(await find({ customerId: bram.id })).toEqual([n3]);
    expect(await find({ customerId: formula.id })).toEqual([n4]);
    expect(await find({ staffId: s.manager })).toEqual([nr, n2]);
    expect(await find({ staffId: s.cashier })).toEqual([n5, n4, n3, n1]);
    expect(await find({ tender: 'card' })).toEqual([n3, n2]);
    expect(await find({ tender: 'cash' })).toEqual([n5, nr, n3, n1]);
    expect(await find({ tender: 'other' })).toEqual([n4]);
    expect(await find({ tender: 'voucher' })).toEqual([]);
    expect(await find({ minAmount: 300 })).toEqual([n5, n4, n3, n1]);
    expect(await find({ maxAmount: 300 })).toEqual([nr, n2]);
    expect(await find({ minAmount: 275, maxAmount: 349 })).toEqual([n5, n2]);
    expect(await find({ productId: s.products.milk })).toEqual([nr, n3, n1]);
    expect(await find({ productId: s.products.apples })).toEqual([n4]);
    expect(await find({ kind: 'refund' })).toEqual([nr]);
    expect(await find({ kind: 'sale' })).toEqual([n5, n4, n3, n2, n1]);
    expect(await find({ customerId: bram.id, tender: 'card' })).toEqual([n3]);
    expect(await find({ staffId: s.cashier, productId: s.products.milk })).toEqual([n3, n1]);
    expect(await find({ fulfilment: 'to_ship' })).toEqual([]);
    await s.ok('fulfilment.create', { orderId: s3.id, address });
    expect(await find({ fulfilment: 'to_ship' })).toEqual([n3]);
    expect(await find({ fulfilment: 'shipped' })).toEqual([]);

    const page = await s.ok<OrderPage>('orders.search', {});
    expect(await s.ok<OrderCount>('orders.count', {})).toEqual({ n: 6, capped: false });
    expect(await s.ok<OrderCount>('orders.count', { tender: 'cash' })).toEqual({ n: 4, capped: false });
    expect(await s.ok<OrderCount>('orders.count', { number: 'Q1' })).toEqual({ n: 0, capped: false });
    // Counted from the product's own index, less the sale being rung up and the parked one.
    expect(await s.ok<OrderCount>('orders.count', { productId: s.products.bread })).toEqual({ n: 2, capped: false });
    expect(await s.ok<OrderCount>('orders.count', { productId: s.products.soap })).toEqual({ n: 1, capped: false });
    expect(page.next).toBeNull();
    expect(page.orders.find((o) => o.id === s3.id)).toEqual({
      id: s3.id,
      number: n3,
      kind: 'sale',
      state: 'completed',
      total: 548,
      completedAt: '2025-05-03T09:00:00.000Z',
      customerId: bram.id,
      customerName: 'Bram de Vries',
      staffName: 'Ada Cashier',
      lineCount: 2,
      tenders: ['card', 'cash'],
      fulfilment: 'to_ship',
    });
    expect(page.orders.map((o) => o.state)).toEqual([
      'voided',
      'completed',
      'completed',
      'completed',
      'completed',
      'partially_refunded',
    ]);
    expect(page.orders.find((o) => o.id === r1.id)).toMatchObject({ kind: 'refund', total: -199, staffName: 'Max Manager' });
  });

  it('refuses bad filters with a typed error', async () => {
    shop = makeShop();
    const bad = [
      { from: '2025-05-03T00:00:00Z', to: '2025-05-02T00:00:00Z' },
      { minAmount: 500, maxAmount: 100 },
      { minAmount: -1 },
      { minAmount: 1.5 },
      { limit: 0 },
      { limit: 501 },
      { number: 'T01%' },
      { number: '' },
      { tender: 'bitcoin' },
      { from: 'yesterday' },
      { after: 'garbage' },
      { kind: 'parked' },
      { colour: 'red' },
    ];
    for (const filter of bad)
      expect((await shop.fails('orders.search', filter)).code, JSON.stringify(filter)).toBe('invalid_input');
    for (const filter of [{ minAmount: 500, maxAmount: 100 }, { number: 'T01%' }, { after: 'x|y' }, { limit: 5 }])
      expect((await shop.fails('orders.count', filter)).code, JSON.stringify(filter)).toBe('invalid_input');
    shop.till.session.staffId = null;
    expect((await shop.fails('orders.search', {})).code).toBe('unauthorized');
    expect((await shop.fails('orders.count', {})).code).toBe('unauthorized');
  });

  it('pages through hundreds of orders with ties on the time, no order twice and none skipped', async () => {
    const s = makeShop();
    shop = s;
    const { customerIds } = generateOrders(s.till, {
      count: 300,
      seed: 3,
      staffIds: [s.cashier, s.manager],
      customers: 5,
      refundEvery: 10,
    });
    const all = s.till.db
      .prepare('SELECT id, completed_at AS at, customer_id AS customer FROM orders WHERE completed_at IS NOT NULL')
      .all() as { id: string; at: string; customer: string | null }[];
    const newestFirst = (a: { id: string; at: string }, b: { id: string; at: string }) =>
      a.at === b.at ? (a.id < b.id ? 1 : -1) : a.at < b.at ? 1 : -1;
    expect(new Set(all.map((o) => o.at)).size).toBeLessThan(all.length); // ties exist

    const walk = async (filter: object, limit: number) => {
      const ids: string[] = [];
      let after: string | undefined;
      let pages = 0;
      const count = await s.ok<OrderCount>('orders.count', filter);
      for (;;) {
        const page: OrderPage = await s.ok<OrderPage>('orders.search', { ...filter, limit, ...(after ? { after } : {}) });
        pages++;
        ids.push(...page.orders.map((o) => o.id));
        if (!page.next) break;
        after = page.next;
      }
      return { ids, pages, count };
    };
    const everything = await walk({}, 40);
    expect(everything.ids).toEqual([...all].sort(newestFirst).map((o) => o.id));
    expect(everything.pages).toBe(Math.ceil(all.length / 40));
    expect(everything.count).toEqual({ n: all.length, capped: false });

    const customer = customerIds[2] ?? '';
    const theirs = await walk({ customerId: customer }, 7);
    const expected = all.filter((o) => o.customer === customer).sort(newestFirst);
    expect(expected.length).toBeGreaterThan(14);
    expect(theirs.ids).toEqual(expected.map((o) => o.id));
    expect(theirs.count.n).toBe(expected.length);
  });
});

describe('finding orders among thousands', () => {
  interface Plain {
    id: string;
    number: string;
    kind: string;
    total: number;
    at: string;
    customer: string | null;
    staff: string;
    tenders: string;
    products: string;
  }

  it('finds what a plain scan finds, whichever index leads, and counts it up to the limit', { timeout: 120_000 }, async () => {
    const s = makeShop();
    shop = s;
    const { customerIds } = generateOrders(s.till, {
      count: 15_000,
      seed: 9,
      staffIds: [s.cashier, s.manager],
      customers: 6,
      refundEvery: 20,
    });
    // A tender few orders were paid with: its orders are read whole and sorted.
    s.till.db.prepare("UPDATE tender SET kind = 'store_credit' WHERE rowid % 13 = 0").run();
    const all = s.till.db
      .prepare(
        `SELECT o.id, o.number, o.kind, o.total, o.completed_at AS at, o.customer_id AS customer, o.staff_id AS staff,
           (SELECT group_concat(kind) FROM tender WHERE order_id = o.id) AS tenders,
           (SELECT group_concat(product_id) FROM order_line WHERE order_id = o.id) AS products
         FROM orders o NOT INDEXED WHERE o.completed_at IS NOT NULL`,
      )
      .all() as Plain[];
    all.sort((a, b) => (a.at === b.at ? (a.id < b.id ? 1 : -1) : a.at < b.at ? 1 : -1));
    const has = (list: string, item: string) => list.split(',').includes(item);
    const of = (kind: string) => all.filter((o) => has(o.tenders, kind)).length;
    // Both ways of leading are exercised: cash lists more orders than a page may sort, store credit fewer.
    expect(of('cash')).toBeGreaterThan(smallSet);
    expect(of('store_credit')).toBeGreaterThan(100);
    expect(of('store_credit')).toBeLessThan(smallSet);
    const [milk, bread] = [s.products.milk, s.products.bread];
    const day = all[4000]?.at ?? '';
    const dayAfter = new Date(Date.parse(day) + 86_400_000).toISOString();
    const customer = customerIds[3] ?? '';

    const cases: [object, (o: Plain) => boolean][] = [
      [{}, () => true],
      [{ tender: 'cash' }, (o) => has(o.tenders, 'cash')],
      [{ tender: 'voucher' }, (o) => has(o.tenders, 'voucher')],
      [{ tender: 'store_credit' }, (o) => has(o.tenders, 'store_credit')],
      [{ tender: 'store_credit', staffId: s.cashier }, (o) => has(o.tenders, 'store_credit') && o.staff === s.cashier],
      [{ productId: milk }, (o) => has(o.products, milk)],
      [{ productId: s.products.apples }, () => false],
      [{ minAmount: 199, maxAmount: 199 }, (o) => Math.abs(o.total) === 199],
      [{ minAmount: 500, maxAmount: 3000 }, (o) => Math.abs(o.total) >= 500 && Math.abs(o.total) <= 3000],
      [{ minAmount: 2500 }, (o) => Math.abs(o.total) >= 2500],
      [{ maxAmount: 300 }, (o) => Math.abs(o.total) <= 300],
      [{ kind: 'refund' }, (o) => o.kind === 'refund'],
      [{ kind: 'refund', minAmount: 300 }, (o) => o.kind === 'refund' && Math.abs(o.total) >= 300],
      [{ number: '000' }, (o) => o.number.includes('000')],
      [{ number: '1234' }, (o) => o.number.includes('1234')],
      [{ number: '0000' }, (o) => o.number.includes('0000')],
      [{ number: '0001234' }, (o) => o.number.includes('0001234')],
      [{ number: '77' }, (o) => o.number.includes('77')],
      [{ number: 'G01' }, () => true],
      [{ number: '01-001' }, (o) => o.number.includes('01-001')],
      [{ number: 'G01-001' }, (o) => o.number.includes('G01-001')],
      [{ number: 'G01-0001234' }, (o) => o.number === 'G01-0001234'],
      [{ number: '1-0' }, (o) => o.number.includes('1-0')],
      [{ customerId: customer, tender: 'voucher' }, (o) => o.customer === customer && has(o.tenders, 'voucher')],
      [
        { staffId: s.manager, tender: 'cash', productId: bread },
        (o) => o.staff === s.manager && has(o.tenders, 'cash') && has(o.products, bread),
      ],
      [
        { tender: 'card', minAmount: 199, maxAmount: 400 },
        (o) => has(o.tenders, 'card') && Math.abs(o.total) >= 199 && Math.abs(o.total) <= 400,
      ],
      [{ number: '123', tender: 'voucher' }, (o) => o.number.includes('123') && has(o.tenders, 'voucher')],
      [{ from: day, to: dayAfter, tender: 'other' }, (o) => o.at >= day && o.at < dayAfter && has(o.tenders, 'other')],
    ];
    for (const [filter, matches] of cases) {
      const expected = all.filter(matches).map((o) => o.id);
      const found: string[] = [];
      let after: string | undefined;
      do {
        const page: OrderPage = await s.ok<OrderPage>('orders.search', { ...filter, limit: 500, ...(after ? { after } : {}) });
        found.push(...page.orders.map((o) => o.id));
        after = page.next ?? undefined;
      } while (after);
      const label = JSON.stringify(filter);
      expect(found.length, label).toBe(expected.length);
      expect(found, label).toEqual(expected);
      const counted = { n: Math.min(expected.length, 10_000), capped: expected.length > 10_000 };
      expect(await s.ok<OrderCount>('orders.count', filter), label).toEqual(counted);
    }
  });

  it('keeps the number index with the orders, and migration 0012 fills it for orders already there', async () => {
    const s = makeShop();
    shop = s;
    const { orderIds } = generateOrders(s.till, { count: 300, seed: 4, staffIds: [s.cashier] });
    const numbers = async (number: string) =>
      (await s.ok<OrderPage>('orders.search', { number, limit: 500 })).orders.map((o) => o.number);
    expect(await numbers('0000120')).toEqual(['G01-0000120']);
    expect(await numbers('0000012')).toEqual(['G01-0000012']);
    const db = s.till.db;
    db.prepare("UPDATE orders SET number = 'G01-0077777' WHERE number = 'G01-0000120'").run();
    expect(await numbers('0000120')).toEqual([]);
    expect(await numbers('77777')).toEqual(['G01-0077777']);
    db.prepare('DELETE FROM orders WHERE id = ?').run(orderIds[11]); // G01-0000012, with its lines and tenders
    expect(await numbers('0000012')).toEqual([]);
    expect(await s.ok<OrderCount>('orders.count', { number: '0000' })).toEqual({ n: 298, capped: false });
    db.prepare("INSERT INTO order_number_search (order_number_search) VALUES ('integrity-check')").run();

    // As on a till upgraded with its history: the index emptied, then filled by the migration.
    const migration = loadMigrations().find((m) => m.name === 'order-history');
    const backfill = migration?.sql.match(/INSERT INTO order_number_search \(rowid, digits\)\nSELECT[^;]+;/)?.[0];
    expect(backfill).toBeDefined();
    db.prepare("INSERT INTO order_number_search (order_number_search) VALUES ('delete-all')").run();
    expect(await numbers('77777')).toEqual([]);
    db.exec(backfill ?? '');
    expect(await numbers('77777')).toEqual(['G01-0077777']);
    expect(await s.ok<OrderCount>('orders.count', { number: '000' })).toEqual({ n: 298, capped: false });
  });
});

describe('an order in detail', () => {
  it('links a sale and its refund both ways, line by line, with notes and the audit trail of both', async () => {
    const { s, s1, r1, milkLine, aoife } = await smallShop();
    const note = await s.ok<SupportNote>('note.open', { orderId: s1.id, category: 'complaint', body: 'Sour milk' });
    const sale = await s.ok<OrderDetail>('orders.detail', { id: s1.id });
    const refundLine = r1.lines[0];
    const link = {
      saleLineId: milkLine.id,
      refundLineId: refundLine?.id,
      refundOrderId: r1.id,
      refundNumber: 'T01-000005',
      saleOrderId: s1.id,
      saleNumber: 'T01-000001',
      quantity: 1000,
      completedAt: '2025-05-03T11:00:00.000Z',
    };
    expect(sale.order.state).toBe('partially_refunded');
    expect(sale.order.related).toEqual([{ id: r1.id, number: 'T01-000005', kind: 'refund', total: -199 }]);
    expect(sale.order.lines[0]?.refundedQuantity).toBe(1000);
    expect(sale.lineRefunds).toEqual([link]);
    expect(sale.notes.map((n) => [n.id, n.customerId])).toEqual([[note.id, aoife.id]]);
    expect(sale.fulfilment).toBeNull();
    expect(sale.audit.map((a) => [a.action, a.staff?.name, a.subject])).toEqual([
      ['sale.completed', 'Ada Cashier', s1.id],
      ['sale.refund', 'Max Manager', s1.id],
      ['note.opened', 'Ada Cashier', s1.id],
    ]);
    expect(sale.audit[1]?.after).toMatchObject({ refund: 'T01-000005', amount: 199, reason: 'Sour' });

    const refund = await s.ok<OrderDetail>('orders.detail', { id: r1.id });
    expect(refund.order.originalOrderId).toBe(s1.id);
    expect(refund.order.related).toEqual([{ id: s1.id, number: 'T01-000001', kind: 'sale', total: 398 }]);
    expect(refund.order.lines[0]?.originalLineId).toBe(milkLine.id);
    expect(refund.lineRefunds).toEqual([link]);
    expect(refund.audit.map((a) => a.action)).toEqual(['sale.completed', 'sale.refund', 'note.opened']);

    expect(await s.fails('orders.detail', { id: 'ghost' })).toMatchObject({ code: 'not_found', reason: 'unknown_order' });
  });
});

describe('fulfilment', () => {
  it('moves a delivery to ship → shipped → delivered, auditing and syncing each step, refusing every other move', async () => {
    const { s, at, s2, s3, s5, r1, open } = await smallShop();
    let before = counts(s);
    const steps = (n: number) => ({ ...before, audit: before.audit + n, outbox: before.outbox + n });

    at('2025-05-04T09:00:00Z');
    const created = await s.ok<Fulfilment>('fulfilment.create', { orderId: s3.id, address: { ...address, line2: '' } });
    expect(created).toMatchObject({
      orderId: s3.id,
      state: 'to_ship',
      address: { ...address, line2: null, region: null, phone: null, instructions: null },
      carrier: null,
      trackingNumber: null,
      createdBy: { name: 'Ada Cashier' },
      createdAt: '2025-05-04T09:00:00.000Z',
      shippedAt: null,
      deliveredAt: null,
    });
    expect(counts(s)).toEqual({ ...steps(1), fulfilment: before.fulfilment + 1 });
    before = counts(s);

    const refusals: [string, object, object][] = [
      [
        'fulfilment.deliver',
        { orderId: s3.id },
        { code: 'conflict', reason: 'fulfilment_transition', params: { from: 'to_ship', to: 'delivered' } },
      ],
      [
        'fulfilment.create',
        { orderId: s3.id, address },
        { code: 'conflict', reason: 'fulfilment_exists', params: { number: s3.number } },
      ],
      ['fulfilment.create', { orderId: r1.id, address }, { code: 'rejected', reason: 'order_not_shippable' }],
      [
        'fulfilment.create',
        { orderId: s5.id, address },
        { code: 'rejected', reason: 'order_not_shippable', params: { state: 'voided' } },
      ],
      ['fulfilment.create', { orderId: open.id, address }, { code: 'rejected', reason: 'order_not_shippable' }],
      ['fulfilment.create', { orderId: 'ghost', address }, { code: 'not_found', reason: 'unknown_order' }],
      [
        'fulfilment.ship',
        { orderId: s2.id, carrier: 'DHL', trackingNumber: 'JD0001' },
        { code: 'not_found', reason: 'no_fulfilment' },
      ],
      ['fulfilment.packingSlip', { orderId: s2.id }, { code: 'not_found', reason: 'no_fulfilment' }],
    ];
    for (const [name, input, error] of refusals) expect(await s.fails(name, input), name).toMatchObject(error);
    expect(counts(s)).toEqual(before);

    const moved = await s.ok<Fulfilment>('fulfilment.updateAddress', { orderId: s3.id, address: { ...address, city: 'Sutton' } });
    expect(moved.address.city).toBe('Sutton');
    expect(counts(s)).toEqual(steps(1));
    before = counts(s);

    at('2025-05-04T15:30:00Z');
    const shipped = await s.ok<Fulfilment>('fulfilment.ship', {
      orderId: s3.id,
      carrier: 'An Post',
      trackingNumber: 'RR 123 456 789 IE',
    });
    expect(shipped).toMatchObject({
      state: 'shipped',
      carrier: 'An Post',
      trackingNumber: 'RR123456789IE',
      shippedAt: '2025-05-04T15:30:00.000Z',
    });
    expect(counts(s)).toEqual(steps(1));
    before = counts(s);
    expect(await s.fails('fulfilment.ship', { orderId: s3.id, carrier: 'DHL', trackingNumber: 'JD0002' })).toMatchObject({
      code: 'conflict',
      reason: 'fulfilment_transition',
      params: { from: 'shipped', to: 'shipped' },
    });
    expect(await s.fails('fulfilment.updateAddress', { orderId: s3.id, address })).toMatchObject({
      code: 'rejected',
      reason: 'fulfilment_address_locked',
    });
    expect(counts(s)).toEqual(before);

    at('2025-05-06T11:00:00Z');
    const delivered = await s.ok<Fulfilment>('fulfilment.deliver', { orderId: s3.id });
    expect(delivered).toMatchObject({ state: 'delivered', deliveredAt: '2025-05-06T11:00:00.000Z', carrier: 'An Post' });
    expect(counts(s)).toEqual(steps(1));
    before = counts(s);
    expect(await s.fails('fulfilment.deliver', { orderId: s3.id })).toMatchObject({
      reason: 'fulfilment_transition',
      params: { from: 'delivered', to: 'delivered' },
    });
    expect(counts(s)).toEqual(before);

    const trail = (await s.ok<OrderDetail>('orders.detail', { id: s3.id })).audit
      .filter((a) => a.action.startsWith('fulfilment.'))
      .map((a) => [a.action, a.at]);
    expect(trail).toEqual([
      ['fulfilment.to_ship', '2025-05-04T09:00:00.000Z'],
      ['fulfilment.address', '2025-05-04T09:00:00.000Z'],
      ['fulfilment.shipped', '2025-05-04T15:30:00.000Z'],
      ['fulfilment.delivered', '2025-05-06T11:00:00.000Z'],
    ]);
    const ops = s.till.db.prepare("SELECT type, payload FROM outbox WHERE type LIKE 'fulfilment.%' ORDER BY seq").all() as {
      type: string;
      payload: string;
    }[];
    expect(ops.map((o) => o.type)).toEqual([
      'fulfilment.to_ship',
      'fulfilment.address',
      'fulfilment.shipped',
      'fulfilment.delivered',
    ]);
    expect(JSON.parse(ops[2]?.payload ?? '{}')).toMatchObject({
      orderId: s3.id,
      number: s3.number,
      carrier: 'An Post',
      trackingNumber: 'RR123456789IE',
    });
  });

  it('refuses bad addresses and tracking numbers before anything is written', async () => {
    const { s, s3 } = await smallShop();
    await s.ok('fulfilment.create', { orderId: s3.id, address });
    const before = counts(s);
    const bad: [string, object][] = [
      ['fulfilment.ship', { orderId: s3.id, carrier: 'DHL', trackingNumber: 'ab' }],
      ['fulfilment.ship', { orderId: s3.id, carrier: 'DHL', trackingNumber: 'JD#0001' }],
      ['fulfilment.ship', { orderId: s3.id, carrier: 'DHL', trackingNumber: 'X'.repeat(41) }],
      ['fulfilment.ship', { orderId: s3.id, carrier: '', trackingNumber: 'JD0001' }],
      ['fulfilment.ship', { orderId: s3.id, trackingNumber: 'JD0001' }],
      ['fulfilment.updateAddress', { orderId: s3.id, address: { ...address, city: '' } }],
      ['fulfilment.updateAddress', { orderId: s3.id, address: { ...address, country: 'I' } }],
      ['fulfilment.updateAddress', { orderId: s3.id, address: { ...address, line1: 'x'.repeat(201) } }],
      ['fulfilment.updateAddress', { orderId: s3.id, address: { ...address, floor: 3 } }],
      ['fulfilment.updateAddress', { orderId: s3.id, address: { ...address, recipient: 'Tab\u0009Name' } }],
      ['fulfilment.deliver', { orderId: s3.id, force: true }],
    ];
    for (const [name, input] of bad) expect((await s.fails(name, input)).code, JSON.stringify(input)).toBe('invalid_input');
    expect(counts(s)).toEqual(before);
    expect((await s.ok<OrderDetail>('orders.detail', { id: s3.id })).fulfilment?.state).toBe('to_ship');
  });

  it('will not ship a sale refunded in full meanwhile, and packs only what is still owed', async () => {
    const { s, as, s1, s2 } = await smallShop();
    await s.ok('fulfilment.create', { orderId: s2.id, address });
    await s.ok('fulfilment.create', { orderId: s1.id, address });
    as(s.manager);
    const soap = s2.lines[0];
    await s.ok('sale.refund', { orderId: s2.id, lines: [{ lineId: soap?.id, quantity: 1000 }], reason: 'Not wanted' });
    const before = counts(s);
    expect(await s.fails('fulfilment.ship', { orderId: s2.id, carrier: 'DHL', trackingNumber: 'JD0001' })).toMatchObject({
      reason: 'order_not_shippable',
      params: { state: 'refunded' },
    });
    expect(counts(s)).toEqual(before);

    const slip = await s.ok<PackingSlip>('fulfilment.packingSlip', { orderId: s1.id });
    expect(slip).toMatchObject({
      shopName: 'Corner Shop',
      orderNumber: 'T01-000001',
      orderedAt: '2025-05-01T09:00:00.000Z',
      customerName: 'Aoife Murphy',
      shipTo: { recipient: 'Bram de Vries', city: 'Howth' },
      carrier: null,
    });
    // 2 milk sold, 1 came back: 1 goes in the parcel.
    expect(slip.lines).toEqual([{ sku: 'MILK-1L', name: 'Oat Milk 1L', unit: 'each', quantity: 1000 }]);
  });
});

describe('CSV export', () => {
  it('exports the filtered set for a manager, amounts as numbers and formula-like names defused', async () => {
    const { s, as } = await smallShop();
    expect(await s.fails('orders.exportCsv', {})).toMatchObject({ code: 'forbidden', reason: 'needs_role' });
    as(s.manager);
    const all = await s.ok<{ csv: string; rows: number }>('orders.exportCsv', {});
    expect(all.rows).toBe(6);
    const parsed = Papa.parse<Record<string, string>>(all.csv, { header: true, skipEmptyLines: true });
    expect(parsed.meta.fields).toEqual([
      'number',
      'kind',
      'state',
      'completed_at',
      'customer',
      'cashier',
      'lines',
      'subtotal',
      'discount',
      'tax',
      'total',
      'tenders',
      'fulfilment',
    ]);
    const byNumber = new Map(parsed.data.map((r) => [r.number, r]));
    expect(byNumber.get('T01-000003')).toMatchObject({
      customer: 'Bram de Vries',
      cashier: 'Ada Cashier',
      lines: '2',
      total: '5.48',
      tenders: 'card 3.00; cash 2.48',
    });
    expect(byNumber.get('T01-000005')).toMatchObject({ kind: 'refund', total: '-1.99', tenders: 'cash -1.99' });
    expect(byNumber.get('T01-000004')?.customer).toBe("'=cmd");
    const cards = await s.ok<{ csv: string; rows: number }>('orders.exportCsv', { tender: 'card' });
    expect(cards.rows).toBe(2);
    expect(
      cards.csv
        .split('\r\n')
        .slice(1)
        .map((line) => line.split(',')[0]),
    ).toEqual(['T01-000003', 'T01-000002']);
    expect((await s.fails('orders.exportCsv', { minAmount: 9, maxAmount: 1 })).code).toBe('invalid_input');
  });
});

describe('order history at scale', () => {
  it('stays a quick index walk with 200,000 orders (figures printed)', { timeout: 300_000 }, async () => {
    const t = makeTill();
    shop = t;
    writeSettings(t.till.store, { setupComplete: true, shopName: 'Big Shop', currency: 'EUR' });
    const staff = [addStaff(t.till, 'Ada', 'cashier'), addStaff(t.till, 'Ben', 'cashier'), addStaff(t.till, 'Max', 'manager')];
    signIn(t.till, staff[2] ?? '');
    seedCatalog(t.till, { size: 5000, seed: 11 });
    const started = performance.now();
    const generated = generateOrders(t.till, { count: 200_000, seed: 5, staffIds: staff, customers: 5000, refundEvery: 25 });
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const orders = generated.orderIds.length;
    console.log(`order history: generated ${orders} orders in ${seconds} s`);
    expect(orders).toBeGreaterThanOrEqual(200_000);

    const product = t.till.db
      .prepare('SELECT product_id FROM order_line GROUP BY product_id ORDER BY count(*) DESC LIMIT 1')
      .pluck()
      .get() as string;
    const customer = generated.customerIds[42] ?? '';
    const midMonth = new Date(Date.parse(generated.lastAt) - 30 * 86_400_000).toISOString();
    const filters: [string, object][] = [
      ['newest, no filter', {}],
      ['number exact', { number: 'G01-0100000' }],
      ['number partial', { number: '77777' }],
      ['date range (a day)', { from: midMonth, to: new Date(Date.parse(midMonth) + 86_400_000).toISOString() }],
      ['customer', { customerId: customer }],
      ['cashier', { staffId: staff[1] }],
      ['tender card', { tender: 'card' }],
      ['tender voucher', { tender: 'voucher' }],
      ['amount 100.00–200.00', { minAmount: 10_000, maxAmount: 20_000 }],
      ['product (best seller)', { productId: product }],
      ['refunds', { kind: 'refund' }],
      ['cashier + card + product', { staffId: staff[0], tender: 'card', productId: product }],
    ];
    const lines: string[] = [];
    const timed = async (input: object) => {
      const t0 = performance.now();
      const page = await t.ok<OrderPage>('orders.search', input);
      return { page, ms: (performance.now() - t0).toFixed(1).padStart(6) };
    };
    for (const [label, filter] of filters) {
      // The first call also compiles the statement and reads its pages from disk.
      const cold = await timed({ ...filter, limit: 100 });
      const { page: first, ms } = await timed({ ...filter, limit: 100 });
      const next = first.next ? (await timed({ ...filter, limit: 100, after: first.next })).ms : '     -';
      const t1 = performance.now();
      const counted = await t.ok<OrderCount>('orders.count', filter);
      const countMs = (performance.now() - t1).toFixed(1).padStart(6);
      const count = `${counted.n}${counted.capped ? '+' : ''} (counted in ${countMs} ms)`;
      lines.push(`  ${label.padEnd(26)} first page ${cold.ms} ms cold, ${ms} ms again; next page ${next} ms; matches ${count}`);
      // Whatever the speed, the rows must be the ones asked for.
      for (const o of first.orders) {
        if ('customerId' in filter) expect(o.customerId).toBe(customer);
        if ('tender' in filter) expect(o.tenders).toContain(filter.tender);
        if ('kind' in filter) expect(o.kind).toBe('refund');
      }
    }
    expect(await t.ok<OrderCount>('orders.count', {})).toEqual({ n: 10_000, capped: true });
    expect((await t.ok<OrderPage>('orders.search', { number: 'G01-0100000' })).orders.map((o) => o.number)).toEqual([
      'G01-0100000',
    ]);

    // Deep in the list: the 1,000th page costs what the first does (keyset, not OFFSET).
    let after: string | null = null;
    const t2 = performance.now();
    for (let page = 0; page < 1000 && after !== undefined; page++) {
      const result: OrderPage = await t.ok<OrderPage>('orders.search', { limit: 100, ...(after ? { after } : {}) });
      after = result.next;
      if (!after) break;
    }
    const scrollMs = performance.now() - t2;
    lines.push(`  scrolled 1,000 pages of 100 in ${scrollMs.toFixed(0)} ms (${(scrollMs / 1000).toFixed(2)} ms a page)`);

    const t3 = performance.now();
    const exported = await t.ok<{ csv: string; rows: number }>('orders.exportCsv', { tender: 'card' });
    lines.push(
      `  CSV export of ${exported.rows} card orders: ${(performance.now() - t3).toFixed(0)} ms, ${(exported.csv.length / 1e6).toFixed(1)} MB`,
    );
    console.log(`order history over ${orders} orders:\n${lines.join('\n')}`);
  });
});
