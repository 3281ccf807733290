import { TillError } from './errors.ts';

/**
 * Money is a safe integer of minor units (cents, yen, fils). Nothing here uses float
 * arithmetic on amounts: parsing and formatting go through strings, and products that
 * could pass 2^53 are computed with BigInt.
 *
 * ROUNDING — the one rule, used by pricing.ts and cash.ts:
 *   - Round once per line, never on order totals: a line's gross, tax and order-discount
 *     share are each rounded to whole minor units, and every total is the exact sum of
 *     the rounded line figures, so a receipt always adds up.
 *   - Rounding is half away from zero: 0.5 → 1, 1.5 → 2, −0.5 → −1 (`roundDiv`).
 *   - Splitting an amount into parts (order discount over lines, a refund over tenders)
 *     never rounds each part on its own: `allocate` uses largest remainder, so the parts
 *     sum to the whole exactly.
 *   - Cash rounding (to 0.05, say) rounds the cash due to the nearest step, half away
 *     from zero, with the same `roundDiv`.
 */

/** ISO 4217 currencies whose minor unit is not 2 digits. */
const minorDigitsByCurrency: Readonly<Record<string, number>> = {
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  UYI: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
  CLF: 4,
  UYW: 4,
};

const maxSafe = BigInt(Number.MAX_SAFE_INTEGER);

/** Digits after the decimal point for a currency: JPY 0, EUR 2, KWD 3; unknown codes 2. */
export function minorDigits(currency: string): number {
  if (!/^[A-Z]{3}$/.test(currency)) {
    throw new TillError('invalid_input', 'unknown_currency', `"${currency.slice(0, 20)}" is not an ISO 4217 currency code`, {
      currency: currency.slice(0, 20),
    });
  }
  return minorDigitsByCurrency[currency] ?? 2;
}

/** Throws unless `value` is a whole number of minor units within the safe integer range. */
export function assertMinor(value: number, what: string): void {
  if (!Number.isSafeInteger(value)) {
    throw new TillError('invalid_input', 'not_whole_amount', `${what} must be a whole number of minor units`, { what });
  }
}

export interface ParseMoneyOptions {
  /** Accept a leading minus sign (refund amounts, cash out). Off by default. */
  allowNegative?: boolean;
}

/**
 * What a cashier types → minor units, exactly.
 *
 * The rule: optional leading "-" (only with `allowNegative`), digits, and at most one
 * decimal separator, which may be "." or "," (so "12,34" = "12.34" on a European keypad).
 * There is no grouping separator: "1,234" means 1.234 and is refused for EUR as
 * `too_many_decimals` rather than misread as 1234 — and likewise "1,000" for JPY.
 * Surrounding whitespace is ignored; "12." and ".5" are accepted; exponents, "+", spaces
 * inside, currency symbols, NaN and Infinity are `not_a_number`.
 */
export function parseMoney(text: string, currency: string, options: ParseMoneyOptions = {}): number {
  const digits = minorDigits(currency);
  const shown = text.slice(0, 40);
  const match = /^(-?)(\d*)(?:[.,](\d*))?$/.exec(text.trim());
  const sign = match?.[1] ?? '';
  const whole = match?.[2] ?? '';
  const fraction = match?.[3] ?? '';
  if (!match || (whole === '' && fraction === '')) {
    throw new TillError('invalid_input', 'not_a_number', `"${shown}" is not an amount`, { text: shown });
  }
  if (sign && !options.allowNegative) {
    throw new TillError('invalid_input', 'negative_amount', 'The amount may not be negative', { text: shown });
  }
  if (fraction.length > digits) {
    throw new TillError('invalid_input', 'too_many_decimals', `${currency} amounts have at most ${digits} decimals`, {
      text: shown,
      digits,
    });
  }
  const tooLarge = () => new TillError('invalid_input', 'amount_too_large', `"${shown}" is too large an amount`, { text: shown });
  // Cheap guard before BigInt so a megabyte of digits costs nothing.
  if (whole.replace(/^0+/, '').length > 16) throw tooLarge();
  const minor = BigInt(whole || '0') * 10n ** BigInt(digits) + BigInt(fraction.padEnd(digits, '0') || '0');
  if (minor > maxSafe) throw tooLarge();
  return Number(sign ? -minor : minor);
}

/** Minor units as a plain decimal string for CSV and exports: "1234.50", "-0.05", "980" (JPY). */
export function majorString(minor: number, currency: string): string {
  assertMinor(minor, 'amount');
  const digits = minorDigits(currency);
  const sign = minor < 0 ? '-' : '';
  const abs = String(Math.abs(minor));
  if (digits === 0) return sign + abs;
  const padded = abs.padStart(digits + 1, '0');
  return `${sign}${padded.slice(0, -digits)}.${padded.slice(-digits)}`;
}

/**
 * Minor units for people, in the shop's locale: formatMoney(123450, 'EUR', 'de-DE') →
 * "1.234,50 €"; JPY shows no decimals. The number is handed to Intl as an exact decimal
 * string, so even amounts near 2^53 print every digit right. An unusable locale falls
 * back to English rather than breaking a receipt.
 */
export function formatMoney(minor: number, currency: string, locale: string): string {
  const exact = majorString(minor, currency) as `${number}`;
  return moneyFormat(currency, locale).format(exact);
}

/** Building an Intl.NumberFormat costs ~70 µs in Chromium, using one ~1 µs: one per locale and currency. */
const moneyFormats = new Map<string, Intl.NumberFormat>();

function moneyFormat(currency: string, locale: string): Intl.NumberFormat {
  const key = `${locale} ${currency}`;
  let format = moneyFormats.get(key);
  if (format) return format;
  const digits = minorDigits(currency);
  const options: Intl.NumberFormatOptions = {
    style: 'currency',
    currency,
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  };
  try {
    format = new Intl.NumberFormat(locale, options);
  } catch {
    format = new Intl.NumberFormat('en', options);
  }
  moneyFormats.set(key, format);
  return format;
}

function toBig(value: number | bigint, what: string): bigint {
  if (typeof value === 'bigint') return value;
  assertMinor(value, what);
  return BigInt(value);
}

function toSafeNumber(value: bigint): number {
  if (value > maxSafe || value < -maxSafe) {
    throw new TillError('invalid_input', 'amount_too_large', 'The amount is too large');
  }
  return Number(value);
}

/**
 * numerator / denominator rounded half away from zero (see ROUNDING above). Exact for any
 * integers: pass a bigint numerator when a product might pass 2^53, or use `mulDiv`.
 */
export function roundDiv(numerator: number | bigint, denominator: number | bigint): number {
  const n = toBig(numerator, 'numerator');
  const d = toBig(denominator, 'denominator');
  if (d === 0n) throw new RangeError('roundDiv: division by zero');
  const absN = n < 0n ? -n : n;
  const absD = d < 0n ? -d : d;
  let q = absN / absD;
  if ((absN % absD) * 2n >= absD) q += 1n;
  return toSafeNumber(n < 0n !== d < 0n ? -q : q);
}

/** a × b / denominator, rounded half away from zero, with the product taken exactly. */
export function mulDiv(a: number, b: number, denominator: number): number {
  return roundDiv(toBig(a, 'amount') * toBig(b, 'factor'), denominator);
}

/**
 * Split `total` into integer parts proportional to `weights` that sum to `total` exactly
 * (largest remainder): each part gets floor(total × w / Σw), and the units left over go
 * one each to the largest remainders, earlier index first on ties. A zero weight gets
 * nothing unless every weight is zero, in which case the parts are as even as possible.
 * A negative total is split like its absolute value, then negated.
 */
export function allocate(total: number, weights: number[]): number[] {
  assertMinor(total, 'total');
  for (const weight of weights) {
    assertMinor(weight, 'weight');
    if (weight < 0) throw new RangeError('allocate: weights may not be negative');
  }
  if (weights.length === 0) {
    if (total === 0) return [];
    throw new RangeError('allocate: nothing to allocate to');
  }
  const sumWeights = weights.reduce((sum, w) => sum + BigInt(w), 0n);
  const even = sumWeights === 0n;
  const ws = weights.map((w) => (even ? 1n : BigInt(w)));
  const sum = even ? BigInt(weights.length) : sumWeights;
  const amount = BigInt(Math.abs(total));
  const parts = ws.map((w) => (amount * w) / sum);
  const remainders = ws.map((w) => (amount * w) % sum);
  let left = amount - parts.reduce((a, b) => a + b, 0n);
  const order = ws.map((_, i) => i);
  order.sort((i, j) => {
    const ri = remainders[i] ?? 0n;
    const rj = remainders[j] ?? 0n;
    return ri === rj ? i - j : ri > rj ? -1 : 1;
  });
  for (const i of order) {
    if (left === 0n) break;
    parts[i] = (parts[i] ?? 0n) + 1n;
    left -= 1n;
  }
  return parts.map((part) => Number(total < 0 ? -part : part));
}
