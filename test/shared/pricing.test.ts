import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TillError } from '../../shared/errors.ts';
import { discountShareBp, type LineInput, type OrderTotals, priceOrder } from '../../shared/pricing.ts';
import type { TaxMode } from '../../shared/settings.ts';

function failure(fn: () => unknown) {
  try {
    fn();
  } catch (error) {
    if (error instanceof TillError) return { code: error.code, reason: error.reason, params: error.params };
    throw error;
  }
  throw new Error('expected a TillError, nothing was thrown');
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
const line = (unitPrice: number, quantity: number, taxRateBp: number, lineDiscount = 0): LineInput => ({
  unitPrice,
  quantity,
  lineDiscount,
  taxRateBp,
});

/** Rates a European or Asian shop really uses, plus the odd one anywhere in range. */
const rate = fc.oneof(
  fc.constantFrom(0, 500, 700, 800, 900, 1000, 1300, 1900, 2000, 2100, 2500, 2700),
  fc.integer({ min: 0, max: 100_000 }),
);

/** A cart: prices up to 10,000.00, quantities 0.001 to 100, line discounts as a share of gross. */
const cart = fc
  .array(
    fc.record({
      unitPrice: fc.oneof(fc.integer({ min: 0, max: 2_000 }), fc.integer({ min: 0, max: 1_000_000 })),
      quantity: fc.oneof(
        fc.integer({ min: 1, max: 10 }).map((n) => n * 1000),
        fc.integer({ min: 1, max: 100_000 }),
      ),
      taxRateBp: rate,
      discountPermille: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 1000 })),
    }),
    { minLength: 0, maxLength: 25 },
  )
  .map((rows) =>
    rows.map((row) => {
      // Independent reference for gross: these products stay far below 2^53, so float is exact.
      const gross = Math.floor((row.unitPrice * row.quantity + 500) / 1000);
      return { ...line(row.unitPrice, row.quantity, row.taxRateBp, Math.floor((gross * row.discountPermille) / 1000)), gross };
    }),
  );

const order = fc.record({
  lines: cart,
  orderPermille: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 1000 })),
  mode: fc.constantFrom<TaxMode>('inclusive', 'exclusive'),
});

function priceRandom({
  lines,
  orderPermille,
  mode,
}: {
  lines: (LineInput & { gross: number })[];
  orderPermille: number;
  mode: TaxMode;
}) {
  const left = sum(lines.map((l) => l.gross - l.lineDiscount));
  const orderDiscount = Math.floor((left * orderPermille) / 1000);
  return { totals: priceOrder(lines, orderDiscount, mode), orderDiscount, left };
}

function expectWhole(totals: OrderTotals) {
  for (const value of [totals.subtotal, totals.discountTotal, totals.net, totals.taxTotal, totals.total]) {
    expect(Number.isSafeInteger(value) && value >= 0).toBe(true);
  }
}

describe('priceOrder — worked examples', () => {
  it('3 × 1.99 at 20% VAT, tax-inclusive: 99.5 cents of tax rounds up to 1.00', () => {
    const totals = priceOrder([line(199, 3000, 2000)], 0, 'inclusive');
    expect(totals.lines).toEqual([{ gross: 597, lineDiscount: 0, orderDiscount: 0, net: 497, tax: 100, total: 597 }]);
    expect(totals).toMatchObject({ subtotal: 597, discountTotal: 0, net: 497, taxTotal: 100, total: 597 });
    expect(totals.taxes).toEqual([{ rateBp: 2000, net: 497, tax: 100, total: 597 }]);
  });

  it('3 × 1.99 at 20%, tax-exclusive: 1.194 of tax rounds to 1.19', () => {
    const totals = priceOrder([line(199, 3000, 2000)], 0, 'exclusive');
    expect(totals.lines[0]).toEqual({ gross: 597, lineDiscount: 0, orderDiscount: 0, net: 597, tax: 119, total: 716 });
    expect(totals.total).toBe(716);
  });

  it('JPY: 3 × ¥108 at 10% inclusive, 2 × ¥980 at 8% exclusive', () => {
    expect(priceOrder([line(108, 3000, 1000)], 0, 'inclusive').lines[0]).toMatchObject({ net: 295, tax: 29, total: 324 });
    expect(priceOrder([line(980, 2000, 800)], 0, 'exclusive').lines[0]).toMatchObject({ net: 1960, tax: 157, total: 2117 });
  });

  it('a weighed line rounds once: 0.375 kg at 12.99/kg = 4.87125 → 4.87', () => {
    expect(priceOrder([line(1299, 375, 700)], 0, 'inclusive').lines[0]?.gross).toBe(487);
  });

  it('a German basket at 7% and 19% with a line discount and 5.00 off the order', () => {
    const totals = priceOrder(
      [
        line(149, 2000, 700), // 2 × rolls 1.49
        line(1299, 375, 700), // 0.375 kg cheese at 12.99/kg
        line(2499, 1000, 1900, 250), // a kettle 24.99, 2.50 off
      ],
      500,
      'inclusive',
    );
    // Order discount over 2.98 : 4.87 : 22.49 → 49.11, 80.26, 370.63; the spare cent goes to .63.
    expect(totals.lines.map((l) => l.orderDiscount)).toEqual([49, 80, 371]);
    expect(totals.lines.map((l) => l.total)).toEqual([249, 407, 1878]);
    // 16.29 → 16, 26.63 → 27, 299.85 → 300
    expect(totals.lines.map((l) => l.tax)).toEqual([16, 27, 300]);
    expect(totals).toMatchObject({ subtotal: 3284, discountTotal: 750, net: 2191, taxTotal: 343, total: 2534 });
    expect(totals.taxes).toEqual([
      { rateBp: 700, net: 613, tax: 43, total: 656 },
      { rateBp: 1900, net: 1578, tax: 300, total: 1878 },
    ]);
  });

  it('an empty cart and a fully discounted one cost nothing', () => {
    expect(priceOrder([], 0, 'exclusive')).toEqual({
      lines: [],
      subtotal: 0,
      discountTotal: 0,
      net: 0,
      taxTotal: 0,
      total: 0,
      taxes: [],
    });
    const free = priceOrder([line(500, 1000, 2000, 200), line(300, 1000, 700)], 600, 'exclusive');
    expect(free.total).toBe(0);
    expect(free.lines.map((l) => l.orderDiscount)).toEqual([300, 300]);
  });

  it('keeps exact figures when unitPrice × quantity passes 2^53', () => {
    // 45,000,000,000,000.01 × 0.999 → products near 4.5e18, computed exactly.
    const totals = priceOrder([line(4_500_000_000_000_001, 999, 0)], 0, 'exclusive');
    expect(totals.lines[0]?.gross).toBe(4_495_500_000_000_001); // …000.999 rounds up
    expect(failure(() => priceOrder([line(9_000_000_000_000_000, 2000, 0)], 0, 'exclusive'))).toMatchObject({
      code: 'invalid_input',
      reason: 'amount_too_large',
    });
    expect(
      failure(() => priceOrder([line(5_000_000_000_000_000, 1000, 0), line(5_000_000_000_000_000, 1000, 0)], 0, 'exclusive')),
    ).toMatchObject({
      reason: 'amount_too_large',
    });
  });
});

describe('priceOrder — properties', () => {
  it('every line has net + tax = total and nothing is negative', () => {
    fc.assert(
      fc.property(order, (input) => {
        const { totals } = priceRandom(input);
        totals.lines.forEach((l, i) => {
          const given = input.lines[i];
          expect(l.gross).toBe(given?.gross);
          expect(l.net + l.tax).toBe(l.total);
          for (const v of Object.values(l)) expect(Number.isSafeInteger(v) && v >= 0).toBe(true);
          const after = l.gross - l.lineDiscount - l.orderDiscount;
          expect(input.mode === 'inclusive' ? l.total : l.net).toBe(after);
        });
        expectWhole(totals);
      }),
      { numRuns: 1000 },
    );
  });

  it('order totals and tax bands are the exact sums of the lines', () => {
    fc.assert(
      fc.property(order, (input) => {
        const { totals, orderDiscount } = priceRandom(input);
        const { lines } = totals;
        expect(totals.subtotal).toBe(sum(lines.map((l) => l.gross)));
        expect(totals.discountTotal).toBe(sum(lines.map((l) => l.lineDiscount)) + orderDiscount);
        expect(totals.net).toBe(sum(lines.map((l) => l.net)));
        expect(totals.taxTotal).toBe(sum(lines.map((l) => l.tax)));
        expect(totals.total).toBe(sum(lines.map((l) => l.total)));
        expect(totals.net + totals.taxTotal).toBe(totals.total);
        const before = totals.subtotal - totals.discountTotal;
        expect(input.mode === 'inclusive' ? totals.total : totals.net).toBe(before);

        const rates = totals.taxes.map((b) => b.rateBp);
        expect(rates).toEqual([...new Set(input.lines.map((l) => l.taxRateBp))].sort((a, b) => a - b));
        for (const band of totals.taxes) {
          const inBand = lines.filter((_, i) => input.lines[i]?.taxRateBp === band.rateBp);
          expect(band).toEqual({
            rateBp: band.rateBp,
            net: sum(inBand.map((l) => l.net)),
            tax: sum(inBand.map((l) => l.tax)),
            total: sum(inBand.map((l) => l.total)),
          });
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('the order discount allocates exactly, in proportion, never past a line', () => {
    fc.assert(
      fc.property(order, (input) => {
        const { totals, orderDiscount, left } = priceRandom(input);
        expect(sum(totals.lines.map((l) => l.orderDiscount))).toBe(orderDiscount);
        totals.lines.forEach((l) => {
          const base = l.gross - l.lineDiscount;
          expect(l.orderDiscount).toBeLessThanOrEqual(base);
          // within one cent of orderDiscount × base / left
          const gap = BigInt(l.orderDiscount) * BigInt(left) - BigInt(orderDiscount) * BigInt(base);
          if (left > 0) expect(gap < BigInt(left) && gap > -BigInt(left)).toBe(true);
        });
      }),
      { numRuns: 1000 },
    );
  });

  it('each line’s tax is the exact tax rounded half away from zero', () => {
    fc.assert(
      fc.property(order, (input) => {
        const { totals } = priceRandom(input);
        totals.lines.forEach((l, i) => {
          const r = BigInt(input.lines[i]?.taxRateBp ?? 0);
          const amount = BigInt(l.gross - l.lineDiscount - l.orderDiscount);
          // inclusive: tax ≈ A·r/(10000+r); exclusive: tax ≈ A·r/10000
          const d = input.mode === 'inclusive' ? 10_000n + r : 10_000n;
          const error = 2n * (BigInt(l.tax) * d - amount * r);
          expect(error <= d && error > -d).toBe(true); // a tie (error = −d) would have rounded up
        });
      }),
      { numRuns: 1000 },
    );
  });
});

describe('priceOrder — refusals', () => {
  const ok = line(1000, 1000, 2000);

  it('refuses a line discount over its line and an order discount over what is left', () => {
    expect(failure(() => priceOrder([ok, line(199, 3000, 2000, 598)], 0, 'inclusive'))).toEqual({
      code: 'rejected',
      reason: 'discount_over_line',
      params: { line: 1, max: 597 },
    });
    expect(failure(() => priceOrder([ok, line(500, 1000, 0, 100)], 1401, 'inclusive'))).toEqual({
      code: 'rejected',
      reason: 'discount_over_order',
      params: { max: 1400 },
    });
    expect(failure(() => priceOrder([], 1, 'inclusive'))).toMatchObject({ reason: 'discount_over_order', params: { max: 0 } });
    expect(priceOrder([ok, line(500, 1000, 0, 100)], 1400, 'inclusive').total).toBe(0);
  });

  it('refuses over-discounts whatever the cart', () => {
    fc.assert(
      fc.property(order, fc.integer({ min: 1, max: 1_000_000 }), (input, over) => {
        const left = sum(input.lines.map((l) => l.gross - l.lineDiscount));
        expect(failure(() => priceOrder(input.lines, left + over, input.mode))).toMatchObject({
          reason: 'discount_over_order',
          params: { max: left },
        });
        const index = input.lines.length - 1;
        fc.pre(index >= 0);
        const lines = input.lines.map((l, i) => (i === index ? { ...l, lineDiscount: l.gross + over } : l));
        expect(failure(() => priceOrder(lines, 0, input.mode))).toMatchObject({
          reason: 'discount_over_line',
          params: { line: index },
        });
      }),
      { numRuns: 500 },
    );
  });

  it('refuses negative, fractional or missing amounts', () => {
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(failure(() => priceOrder([line(bad, 1000, 0)], 0, 'inclusive'))).toEqual({
        code: 'rejected',
        reason: 'invalid_amount',
        params: { field: 'unitPrice', line: 0 },
      });
      expect(failure(() => priceOrder([ok, line(100, 1000, 0, bad)], 0, 'inclusive'))).toMatchObject({
        reason: 'invalid_amount',
        params: { field: 'lineDiscount', line: 1 },
      });
      expect(failure(() => priceOrder([ok], bad, 'exclusive'))).toMatchObject({
        reason: 'invalid_amount',
        params: { field: 'orderDiscount' },
      });
    }
  });

  it('refuses quantities that are not positive whole thousandths', () => {
    for (const bad of [0, -1000, 1.5, Number.NaN]) {
      expect(failure(() => priceOrder([line(100, bad, 0)], 0, 'inclusive'))).toEqual({
        code: 'rejected',
        reason: 'invalid_quantity',
        params: { line: 0 },
      });
    }
  });

  it('refuses tax rates outside 0–1000%', () => {
    for (const bad of [-1, 100_001, 12.5, Number.NaN]) {
      expect(failure(() => priceOrder([line(100, 1000, bad)], 0, 'inclusive'))).toMatchObject({
        code: 'rejected',
        reason: 'invalid_tax_rate',
      });
    }
    expect(priceOrder([line(100, 1000, 100_000)], 0, 'exclusive').lines[0]).toMatchObject({ tax: 1000, total: 1100 });
    expect(priceOrder([line(1, 1000, 100_000)], 0, 'inclusive').lines[0]).toMatchObject({ net: 0, tax: 1, total: 1 });
  });
});

describe('discountShareBp', () => {
  it('rounds up so a hair over the limit counts as over', () => {
    expect(discountShareBp(1000, 10_000)).toBe(1000); // exactly 10%
    expect(discountShareBp(10_001, 100_000)).toBe(1001); // 10.001%
    expect(discountShareBp(1, 3)).toBe(3334);
    expect(discountShareBp(597, 597)).toBe(10_000);
    expect(discountShareBp(0, 0)).toBe(0);
    expect(discountShareBp(1, 0)).toBe(Number.MAX_SAFE_INTEGER);
    expect(failure(() => discountShareBp(-1, 100))).toMatchObject({ code: 'rejected', reason: 'invalid_amount' });
  });

  it('is the smallest whole bp at or above the true share', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e13 }), fc.integer({ min: 0, max: 1e13 }), (base, raw) => {
        const discount = raw % (base + 1);
        const bp = BigInt(discountShareBp(discount, base));
        const scaled = BigInt(discount) * 10_000n;
        expect(bp * BigInt(base) >= scaled).toBe(true);
        expect((bp - 1n) * BigInt(base) < scaled || bp === 0n).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});
