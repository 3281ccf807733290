import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocateRefund, type PaidTender, roundCash, settle, type TenderInput, tenderKinds } from '../../shared/cash.ts';
import { TillError } from '../../shared/errors.ts';

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
const nonCashKinds = tenderKinds.filter((k) => k !== 'cash');

describe('roundCash', () => {
  it('rounds to the nearest step, half away from zero', () => {
    expect(roundCash(1232, 5)).toBe(1230);
    expect(roundCash(1233, 5)).toBe(1235);
    expect(roundCash(1235, 10)).toBe(1240); // a tie goes up…
    expect(roundCash(-1235, 10)).toBe(-1240); // …and away from zero when negative
    expect(roundCash(1234, 10)).toBe(1230);
    expect(roundCash(1234, 1)).toBe(1234);
    expect(roundCash(49, 100)).toBe(0);
    expect(roundCash(50, 100)).toBe(100);
    expect(failure(() => roundCash(1.5, 5))).toMatchObject({ reason: 'not_whole_amount' });
    expect(() => roundCash(100, 0)).toThrow(RangeError);
  });

  it('lands on a multiple of the step, never more than half a step away', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), fc.integer({ min: 1, max: 100 }), (amount, step) => {
        const rounded = roundCash(amount, step);
        expect(rounded % step === 0).toBe(true);
        expect(2 * Math.abs(rounded - amount)).toBeLessThanOrEqual(step);
        if (2 * Math.abs(rounded - amount) === step) expect(Math.abs(rounded)).toBeGreaterThan(Math.abs(amount));
        expect(roundCash(-amount, step)).toBe(-rounded || 0);
        if (step === 1) expect(rounded).toBe(amount);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('settle — worked examples', () => {
  it('cash only, rounded to 0.05: 12.34 is paid as 12.35 from a 20 note', () => {
    expect(settle(1234, [{ kind: 'cash', amount: 2000 }], 5)).toEqual({
      total: 1234,
      cashRounding: 1,
      due: 1235,
      tenders: [{ kind: 'cash', applied: 1235, tendered: 2000, change: 765 }],
      change: 765,
    });
    expect(settle(1232, [{ kind: 'cash', amount: 1240 }], 5)).toMatchObject({ cashRounding: -2, due: 1230, change: 10 });
  });

  it('split tender: the card pays exactly, cash pays the rounded rest', () => {
    const result = settle(
      5003,
      [
        { kind: 'cash', amount: 2100 },
        { kind: 'card', amount: 3000, reference: 'AUTH 042917' },
      ],
      5,
    );
    expect(result).toEqual({
      total: 5003,
      cashRounding: 2, // 20.03 left for cash → 20.05
      due: 5005,
      tenders: [
        { kind: 'cash', applied: 2005, tendered: 2100, change: 95 },
        { kind: 'card', applied: 3000, tendered: 3000, change: 0, reference: 'AUTH 042917' },
      ],
      change: 95,
    });
  });

  it('an all-card sale is never rounded', () => {
    expect(settle(1234, [{ kind: 'card', amount: 1234 }], 5)).toMatchObject({ cashRounding: 0, due: 1234, change: 0 });
    expect(
      settle(
        1234,
        [
          { kind: 'voucher', amount: 1000 },
          { kind: 'store_credit', amount: 234 },
        ],
        10,
      ).due,
    ).toBe(1234);
  });

  it('JPY: ¥2,117 from a ¥5,000 note', () => {
    expect(settle(2117, [{ kind: 'cash', amount: 5000 }], 1)).toMatchObject({ cashRounding: 0, due: 2117, change: 2883 });
  });

  it('two cash tenders: the second pays only what the first left', () => {
    const result = settle(
      3550,
      [
        { kind: 'cash', amount: 2000 },
        { kind: 'cash', amount: 2000 },
      ],
      1,
    );
    expect(result.tenders.map((t) => [t.applied, t.change])).toEqual([
      [2000, 0],
      [1550, 450],
    ]);
  });

  it('a total of 0 settles with no tenders', () => {
    expect(settle(0, [], 5)).toEqual({ total: 0, cashRounding: 0, due: 0, tenders: [], change: 0 });
  });

  it('refuses a short tender, a card over the total and bad amounts', () => {
    expect(failure(() => settle(1234, [{ kind: 'cash', amount: 1000 }], 5))).toEqual({
      code: 'rejected',
      reason: 'tender_short',
      params: { short: 235 }, // 12.34 rounds to 12.35 for cash
    });
    expect(failure(() => settle(1234, [{ kind: 'card', amount: 1000 }], 5))).toMatchObject({
      reason: 'tender_short',
      params: { short: 234 }, // nothing is rounded without cash
    });
    expect(failure(() => settle(500, [], 1))).toMatchObject({ reason: 'tender_short', params: { short: 500 } });
    expect(
      failure(() =>
        settle(
          1000,
          [
            { kind: 'card', amount: 600 },
            { kind: 'voucher', amount: 500 },
          ],
          1,
        ),
      ),
    ).toEqual({
      code: 'rejected',
      reason: 'non_cash_over_total',
      params: { kind: 'voucher', amount: 500, max: 400 },
    });
    // One cent over is over; exactly what is left is fine.
    expect(failure(() => settle(1000, [{ kind: 'card', amount: 1001 }], 5))).toMatchObject({
      reason: 'non_cash_over_total',
      params: { kind: 'card', amount: 1001, max: 1000 },
    });
    expect(
      settle(
        1000,
        [
          { kind: 'card', amount: 600 },
          { kind: 'voucher', amount: 400 },
        ],
        5,
      ).due,
    ).toBe(1000);
    for (const bad of [0, -100, 1.5, Number.NaN]) {
      expect(failure(() => settle(1000, [{ kind: 'card', amount: bad }], 1))).toMatchObject({
        code: 'rejected',
        reason: 'invalid_amount',
        params: { tender: 0 },
      });
    }
    expect(failure(() => settle(-100, [{ kind: 'cash', amount: 100 }], 1))).toMatchObject({ reason: 'invalid_amount' });
  });
});

/** A valid sale: non-cash tenders that fit the total, and cash when anything is left. */
const sale = fc
  .record({
    nonCash: fc.array(fc.record({ kind: fc.constantFrom(...nonCashKinds), amount: fc.integer({ min: 1, max: 50_000 }) }), {
      maxLength: 4,
    }),
    cashPart: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 100_000 })),
    step: fc.constantFrom(1, 5, 10, 50, 100),
    // How much more than the cash part the customer hands over, as whole cash notes and coins.
    extra: fc.array(fc.integer({ min: 0, max: 5_000 }), { minLength: 1, maxLength: 3 }),
    cashFirst: fc.boolean(),
  })
  .map(({ nonCash, cashPart, step, extra, cashFirst }) => {
    const total = sum(nonCash.map((t) => t.amount)) + cashPart;
    // cashPart + step always covers cashPart rounded to the step.
    const cash: TenderInput[] =
      cashPart === 0 ? [] : extra.map((e, i) => ({ kind: 'cash', amount: i === 0 ? cashPart + step + e : e + 1 }));
    const tenders: TenderInput[] = cashFirst ? [...cash, ...nonCash] : [...nonCash, ...cash];
    return { total, tenders, step, cashPart };
  });

describe('settle — properties', () => {
  it('conserves money: Σ applied = due, change only from cash and never negative', () => {
    fc.assert(
      fc.property(sale, ({ total, tenders, step, cashPart }) => {
        const result = settle(total, tenders, step);
        expect(result.total).toBe(total);
        expect(result.due).toBe(total + result.cashRounding);
        expect(sum(result.tenders.map((t) => t.applied))).toBe(result.due);
        expect(2 * Math.abs(result.cashRounding)).toBeLessThanOrEqual(step);
        if (cashPart === 0) expect(result.cashRounding).toBe(0);
        else expect((cashPart + result.cashRounding) % step).toBe(0);

        const cash = result.tenders.filter((t) => t.kind === 'cash');
        expect(result.change).toBe(sum(cash.map((t) => t.tendered)) - sum(cash.map((t) => t.applied)));
        expect(result.change).toBeGreaterThanOrEqual(0);
        expect(result.tenders.map((t) => t.kind)).toEqual(tenders.map((t) => t.kind));
        result.tenders.forEach((t, i) => {
          expect(t.tendered).toBe(tenders[i]?.amount);
          expect(t.applied).toBeGreaterThanOrEqual(0);
          expect(t.tendered - t.applied).toBe(t.change);
          if (t.kind !== 'cash') expect(t.change).toBe(0);
        });
      }),
      { numRuns: 1000 },
    );
  });

  it('refuses a card, voucher or credit for more than is left, even by one cent', () => {
    fc.assert(
      fc.property(
        sale,
        fc.constantFrom(...nonCashKinds),
        fc.integer({ min: 1, max: 10_000 }),
        ({ total, tenders, step }, kind, over) => {
          const left = total - sum(tenders.filter((t) => t.kind !== 'cash').map((t) => t.amount));
          const extra: TenderInput = { kind, amount: left + over };
          expect(failure(() => settle(total, [...tenders, extra], step))).toEqual({
            code: 'rejected',
            reason: 'non_cash_over_total',
            params: { kind, amount: left + over, max: left },
          });
        },
      ),
      { numRuns: 500 },
    );
  });

  it('refuses cash that falls short, saying by exactly how much', () => {
    fc.assert(
      fc.property(sale, fc.integer({ min: 1, max: 10_000 }), ({ total, tenders, step, cashPart }, less) => {
        fc.pre(cashPart > 0);
        const exact = settle(total, tenders, step);
        const cashDue = cashPart + exact.cashRounding;
        fc.pre(cashDue > 0);
        const handed = Math.max(1, cashDue - less);
        fc.pre(handed < cashDue);
        const short = tenders.filter((t) => t.kind !== 'cash').concat({ kind: 'cash', amount: handed });
        expect(failure(() => settle(total, short, step))).toEqual({
          code: 'rejected',
          reason: 'tender_short',
          params: { short: cashDue - handed },
        });
      }),
      { numRuns: 500 },
    );
  });
});

describe('allocateRefund', () => {
  const tender = (id: string, kind: PaidTender['kind'], paid: number, refunded = 0): PaidTender => ({ id, kind, paid, refunded });

  it('goes back to the tenders in proportion to what each can still return', () => {
    const paid = [tender('t-card', 'card', 3000), tender('t-cash', 'cash', 2000)];
    expect(allocateRefund(paid, 1000)).toEqual([
      { id: 't-card', kind: 'card', amount: 600 },
      { id: 't-cash', kind: 'cash', amount: 400 },
    ]);
    // After the card has given back 30.00 there is only cash left to refund.
    expect(allocateRefund([tender('t-card', 'card', 3000, 3000), tender('t-cash', 'cash', 2000, 500)], 1500)).toEqual([
      { id: 't-cash', kind: 'cash', amount: 1500 },
    ]);
    // A tie: the spare cent goes to the earlier tender.
    expect(allocateRefund([tender('a', 'cash', 100), tender('b', 'card', 100)], 1)).toEqual([
      { id: 'a', kind: 'cash', amount: 1 },
    ]);
    expect(allocateRefund(paid, 0)).toEqual([]);
  });

  it('refuses more than is left to refund', () => {
    expect(failure(() => allocateRefund([tender('a', 'card', 3000, 1000), tender('b', 'cash', 2000)], 4001))).toEqual({
      code: 'rejected',
      reason: 'refund_over_paid',
      params: { max: 4000 },
    });
    expect(failure(() => allocateRefund([], 1))).toMatchObject({ reason: 'refund_over_paid', params: { max: 0 } });
    expect(failure(() => allocateRefund([tender('a', 'card', 100, 200)], 0))).toMatchObject({ reason: 'invalid_amount' });
    expect(failure(() => allocateRefund([tender('a', 'card', 100)], -1))).toMatchObject({ reason: 'invalid_amount' });
    expect(failure(() => allocateRefund([tender('a', 'card', 100)], 0.5))).toMatchObject({ reason: 'invalid_amount' });
  });

  const paidTenders = fc
    .array(
      fc.record({
        kind: fc.constantFrom(...tenderKinds),
        paid: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 200_000 })),
        refundedPermille: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 1000 })),
      }),
      { minLength: 1, maxLength: 6 },
    )
    .map((rows) => rows.map((r, i) => tender(`t${i}`, r.kind, r.paid, Math.floor((r.paid * r.refundedPermille) / 1000))));

  it('sums exactly to the amount and never exceeds any tender', () => {
    fc.assert(
      fc.property(paidTenders, fc.integer({ min: 0, max: 1000 }), (paid, permille) => {
        const max = sum(paid.map((t) => t.paid - t.refunded));
        const amount = Math.floor((max * permille) / 1000);
        const shares = allocateRefund(paid, amount);
        expect(sum(shares.map((s) => s.amount))).toBe(amount);
        expect(new Set(shares.map((s) => s.id)).size).toBe(shares.length);
        for (const share of shares) {
          const original = paid.find((t) => t.id === share.id);
          expect(original?.kind).toBe(share.kind);
          expect(share.amount).toBeGreaterThan(0);
          expect(share.amount).toBeLessThanOrEqual((original?.paid ?? 0) - (original?.refunded ?? 0));
        }
        expect(failure(() => allocateRefund(paid, max + 1))).toMatchObject({ reason: 'refund_over_paid', params: { max } });
      }),
      { numRuns: 1000 },
    );
  });

  it('over a run of partial refunds, gives back exactly what was paid and not a cent more', () => {
    fc.assert(
      fc.property(paidTenders, fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: 1, maxLength: 8 }), (start, steps) => {
        const paid = start.map((t) => ({ ...t, refunded: 0 }));
        const total = sum(paid.map((t) => t.paid));
        for (const permille of [...steps, 1000]) {
          const left = total - sum(paid.map((t) => t.refunded));
          const amount = permille === 1000 ? left : Math.floor((left * permille) / 1000);
          for (const share of allocateRefund(paid, amount)) {
            const t = paid.find((p) => p.id === share.id);
            if (t) t.refunded += share.amount;
          }
          for (const t of paid) expect(t.refunded).toBeLessThanOrEqual(t.paid);
        }
        expect(paid.map((t) => t.refunded)).toEqual(paid.map((t) => t.paid));
        expect(failure(() => allocateRefund(paid, 1))).toMatchObject({ reason: 'refund_over_paid', params: { max: 0 } });
      }),
      { numRuns: 500 },
    );
  });
});
