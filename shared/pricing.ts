import { TillError } from './errors.ts';
import { allocate, mulDiv } from './money.ts';
import type { TaxMode } from './settings.ts';

/** One line of a cart, as priced: money in minor units, quantity in thousandths. */
export interface LineInput {
  unitPrice: number;
  /** Thousandths: 1 each = 1000, 0.375 kg = 375. */
  quantity: number;
  lineDiscount: number;
  taxRateBp: number;
}

export interface PricedLine {
  /** unitPrice × quantity, rounded once. */
  gross: number;
  lineDiscount: number;
  /** This line's share of the order discount. */
  orderDiscount: number;
  net: number;
  tax: number;
  /** What the customer pays for the line; always net + tax. */
  total: number;
}

export interface TaxBand {
  rateBp: number;
  net: number;
  tax: number;
  total: number;
}

export interface OrderTotals {
  lines: PricedLine[];
  /** Σ gross. */
  subtotal: number;
  /** Σ line discounts + the order discount. */
  discountTotal: number;
  net: number;
  taxTotal: number;
  total: number;
  /** One band per rate used, ascending. */
  taxes: TaxBand[];
}

/** 1000% — the catalog's bound on a tax class. */
export const maxTaxRateBp = 100_000;

function reject(reason: string, message: string, params?: Record<string, string | number>): never {
  throw new TillError('rejected', reason, message, params);
}

function checkAmount(value: number, field: string, line?: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    reject('invalid_amount', `${field} must be a whole, non-negative number of minor units`, {
      field,
      ...(line === undefined ? {} : { line }),
    });
  }
}

function safe(value: number): number {
  // Same code and reason as money.ts gives for an overflowing product.
  if (!Number.isSafeInteger(value)) throw new TillError('invalid_input', 'amount_too_large', 'The order is too large to price');
  return value;
}

function sumOf(values: number[]): number {
  return safe(values.reduce((a, b) => a + b, 0));
}

/** Tax inside (inclusive) or on top of (exclusive) an amount, rounded per line. */
function splitTax(amount: number, rateBp: number, mode: TaxMode): { net: number; tax: number; total: number } {
  if (mode === 'inclusive') {
    const tax = mulDiv(amount, rateBp, 10_000 + rateBp);
    return { net: amount - tax, tax, total: amount };
  }
  const tax = mulDiv(amount, rateBp, 10_000);
  return { net: amount, tax, total: safe(amount + tax) };
}

/**
 * Prices an order line by line (rounding rule: see money.ts). The order discount is spread
 * over the lines by largest remainder, weighted by what each line costs after its own
 * discount, so the shares sum to the order discount exactly; every total is the sum of
 * the line figures. Line indexes in error params are 0-based.
 */
export function priceOrder(lines: LineInput[], orderDiscount: number, mode: TaxMode): OrderTotals {
  checkAmount(orderDiscount, 'orderDiscount');
  const bases = lines.map((line, index) => {
    checkAmount(line.unitPrice, 'unitPrice', index);
    checkAmount(line.lineDiscount, 'lineDiscount', index);
    if (!Number.isSafeInteger(line.quantity) || line.quantity <= 0) {
      reject('invalid_quantity', 'The quantity must be a positive whole number of thousandths', { line: index });
    }
    if (!Number.isSafeInteger(line.taxRateBp) || line.taxRateBp < 0 || line.taxRateBp > maxTaxRateBp) {
      reject('invalid_tax_rate', 'The tax rate must be between 0 and 100000 basis points', { line: index });
    }
    const gross = safe(mulDiv(line.unitPrice, line.quantity, 1000));
    if (line.lineDiscount > gross) {
      reject('discount_over_line', 'A line discount may not exceed the line', { line: index, max: gross });
    }
    return { gross, base: gross - line.lineDiscount };
  });
  const left = sumOf(bases.map((b) => b.base));
  if (orderDiscount > left) {
    reject('discount_over_order', 'The order discount may not exceed what is left to pay', { max: left });
  }
  const shares = allocate(
    orderDiscount,
    bases.map((b) => b.base),
  );

  const priced = lines.map((line, index): PricedLine => {
    const { gross, base } = bases[index] ?? { gross: 0, base: 0 };
    const share = shares[index] ?? 0;
    const { net, tax, total } = splitTax(base - share, line.taxRateBp, mode);
    return { gross, lineDiscount: line.lineDiscount, orderDiscount: share, net, tax, total };
  });

  const bands = new Map<number, TaxBand>();
  priced.forEach((line, index) => {
    const rateBp = lines[index]?.taxRateBp ?? 0;
    const band = bands.get(rateBp) ?? { rateBp, net: 0, tax: 0, total: 0 };
    band.net += line.net;
    band.tax += line.tax;
    band.total += line.total;
    bands.set(rateBp, band);
  });

  return {
    lines: priced,
    subtotal: sumOf(priced.map((l) => l.gross)),
    discountTotal: sumOf(priced.map((l) => l.lineDiscount + l.orderDiscount)),
    net: sumOf(priced.map((l) => l.net)),
    taxTotal: sumOf(priced.map((l) => l.tax)),
    total: sumOf(priced.map((l) => l.total)),
    taxes: [...bands.values()].sort((a, b) => a.rateBp - b.rateBp),
  };
}

/**
 * A discount as basis points of what it comes off, rounded UP, so a cashier whose limit
 * is 1000 bp (10%) cannot give 10.001%. Any discount on a zero base is beyond every limit
 * (Number.MAX_SAFE_INTEGER).
 */
export function discountShareBp(discount: number, base: number): number {
  checkAmount(discount, 'discount');
  checkAmount(base, 'base');
  if (discount === 0) return 0;
  if (base === 0) return Number.MAX_SAFE_INTEGER;
  const numerator = BigInt(discount) * 10_000n;
  const b = BigInt(base);
  return Number((numerator + b - 1n) / b);
}
