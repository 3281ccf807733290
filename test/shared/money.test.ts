import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TillError } from '../../shared/errors.ts';
import {
  allocate,
  assertMinor,
  formatMoney,
  majorString,
  minorDigits,
  mulDiv,
  parseMoney,
  roundDiv,
} from '../../shared/money.ts';

/** Runs `fn`, which must throw a TillError, and returns what the UI would see. */
function failure(fn: () => unknown) {
  try {
    fn();
  } catch (error) {
    if (error instanceof TillError) return { code: error.code, reason: error.reason, params: error.params };
    throw error;
  }
  throw new Error('expected a TillError, nothing was thrown');
}

const currencies = ['EUR', 'USD', 'CNY', 'GBP', 'JPY', 'KRW', 'ISK', 'KWD', 'BHD', 'TND', 'CLF'];
const safeInt = fc.integer({ min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER });

/** True when q is n/d rounded half away from zero, checked by cross-multiplying exactly. */
function isRoundedHalfAway(n: bigint, d: bigint, q: bigint): boolean {
  const abs = (x: bigint) => (x < 0n ? -x : x);
  const error = 2n * abs(n - q * d);
  if (error > abs(d)) return false;
  if (error === abs(d)) return abs(q * d) > abs(n); // a tie goes away from zero
  return true;
}

describe('minorDigits', () => {
  it('follows ISO 4217', () => {
    for (const code of ['JPY', 'KRW', 'VND', 'CLP', 'ISK', 'XAF']) expect(minorDigits(code)).toBe(0);
    for (const code of ['EUR', 'USD', 'CNY', 'GBP', 'CHF']) expect(minorDigits(code)).toBe(2);
    for (const code of ['BHD', 'KWD', 'JOD', 'OMR', 'TND', 'IQD', 'LYD']) expect(minorDigits(code)).toBe(3);
  });

  it('gives 2 for a well-formed code it does not know and refuses malformed ones', () => {
    expect(minorDigits('ZZQ')).toBe(2);
    for (const bad of ['eur', 'EURO', 'EU', '', '12A', ' EUR']) {
      expect(failure(() => minorDigits(bad))).toMatchObject({ code: 'invalid_input', reason: 'unknown_currency' });
    }
  });
});

describe('parseMoney', () => {
  it('reads what a cashier types into exact minor units', () => {
    expect(parseMoney('12.34', 'EUR')).toBe(1234);
    expect(parseMoney('12,34', 'EUR')).toBe(1234);
    expect(parseMoney(' 0.05 ', 'EUR')).toBe(5);
    expect(parseMoney('.5', 'EUR')).toBe(50);
    expect(parseMoney('12.', 'EUR')).toBe(1200);
    expect(parseMoney('007', 'EUR')).toBe(700);
    expect(parseMoney('1980', 'JPY')).toBe(1980);
    expect(parseMoney('1.234', 'KWD')).toBe(1234);
    // 0.1 + 0.2 style float traps do not exist here.
    expect(parseMoney('0.29', 'EUR')).toBe(29);
    expect(parseMoney('1.15', 'EUR')).toBe(115);
    expect(parseMoney('90071992547409.91', 'EUR')).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('takes a minus sign only when allowed', () => {
    expect(parseMoney('-1.5', 'EUR', { allowNegative: true })).toBe(-150);
    expect(Object.is(parseMoney('-0', 'EUR', { allowNegative: true }), 0)).toBe(true);
    expect(failure(() => parseMoney('-1.5', 'EUR'))).toMatchObject({ code: 'invalid_input', reason: 'negative_amount' });
  });

  it('refuses anything that is not a plain amount', () => {
    for (const bad of [
      '',
      '   ',
      '.',
      '-',
      'abc',
      'NaN',
      'Infinity',
      '1e3',
      '1E3',
      '+5',
      '1 000',
      '1.2.3',
      '1,2,3',
      '€5',
      '5€',
      '0x10',
      '١٢',
    ]) {
      expect(failure(() => parseMoney(bad, 'EUR', { allowNegative: true }))).toMatchObject({
        code: 'invalid_input',
        reason: 'not_a_number',
      });
    }
  });

  it('refuses more decimals than the currency has, rather than guessing at grouping', () => {
    expect(failure(() => parseMoney('1.234', 'EUR'))).toMatchObject({ reason: 'too_many_decimals', params: { digits: 2 } });
    expect(failure(() => parseMoney('1,000', 'EUR'))).toMatchObject({ reason: 'too_many_decimals' });
    expect(failure(() => parseMoney('1,000', 'JPY'))).toMatchObject({ reason: 'too_many_decimals', params: { digits: 0 } });
    expect(failure(() => parseMoney('12.340', 'EUR'))).toMatchObject({ reason: 'too_many_decimals' });
  });

  it('refuses amounts beyond the safe integer range', () => {
    expect(failure(() => parseMoney('90071992547409.92', 'EUR'))).toMatchObject({ reason: 'amount_too_large' });
    expect(failure(() => parseMoney('9007199254740992', 'JPY'))).toMatchObject({ reason: 'amount_too_large' });
    expect(failure(() => parseMoney('9'.repeat(100_000), 'EUR'))).toMatchObject({ reason: 'amount_too_large' });
    expect(parseMoney(`${'0'.repeat(50)}1`, 'EUR')).toBe(100);
  });

  it('reads back every amount majorString writes, with either separator', () => {
    fc.assert(
      fc.property(safeInt, fc.constantFrom(...currencies), fc.boolean(), (minor, currency, comma) => {
        const text = majorString(minor, currency);
        const typed = comma ? text.replace('.', ',') : text;
        expect(parseMoney(typed, currency, { allowNegative: true })).toBe(minor);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('majorString and formatMoney', () => {
  it('writes plain decimals for exports', () => {
    expect(majorString(123450, 'EUR')).toBe('1234.50');
    expect(majorString(-5, 'EUR')).toBe('-0.05');
    expect(majorString(0, 'EUR')).toBe('0.00');
    expect(majorString(1980, 'JPY')).toBe('1980');
    expect(majorString(-1980, 'JPY')).toBe('-1980');
    expect(majorString(1234, 'KWD')).toBe('1.234');
    expect(majorString(Number.MAX_SAFE_INTEGER, 'EUR')).toBe('90071992547409.91');
    expect(failure(() => majorString(1.5, 'EUR'))).toMatchObject({ reason: 'not_whole_amount' });
  });

  it('formats in the shop locale with the currency digits', () => {
    expect(formatMoney(123450, 'EUR', 'en-US')).toBe('€1,234.50');
    expect(formatMoney(-5, 'EUR', 'en-US')).toBe('-€0.05');
    expect(formatMoney(123450, 'EUR', 'de-DE')).toMatch(/^1\.234,50\s€$/u);
    expect(formatMoney(1980, 'JPY', 'en-US')).toBe('¥1,980');
    expect(formatMoney(1980, 'JPY', 'ja-JP')).toMatch(/^[¥￥]1,980$/u);
    expect(formatMoney(1999, 'CNY', 'zh-CN')).toBe('¥19.99');
    expect(formatMoney(1234, 'KWD', 'en-US')).toMatch(/^KWD\s1\.234$/u);
    // Every digit survives near 2^53, which dividing by 100 as a float would not promise.
    expect(formatMoney(Number.MAX_SAFE_INTEGER, 'EUR', 'en-US')).toBe('€90,071,992,547,409.91');
  });

  it('falls back to English when the locale is unusable', () => {
    expect(formatMoney(100, 'EUR', 'not a locale!')).toBe('€1.00');
  });

  it('shows the same digits as majorString for any amount', () => {
    fc.assert(
      fc.property(safeInt, fc.constantFrom('EUR', 'JPY', 'KWD'), (minor, currency) => {
        const digitsOnly = (s: string) => s.replace(/[^0-9]/g, '');
        expect(digitsOnly(formatMoney(minor, currency, 'en-US'))).toBe(digitsOnly(majorString(minor, currency)));
      }),
      { numRuns: 500 },
    );
  });
});

describe('roundDiv', () => {
  it('rounds half away from zero', () => {
    expect(roundDiv(5, 10)).toBe(1);
    expect(roundDiv(15, 10)).toBe(2);
    expect(roundDiv(-5, 10)).toBe(-1);
    expect(roundDiv(5, -10)).toBe(-1);
    expect(roundDiv(-15, -10)).toBe(2);
    expect(roundDiv(4, 10)).toBe(0);
    expect(Object.is(roundDiv(-4, 10), 0)).toBe(true);
    expect(roundDiv(1194000, 12000)).toBe(100); // 99.5: the 3 × 1.99 at 20% VAT case
  });

  it('is exact for any safe integers', () => {
    fc.assert(
      fc.property(
        safeInt,
        safeInt.filter((d) => d !== 0),
        (n, d) => {
          const q = roundDiv(n, d);
          expect(isRoundedHalfAway(BigInt(n), BigInt(d), BigInt(q))).toBe(true);
          expect(roundDiv(-n, d)).toBe(-q || 0);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('multiplies beyond 2^53 exactly with mulDiv', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
        fc.integer({ min: 1, max: 100_000 }),
        fc.integer({ min: 1000, max: 110_000 }),
        (a, b, d) => {
          const exact = BigInt(a) * BigInt(b);
          fc.pre(exact / BigInt(d) < BigInt(Number.MAX_SAFE_INTEGER));
          expect(isRoundedHalfAway(exact, BigInt(d), BigInt(mulDiv(a, b, d)))).toBe(true);
        },
      ),
      { numRuns: 1000 },
    );
    // (2^52 + 1) × 1001 = 4508103226997867497, past 2^53; ÷ 1000 → …867.497 → …867.
    expect(mulDiv(4_503_599_627_370_497, 1001, 1000)).toBe(4_508_103_226_997_867);
    expect(failure(() => mulDiv(Number.MAX_SAFE_INTEGER, 3, 2))).toMatchObject({ reason: 'amount_too_large' });
  });

  it('refuses fractions and division by zero', () => {
    expect(failure(() => roundDiv(1.5, 2))).toMatchObject({ reason: 'not_whole_amount' });
    expect(failure(() => roundDiv(Number.NaN, 2))).toMatchObject({ reason: 'not_whole_amount' });
    expect(() => roundDiv(1, 0)).toThrow(RangeError);
  });
});

describe('allocate', () => {
  it('splits by largest remainder, earlier index first on ties', () => {
    // 100 over 1000:500:250 → 57.14, 28.57, 14.29: the spare cent goes to the .57.
    expect(allocate(100, [1000, 500, 250])).toEqual([57, 29, 14]);
    expect(allocate(1, [1, 1, 1])).toEqual([1, 0, 0]);
    expect(allocate(2, [1, 1, 1])).toEqual([1, 1, 0]);
    expect(allocate(10, [0, 0, 0])).toEqual([4, 3, 3]);
    expect(allocate(-10, [0, 0, 0])).toEqual([-4, -3, -3]);
    expect(allocate(5, [0, 3, 0])).toEqual([0, 5, 0]);
    expect(allocate(0, [])).toEqual([]);
    expect(allocate(0, [5, 5]).every((part) => Object.is(part, 0))).toBe(true);
  });

  it('refuses negative or fractional weights and an amount with nowhere to go', () => {
    expect(() => allocate(10, [1, -1])).toThrow(RangeError);
    expect(failure(() => allocate(10, [1.5]))).toMatchObject({ reason: 'not_whole_amount' });
    expect(failure(() => allocate(0.5, [1]))).toMatchObject({ reason: 'not_whole_amount' });
    expect(() => allocate(10, [])).toThrow(RangeError);
  });

  it('never makes or loses a unit, and stays within one unit of the exact share', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1e12, max: 1e12 }),
        fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 1e9 })), { minLength: 1, maxLength: 30 }),
        (total, weights) => {
          const parts = allocate(total, weights);
          expect(parts).toHaveLength(weights.length);
          expect(parts.reduce((a, b) => a + b, 0)).toBe(total);
          const sumW = weights.reduce((a, b) => a + b, 0);
          const ws = sumW === 0 ? weights.map(() => 1) : weights;
          const W = BigInt(sumW === 0 ? weights.length : sumW);
          parts.forEach((part, i) => {
            expect(Number.isSafeInteger(part)).toBe(true);
            // |part − total·w/W| < 1
            const gap = BigInt(part) * W - BigInt(total) * BigInt(ws[i] ?? 0);
            expect(gap < W && gap > -W).toBe(true);
            if (total >= 0) expect(part).toBeGreaterThanOrEqual(0);
            else expect(part).toBeLessThanOrEqual(0);
          });
          expect(allocate(-total, weights)).toEqual(parts.map((p) => -p || 0));
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('assertMinor', () => {
  it('accepts safe integers and refuses everything else', () => {
    expect(() => assertMinor(-12, 'price')).not.toThrow();
    for (const bad of [1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.MAX_SAFE_INTEGER + 1]) {
      expect(failure(() => assertMinor(bad, 'price'))).toEqual({
        code: 'invalid_input',
        reason: 'not_whole_amount',
        params: { what: 'price' },
      });
    }
  });
});
