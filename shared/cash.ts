import { TillError } from './errors.ts';
import { allocate, assertMinor, roundDiv } from './money.ts';

/** `amount` to the nearest multiple of `step` minor units (5 = 0.05), half away from zero. */
export function roundCash(amount: number, step: number): number {
  assertMinor(amount, 'amount');
  if (!Number.isSafeInteger(step) || step < 1) throw new RangeError('roundCash: step must be a positive integer');
  return roundDiv(amount, step) * step;
}

export const tenderKinds = ['cash', 'card', 'voucher', 'store_credit', 'other'] as const;
export type TenderKind = (typeof tenderKinds)[number];

export interface TenderInput {
  kind: TenderKind;
  /** Cash: what the customer handed over. Others: what was charged. */
  amount: number;
  reference?: string;
}

export interface SettledTender {
  kind: TenderKind;
  /** Counted toward the order. */
  applied: number;
  tendered: number;
  change: number;
  reference?: string;
}

export interface Settlement {
  total: number;
  /** Added to what cash pays (can be negative); 0 unless cash pays part of the order. */
  cashRounding: number;
  /** total + cashRounding = Σ applied. */
  due: number;
  tenders: SettledTender[];
  /** Σ change, all of it from cash. */
  change: number;
}

function reject(reason: string, message: string, params?: Record<string, string | number>): never {
  throw new TillError('rejected', reason, message, params);
}

function checkAmount(value: number, field: string, extra?: Record<string, string | number>): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    reject('invalid_amount', `${field} must be a whole, non-negative number of minor units`, { field, ...extra });
  }
}

/**
 * Splits a sale's total over its tenders. Card, voucher, store credit and other pay the
 * exact amount charged, in the order given, and may not pay more than is left. Whatever
 * is left falls to cash: it is rounded to the store's cash step (rounding rule: see
 * money.ts) only when cash pays part of it — an all-card sale is never rounded — and the
 * cash handed over must cover it; the rest comes back as change, from cash tenders only.
 * A total of 0 settles with no tenders; otherwise no tenders means `tender_short`.
 */
export function settle(total: number, tenders: TenderInput[], cashStep: number): Settlement {
  checkAmount(total, 'total');
  tenders.forEach((tender, index) => {
    checkAmount(tender.amount, 'amount', { tender: index });
    if (tender.amount === 0)
      reject('invalid_amount', 'A tender must be for more than nothing', { field: 'amount', tender: index });
  });

  let left = total;
  for (const tender of tenders) {
    if (tender.kind === 'cash') continue;
    if (tender.amount > left) {
      reject('non_cash_over_total', 'A card or voucher may not pay more than is left to pay', {
        kind: tender.kind,
        amount: tender.amount,
        max: left,
      });
    }
    left -= tender.amount;
  }

  const cash = tenders.filter((t) => t.kind === 'cash');
  const cashDue = cash.length > 0 ? roundCash(left, cashStep) : left;
  const cashHanded = cash.reduce((sum, t) => sum + t.amount, 0);
  if (!Number.isSafeInteger(cashHanded)) checkAmount(cashHanded, 'cash');
  if (cashHanded < cashDue) reject('tender_short', 'The tenders do not cover the amount due', { short: cashDue - cashHanded });

  let cashLeft = cashDue;
  const settled = tenders.map((tender): SettledTender => {
    let applied = tender.amount;
    if (tender.kind === 'cash') {
      applied = Math.min(tender.amount, cashLeft);
      cashLeft -= applied;
    }
    const result: SettledTender = { kind: tender.kind, applied, tendered: tender.amount, change: tender.amount - applied };
    if (tender.reference !== undefined) result.reference = tender.reference;
    return result;
  });

  const cashRounding = cashDue - left;
  return { total, cashRounding, due: total + cashRounding, tenders: settled, change: cashHanded - cashDue };
}

/** A tender of the sale being refunded, with what has already gone back on it. */
export interface PaidTender {
  id: string;
  kind: TenderKind;
  paid: number;
  refunded: number;
}

export interface RefundShare {
  id: string;
  kind: TenderKind;
  amount: number;
}

/**
 * Sends a refund back to the original tenders in proportion to what each can still give
 * back (paid − refunded), by largest remainder: the shares sum to `amount` exactly and
 * none exceeds its tender's remainder. Tenders that get nothing are left out.
 */
export function allocateRefund(paid: PaidTender[], amount: number): RefundShare[] {
  checkAmount(amount, 'amount');
  const refundable = paid.map((tender) => {
    checkAmount(tender.paid, 'paid', { id: tender.id });
    checkAmount(tender.refunded, 'refunded', { id: tender.id });
    if (tender.refunded > tender.paid)
      reject('invalid_amount', 'A tender cannot have refunded more than it paid', { id: tender.id });
    return tender.paid - tender.refunded;
  });
  const max = refundable.reduce((sum, r) => sum + r, 0);
  if (amount > max) reject('refund_over_paid', 'The refund is more than is left to refund on this sale', { max });
  if (amount === 0) return [];
  const shares = allocate(amount, refundable);
  return paid
    .map((tender, index) => ({ id: tender.id, kind: tender.kind, amount: shares[index] ?? 0 }))
    .filter((share) => share.amount > 0);
}
