/**
 * The till's guess of a sale before the store answers (renderer/src/pending.ts), checked
 * against what the real store (a SQLite file in a temp folder) commits for the same actions.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type CartAction,
  type CartOrder,
  keepUnchanged,
  type LineGuess,
  outcomeOf,
  type PendingAction,
  pendingLineId,
  predict,
  requestOf,
  retryDelay,
  sameSale,
} from '../../renderer/src/pending.ts';
import type { Order } from '../../shared/sale.ts';
import { makeShop } from '../support/till.ts';

type Shop = ReturnType<typeof makeShop>;
let shop: Shop | undefined;
afterEach(() => {
  shop?.close();
  shop = undefined;
});

const noNames = new Map<string, string>();

/** What a cashier sees of a sale: every figure the screen shows. */
function shown(order: Pick<Order, 'lines' | 'subtotal' | 'discountTotal' | 'taxTotal' | 'total'> | null) {
  if (!order) return null;
  return {
    lines: order.lines.map((l) => [l.productId, l.quantity, l.unitPrice, l.lineDiscount, l.orderDiscount, l.tax, l.total]),
    subtotal: order.subtotal,
    discountTotal: order.discountTotal,
    taxTotal: order.taxTotal,
    total: order.total,
  };
}

async function guessesFor(s: Shop) {
  const product = (id: string, quantity = 1000): LineGuess => {
    const row = s.till.db
      .prepare(
        'SELECT p.sku, p.name, p.unit, p.price, t.rate_bp FROM product p JOIN tax_class t ON t.id = p.tax_class_id WHERE p.id = ?',
      )
      .get(id) as { sku: string; name: string; unit: 'each' | 'weight'; price: number; rate_bp: number };
    return {
      productId: id,
      sku: row.sku,
      name: row.name,
      unit: row.unit,
      quantity,
      unitPrice: row.price,
      taxRateBp: row.rate_bp,
    };
  };
  return product;
}

describe('the guessed sale', () => {
  it('matches, figure for figure, what the store commits for any run of scans, picks, edits and discounts', async () => {
    const kinds = fc.oneof(
      fc.record({
        kind: fc.constant('add' as const),
        product: fc.integer({ min: 0, max: 3 }),
        times: fc.integer({ min: 1, max: 4 }),
      }),
      fc.record({ kind: fc.constant('scan' as const), product: fc.integer({ min: 0, max: 1 }) }),
      fc.record({ kind: fc.constant('quantity' as const), line: fc.nat(), times: fc.integer({ min: 1, max: 9 }) }),
      fc.record({ kind: fc.constant('lineDiscount' as const), line: fc.nat(), cents: fc.integer({ min: 0, max: 40 }) }),
      fc.record({ kind: fc.constant('remove' as const), line: fc.nat() }),
      fc.record({ kind: fc.constant('orderDiscount' as const), cents: fc.integer({ min: 0, max: 60 }) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(kinds, { minLength: 1, maxLength: 12 }), fc.boolean(), async (steps, exclusive) => {
        const s = makeShop({ taxMode: exclusive ? 'exclusive' : 'inclusive' });
        try {
          const guess = await guessesFor(s);
          const ids = [s.products.milk, s.products.bread, s.products.soap, s.products.apples];
          const codes = ['4006381333931', '5012345678900'];
          let confirmed: Order | null = null;
          for (const [n, step] of steps.entries()) {
            const lines = confirmed?.lines ?? [];
            let action: CartAction | null = null;
            if (step.kind === 'add') {
              const id = ids[step.product] ?? '';
              const quantity = id === s.products.apples ? 250 * step.times : 1000 * step.times;
              action = { kind: 'add', productId: id, quantity, guess: guess(id, quantity) };
            } else if (step.kind === 'scan') {
              action = { kind: 'scan', code: codes[step.product] ?? '', guess: guess(ids[step.product] ?? '') };
            } else if (step.kind === 'orderDiscount') {
              action = { kind: 'orderDiscount', amount: step.cents };
            } else if (lines.length > 0) {
              const line = lines[step.line % lines.length];
              if (!line) continue;
              if (step.kind === 'remove') action = { kind: 'removeLine', lineId: line.id };
              else if (step.kind === 'lineDiscount') action = { kind: 'updateLine', lineId: line.id, lineDiscount: step.cents };
              else if (line.unit === 'each') action = { kind: 'updateLine', lineId: line.id, quantity: step.times * 1000 };
            }
            if (!action) continue;
            const pending: PendingAction = { seq: n + 1, action, lineId: pendingLineId(n + 1) };
            const request = requestOf(pending, noNames);
            if (!request) throw new Error('every line here is the store’s');
            const before = predict(confirmed, [pending], noNames, exclusive ? 'exclusive' : 'inclusive');
            const answer = await s.api.call(request.name, request.input);
            if (!answer.ok) {
              expect(answer.error.code).not.toBe('internal');
              // Over the cashier's limit: it waits for a manager (shown meanwhile), the store unchanged.
              if (answer.error.reason === 'needs_manager') continue;
              // Refused for good (a discount over the line): the guess leaves such an action out,
              // so it shows the sale as it stands.
              expect(shown(before)).toEqual(shown(predict(confirmed, [], noNames, exclusive ? 'exclusive' : 'inclusive')));
              continue;
            }
            confirmed = answer.value as Order;
            expect(shown(before)).toEqual(shown(confirmed));
          }
        } finally {
          s.close();
        }
      }),
      { numRuns: 25 },
    );
  });

  it('shows a scan still being looked up only once its product is known, and one the store cannot be asked about by its code', () => {
    const looking: PendingAction = {
      seq: 1,
      action: { kind: 'scan', code: '4006381333931', guess: 'looking' },
      lineId: pendingLineId(1),
    };
    expect(predict(null, [looking], noNames, 'inclusive')).toBeNull();
    const unknown: PendingAction = { ...looking, action: { kind: 'scan', code: '4006381333931', guess: 'unknown' } };
    const order = predict(null, [unknown], noNames, 'inclusive');
    expect(order?.lines.map((l) => [l.name, l.priced, l.saved])).toEqual([['4006381333931', false, false]]);
    expect(order?.priced).toBe(false);
  });

  it('empties the till when a sale is paid, parked or cleared, and starts the next one after it', () => {
    const guess: LineGuess = {
      productId: 'p',
      sku: 'P',
      name: 'Pear',
      unit: 'each',
      quantity: 1000,
      unitPrice: 120,
      taxRateBp: 0,
    };
    const steps: CartAction[] = [
      { kind: 'add', productId: 'p', guess },
      { kind: 'complete', tenders: [{ kind: 'cash', amount: 200 }], total: 120, change: 80 },
      { kind: 'add', productId: 'p', guess: { ...guess, quantity: 2000 } },
    ];
    const pending = steps.map((action, i) => ({ seq: i + 1, action, lineId: pendingLineId(i + 1) }));
    expect(predict(null, pending.slice(0, 2), noNames, 'inclusive')).toBeNull();
    const next = predict(null, pending, noNames, 'inclusive');
    expect(next?.lines.map((l) => [l.id, l.quantity, l.total])).toEqual([[pendingLineId(3), 2000, 240]]);
  });
});

describe('sending the actions', () => {
  it('names a line by the store’s id once its scan committed, and drops an edit of a line that never reached the store', () => {
    const edit: PendingAction = {
      seq: 2,
      action: { kind: 'updateLine', lineId: pendingLineId(1), quantity: 3000 },
      lineId: pendingLineId(2),
    };
    expect(requestOf(edit, new Map([[pendingLineId(1), 'line-7']]))).toEqual({
      name: 'sale.updateLine',
      input: { lineId: 'line-7', quantity: 3000 },
    });
    expect(requestOf(edit, noNames)).toBeNull();
    const remove: PendingAction = { seq: 3, action: { kind: 'removeLine', lineId: 'line-7' }, lineId: pendingLineId(3) };
    expect(requestOf(remove, noNames)).toEqual({ name: 'sale.removeLine', input: { lineId: 'line-7' } });
  });

  it('keeps what the store could not save, asks a manager when it needs one, drops what it refused', () => {
    expect(outcomeOf({ code: 'unavailable', reason: 'store_read_only', message: '' })).toBe('retry');
    expect(outcomeOf({ code: 'unavailable', reason: 'host_unreachable', message: '' })).toBe('retry');
    expect(outcomeOf({ code: 'internal', reason: 'internal', message: '' })).toBe('retry');
    expect(outcomeOf({ code: 'unauthorized', reason: 'idle_locked', message: '' })).toBe('retry');
    expect(outcomeOf({ code: 'unauthorized', reason: 'not_signed_in', message: '' })).toBe('retry');
    // A manager's wrong PIN sent again would only lock the manager out.
    expect(outcomeOf({ code: 'unauthorized', reason: 'wrong_pin', message: '', params: { left: 4 } })).toBe('refused');
    expect(
      outcomeOf({ code: 'forbidden', reason: 'needs_manager', message: '', params: { permission: 'discount_over_limit' } }),
    ).toBe('manager');
    expect(outcomeOf({ code: 'not_found', reason: 'unknown_barcode', message: '' })).toBe('refused');
    expect(outcomeOf({ code: 'rejected', reason: 'tender_short', message: '' })).toBe('refused');
    expect([0, 1, 2, 3, 4, 5, 50].map(retryDelay)).toEqual([500, 1000, 2000, 4000, 8000, 8000, 8000]);
  });

  it('tells a sale that moved on from one that did not', async () => {
    shop = makeShop();
    const one = await shop.ok<Order>('sale.scan', { code: '4006381333931' });
    const same = await shop.ok<Order>('sale.current', {});
    expect(sameSale(one, same)).toBe(true);
    const two = await shop.ok<Order>('sale.scan', { code: '4006381333931' });
    expect(sameSale(one, two)).toBe(false);
    expect(sameSale(null, null)).toBe(true);
    expect(sameSale(one, null)).toBe(false);
  });
});

describe('re-rendering only what changed', () => {
  it('keeps the objects of unchanged lines, and the whole sale when nothing changed', async () => {
    shop = makeShop();
    await shop.ok('sale.scan', { code: '4006381333931' });
    const confirmed = await shop.ok<Order>('sale.scan', { code: '5012345678900' });
    const guess = await guessesFor(shop);
    const first = predict(confirmed, [], noNames, 'inclusive');
    const again = keepUnchanged(first, predict(confirmed, [], noNames, 'inclusive'));
    expect(again).toBe(first);
    const scan: PendingAction = {
      seq: 1,
      action: { kind: 'add', productId: shop.products.soap, guess: guess(shop.products.soap) },
      lineId: pendingLineId(1),
    };
    const next = keepUnchanged(first, predict(confirmed, [scan], noNames, 'inclusive')) as CartOrder;
    expect(next).not.toBe(first);
    expect(next.lines[0]).toBe(first?.lines[0]);
    expect(next.lines[1]).toBe(first?.lines[1]);
    expect(next.lines[2]?.saved).toBe(false);
  });
});
