import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTillApi } from '../../db/api.ts';
import type { Api } from '../../db/dispatch.ts';
import { writeSettings } from '../../db/settings.ts';
import { shiftReport } from '../../db/shift-report.ts';
import { createStaff } from '../../db/staff.ts';
import { openStore, type Store } from '../../db/store.ts';
import { openTill, type Till } from '../../db/till.ts';
import type { InputOf, OperationName, OutputOf } from '../../shared/api.ts';
import type { StaffMember } from '../../shared/staff.ts';

let dir: string;
let store: Store;
let till: Till;
let api: Api;
let clock: Date;
let manager: StaffMember;

async function ok<N extends OperationName>(name: N, input: InputOf<N>): Promise<OutputOf<N>> {
  const result = await api.call(name, input);
  if (!result.ok) throw new Error(`${name} failed: ${JSON.stringify(result.error)}`);
  return result.value as OutputOf<N>;
}

interface Line {
  rate: number;
  qty: number;
  unitPrice: number;
  lineDiscount?: number;
  orderDiscount?: number;
  tax: number;
  total: number;
}
interface Tender {
  kind: 'cash' | 'card' | 'voucher' | 'store_credit' | 'other';
  amount: number;
  tendered?: number;
  change?: number;
}
interface Order {
  id: string;
  kind: 'sale' | 'refund';
  state: 'open' | 'parked' | 'completed' | 'partially_refunded' | 'refunded' | 'voided';
  shiftId: string;
  total: number;
  orderDiscount?: number;
  cashRounding?: number;
  original?: string;
  lines: Line[];
  tenders: Tender[];
}

function advance(seconds: number) {
  clock = new Date(clock.getTime() + seconds * 1000);
}

function statements() {
  return {
    order: till.db.prepare(
      `INSERT INTO orders (id, number, kind, state, original_order_id, staff_id, shift_id, order_discount, tax_total, total,
         cash_rounding, opened_at, completed_at, voided_at, voided_by)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    line: till.db.prepare(
      `INSERT INTO order_line (id, order_id, position, product_id, sku, name, unit, quantity, unit_price, line_discount,
         order_discount, tax_rate_bp, tax, total)
       VALUES (?, ?, ?, ?, 'SKU', 'Thing', 'each', ?, ?, ?, ?, ?, ?, ?)`,
    ),
    tender: till.db.prepare('INSERT INTO tender (id, order_id, kind, amount, tendered, change) VALUES (?, ?, ?, ?, ?, ?)'),
  };
}
let insert: ReturnType<typeof statements>;

/** Writes an order the way db/migrations/0004-sales.sql describes it; the sale code is written elsewhere. */
function insertOrder(o: Order) {
  const at = clock.toISOString();
  const taxTotal = o.lines.reduce((s, l) => s + l.tax, 0);
  const done = !['open', 'parked'].includes(o.state);
  insert.order.run(
    o.id,
    done ? `T01-${o.id}` : null,
    o.kind,
    o.state,
    o.original ?? null,
    manager.id,
    o.shiftId,
    o.orderDiscount ?? 0,
    taxTotal,
    o.total,
    o.cashRounding ?? 0,
    at,
    done ? at : null,
    o.state === 'voided' ? at : null,
    o.state === 'voided' ? manager.id : null,
  );
  o.lines.forEach((l, i) => {
    insert.line.run(
      `${o.id}-l${i}`,
      o.id,
      i,
      l.rate === 2000 ? 'p-std' : 'p-red',
      l.qty,
      l.unitPrice,
      l.lineDiscount ?? 0,
      l.orderDiscount ?? 0,
      l.rate,
      l.tax,
      l.total,
    );
  });
  o.tenders.forEach((t, i) => {
    insert.tender.run(`${o.id}-t${i}`, o.id, t.kind, t.amount, t.tendered ?? null, t.change ?? 0);
  });
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tilldesk-'));
  store = openStore({ dataDir: dir });
  clock = new Date('2025-03-03T08:00:00.000Z');
  till = openTill(store, { now: () => clock });
  api = createTillApi(till, { transport: 'http', version: 'test' });
  writeSettings(store, { idleLockSeconds: 0, cashRoundingStep: 5, tillCode: 'T01', currency: 'EUR' });
  manager = createStaff(till, { name: 'Mia Manager', role: 'manager', pin: '4821' });
  const at = clock.toISOString();
  till.db.exec(`INSERT INTO tax_class (id, name, rate_bp) VALUES ('std', 'Standard', 2000), ('red', 'Reduced', 500)`);
  till.db
    .prepare(
      `INSERT INTO product (id, sku, name, price, tax_class_id, updated_at) VALUES
       ('p-std', 'STD', 'Standard thing', 1000, 'std', ?), ('p-red', 'RED', 'Reduced thing', 420, 'red', ?)`,
    )
    .run(at, at);
  insert = statements();
});

afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('X and Z reports', () => {
  it('adds up sales, refunds, voids, discounts, tax, tenders, rounding and cash to hand-computed figures', async () => {
    // An earlier, closed shift whose sale must not leak into this one.
    till.db
      .prepare(
        `INSERT INTO shift (id, opened_by, opened_at, float, closed_by, closed_at, counted_cash, expected_cash)
         VALUES ('old', ?, '2025-03-02T08:00:00.000Z', 5000, ?, '2025-03-02T18:00:00.000Z', 5999, 5999)`,
      )
      .run(manager.id, manager.id);
    insertOrder({
      id: 'G',
      kind: 'sale',
      state: 'completed',
      shiftId: 'old',
      total: 999,
      lines: [{ rate: 2000, qty: 1000, unitPrice: 999, tax: 167, total: 999 }],
      tenders: [{ kind: 'cash', amount: 999, tendered: 1000, change: 1 }],
    });

    await ok('staff.signIn', { staffId: manager.id, pin: '4821' });
    const { id: shiftId } = await ok('shift.open', { float: 10_000 });

    // A: two lines, one with a line discount; cash with change (the change never counts).
    insertOrder({
      id: 'A',
      kind: 'sale',
      state: 'completed',
      shiftId,
      total: 1320,
      lines: [
        { rate: 2000, qty: 2000, unitPrice: 500, lineDiscount: 100, tax: 150, total: 900 },
        { rate: 500, qty: 1000, unitPrice: 420, tax: 20, total: 420 },
      ],
      tenders: [{ kind: 'cash', amount: 1320, tendered: 2000, change: 680 }],
    });
    // B: an order discount, split card + cash; later partly refunded (still a sale of this shift).
    insertOrder({
      id: 'B',
      kind: 'sale',
      state: 'partially_refunded',
      shiftId,
      total: 2700,
      orderDiscount: 300,
      lines: [{ rate: 2000, qty: 3000, unitPrice: 1000, orderDiscount: 300, tax: 450, total: 2700 }],
      tenders: [
        { kind: 'card', amount: 2000 },
        { kind: 'cash', amount: 700, tendered: 700 },
      ],
    });
    // C: cash rounding 12.34 → 12.35: the cash tender carries the rounding.
    insertOrder({
      id: 'C',
      kind: 'sale',
      state: 'completed',
      shiftId,
      total: 1234,
      cashRounding: 1,
      lines: [{ rate: 500, qty: 1000, unitPrice: 1234, tax: 59, total: 1234 }],
      tenders: [{ kind: 'cash', amount: 1235, tendered: 1300, change: 65 }],
    });
    // D: voided, so a void only: not a sale, not tax, not a discount, not cash.
    insertOrder({
      id: 'D',
      kind: 'sale',
      state: 'voided',
      shiftId,
      total: 600,
      lines: [{ rate: 2000, qty: 1000, unitPrice: 650, lineDiscount: 50, tax: 100, total: 600 }],
      tenders: [{ kind: 'cash', amount: 600, tendered: 600 }],
    });
    // R1: refund of one unit of B to the card (refund lines stored with positive figures).
    insertOrder({
      id: 'R1',
      kind: 'refund',
      state: 'completed',
      shiftId,
      original: 'B',
      total: -900,
      lines: [{ rate: 2000, qty: 1000, unitPrice: 1000, orderDiscount: 100, tax: 150, total: 900 }],
      tenders: [{ kind: 'card', amount: -900 }],
    });
    // R2: refund of A's reduced-rate line in cash (refund lines stored negative).
    insertOrder({
      id: 'R2',
      kind: 'refund',
      state: 'completed',
      shiftId,
      original: 'A',
      total: -420,
      lines: [{ rate: 500, qty: 1000, unitPrice: 420, tax: -20, total: -420 }],
      tenders: [{ kind: 'cash', amount: -420 }],
    });
    // E and F: a cart still open and a parked one: nothing yet.
    for (const [id, state] of [
      ['E', 'open'],
      ['F', 'parked'],
    ] as const) {
      insertOrder({
        id,
        kind: 'sale',
        state,
        shiftId,
        total: 5000,
        lines: [{ rate: 2000, qty: 5000, unitPrice: 1000, lineDiscount: 0, tax: 833, total: 5000 }],
        tenders: [],
      });
    }
    await ok('shift.cashMovement', { kind: 'in', amount: 5000, reason: 'Change from the bank' });
    await ok('shift.cashMovement', { kind: 'out', amount: 2500, reason: 'Supplier paid in cash' });
    await ok('shift.noSale', { reason: 'Check a note' });
    await ok('shift.noSale', { reason: 'Swap coins' });

    const figures = {
      shiftId,
      tillCode: 'T01',
      currency: 'EUR',
      openedBy: { id: manager.id, name: 'Mia Manager' },
      float: 10_000,
      sales: { count: 3, total: 1320 + 2700 + 1234 },
      refunds: { count: 2, total: -900 - 420 },
      voids: { count: 1, total: 600 },
      discounts: 100 + 300,
      taxByRate: [
        { rateBp: 500, salesTax: 20 + 59, refundTax: -20, tax: 59, total: 420 + 1234 - 420 },
        { rateBp: 2000, salesTax: 150 + 450, refundTax: -150, tax: 450, total: 900 + 2700 - 900 },
      ],
      tenders: [
        { kind: 'cash', sales: 1320 + 700 + 1235, refunds: -420, net: 3255 - 420 },
        { kind: 'card', sales: 2000, refunds: -900, net: 1100 },
      ],
      cashRounding: 1,
      cashIn: 5000,
      cashOut: 2500,
      noSales: 2,
      expectedCash: 10_000 + 2835 + 5000 - 2500, // 15 335
    };

    advance(3600);
    const x = await ok('shift.xReport', {});
    expect(x).toEqual({
      ...figures,
      kind: 'X',
      openedAt: '2025-03-03T08:00:00.000Z',
      closedAt: null,
      closedBy: null,
      printedAt: clock.toISOString(),
      countedCash: null,
      overShort: null,
    });
    // Σ tenders = Σ (total + cash rounding) over the orders that count.
    const tenderSum = x.tenders.reduce((s, t) => s + t.net, 0);
    expect(tenderSum).toBe(x.sales.total + x.refunds.total + x.cashRounding);

    advance(3600);
    const closed = await ok('shift.close', { counted: 15_300 });
    expect(closed).toMatchObject({ expected: 15_335, counted: 15_300, overShort: -35 });
    expect(closed.zReport).toEqual({
      ...figures,
      kind: 'Z',
      openedAt: '2025-03-03T08:00:00.000Z',
      closedAt: clock.toISOString(),
      closedBy: { id: manager.id, name: 'Mia Manager' },
      printedAt: clock.toISOString(),
      countedCash: 15_300,
      overShort: -35,
    });

    const old = shiftReport(till, 'old');
    expect(old).toMatchObject({
      kind: 'Z',
      sales: { count: 1, total: 999 },
      refunds: { count: 0, total: 0 },
      voids: { count: 0, total: 0 },
      tenders: [{ kind: 'cash', sales: 999, refunds: 0, net: 999 }],
      taxByRate: [{ rateBp: 2000, salesTax: 167, refundTax: 0, tax: 167, total: 999 }],
      expectedCash: 5999,
      countedCash: 5999,
      overShort: 0,
    });
  });

  it('an empty shift reports its float, and a surplus shows as over', async () => {
    await ok('staff.signIn', { staffId: manager.id, pin: '4821' });
    await ok('shift.open', { float: 7_500 });
    const x = await ok('shift.xReport', {});
    expect(x).toMatchObject({
      sales: { count: 0, total: 0 },
      refunds: { count: 0, total: 0 },
      voids: { count: 0, total: 0 },
      discounts: 0,
      taxByRate: [],
      tenders: [],
      cashRounding: 0,
      expectedCash: 7_500,
    });
    expect(await ok('shift.close', { counted: 7_520 })).toMatchObject({ expected: 7_500, overShort: 20 });
  });

  it('reports a busy shift among many others from the store alone', async () => {
    await ok('staff.signIn', { staffId: manager.id, pin: '4821' });
    till.db
      .prepare(
        `INSERT INTO shift (id, opened_by, opened_at, float, closed_by, closed_at, counted_cash, expected_cash)
         VALUES ('older', ?, '2025-03-01T08:00:00.000Z', 0, ?, '2025-03-01T18:00:00.000Z', 0, 0)`,
      )
      .run(manager.id, manager.id);
    const { id: shiftId } = await ok('shift.open', { float: 0 });
    const orders = 20_000;
    till.db.transaction(() => {
      for (let i = 0; i < orders * 2; i++) {
        const price = 100 + (i % 50);
        insertOrder({
          id: `o${i}`,
          kind: 'sale',
          state: 'completed',
          shiftId: i % 2 === 0 ? shiftId : 'older',
          total: price,
          lines: [{ rate: 2000, qty: 1000, unitPrice: price, tax: Math.round(price / 6), total: price }],
          tenders: [{ kind: i % 4 === 0 ? 'cash' : 'card', amount: price }],
        });
      }
    })();
    const started = performance.now();
    const x = shiftReport(till, shiftId);
    console.log(
      `X report over ${orders} sales (${orders * 2} orders in the store): ${(performance.now() - started).toFixed(1)} ms`,
    );
    let total = 0;
    let cash = 0;
    for (let i = 0; i < orders * 2; i += 2) {
      total += 100 + (i % 50);
      if (i % 4 === 0) cash += 100 + (i % 50);
    }
    expect(x.sales).toEqual({ count: orders, total });
    expect(x.expectedCash).toBe(cash);
  });
});
