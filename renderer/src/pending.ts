/**
 * What the cashier did that the store has not committed yet, in order (issue 7 figure 9,
 * issue 8 item 5). The till shows the store's last answer with these actions replayed on
 * top: a scan paints before its durable write, and when the store refuses writes (read-only,
 * disk full, host down) nothing is lost — the actions wait here and are sent again in order.
 * The store stays the truth: every answer replaces the guess. Pure functions, no DOM.
 */
import type { InputOf } from '../../shared/api.ts';
import type { TenderInput } from '../../shared/cash.ts';
import type { ApiError } from '../../shared/errors.ts';
import { priceOrder } from '../../shared/pricing.ts';
import type { Order, OrderLine } from '../../shared/sale.ts';
import type { TaxMode } from '../../shared/settings.ts';
import type { Override } from '../../shared/staff.ts';

/** A line as the till guesses it before the store answers (from a barcode lookup or a search hit). */
export type LineGuess = Pick<OrderLine, 'productId' | 'sku' | 'name' | 'unit' | 'quantity' | 'unitPrice' | 'taxRateBp'>;

export type CartAction =
  /** `guess` is 'looking' until the lookup answers, 'unknown' when it could not (the host is down). */
  | { kind: 'scan'; code: string; quantity?: number; guess: LineGuess | 'looking' | 'unknown' }
  | { kind: 'add'; productId: string; quantity?: number; guess: LineGuess }
  | { kind: 'updateLine'; lineId: string; quantity?: number; lineDiscount?: number; unitPrice?: number; override?: Override }
  | { kind: 'removeLine'; lineId: string }
  | { kind: 'orderDiscount'; amount: number; override?: Override }
  | { kind: 'customer'; customerId: string | null }
  | { kind: 'park' }
  | { kind: 'clear' }
  | { kind: 'resume'; orderId: string }
  /** `total` and `change` as the cashier saw them when taking the money. */
  | { kind: 'complete'; tenders: TenderInput[]; total: number; change: number };

export interface PendingAction {
  seq: number;
  action: CartAction;
  /** The id a line added by this action carries until the store gives it its own. */
  lineId: string;
}

export interface CartLine extends OrderLine {
  /** False while the store has not committed this line as shown. */
  saved: boolean;
  /** False for a scan whose product the till could not look up: no price yet. */
  priced: boolean;
}

export interface CartOrder extends Omit<Order, 'lines'> {
  lines: CartLine[];
  /** Every line has its price (a sale with an unknown price cannot be paid). */
  priced: boolean;
}

export const pendingLinePrefix = 'pending:';

export function pendingLineId(seq: number): string {
  return `${pendingLinePrefix}${seq}`;
}

/** A line id the store knows: pending ids are swapped for the store's once their action commits. */
export function storeLineId(lineId: string, named: ReadonlyMap<string, string>): string | null {
  if (!lineId.startsWith(pendingLinePrefix)) return lineId;
  return named.get(lineId) ?? null;
}

type CartOp =
  | 'sale.scan'
  | 'sale.addItem'
  | 'sale.updateLine'
  | 'sale.removeLine'
  | 'sale.setOrderDiscount'
  | 'sale.attachCustomer'
  | 'sale.park'
  | 'sale.clear'
  | 'sale.resume'
  | 'sale.complete';
export type CartRequest = { [N in CartOp]: { name: N; input: InputOf<N> } }[CartOp];

/**
 * The store call for an action, or null when it refers to a line that never reached the
 * store (its scan was refused), so there is nothing left to change.
 */
export function requestOf(pending: PendingAction, named: ReadonlyMap<string, string>): CartRequest | null {
  const a = pending.action;
  switch (a.kind) {
    case 'scan':
      return { name: 'sale.scan', input: { code: a.code, ...(a.quantity ? { quantity: a.quantity } : {}) } };
    case 'add':
      return { name: 'sale.addItem', input: { productId: a.productId, ...(a.quantity ? { quantity: a.quantity } : {}) } };
    case 'updateLine': {
      const lineId = storeLineId(a.lineId, named);
      if (!lineId) return null;
      const { quantity, lineDiscount, unitPrice, override } = a;
      return {
        name: 'sale.updateLine',
        input: {
          lineId,
          ...(quantity !== undefined ? { quantity } : {}),
          ...(lineDiscount !== undefined ? { lineDiscount } : {}),
          ...(unitPrice !== undefined ? { unitPrice } : {}),
          ...(override ? { override } : {}),
        },
      };
    }
    case 'removeLine': {
      const lineId = storeLineId(a.lineId, named);
      return lineId ? { name: 'sale.removeLine', input: { lineId } } : null;
    }
    case 'orderDiscount':
      return { name: 'sale.setOrderDiscount', input: { amount: a.amount, ...(a.override ? { override: a.override } : {}) } };
    case 'customer':
      return { name: 'sale.attachCustomer', input: { customerId: a.customerId } };
    case 'park':
      return { name: 'sale.park', input: {} };
    case 'clear':
      return { name: 'sale.clear', input: {} };
    case 'resume':
      return { name: 'sale.resume', input: { orderId: a.orderId } };
    case 'complete':
      return { name: 'sale.complete', input: { tenders: a.tenders } };
  }
}

/** `unauthorized` reasons that mean nobody is signed in (db/staff-access.ts), as opposed to a bad PIN. */
const sessionEnded = new Set(['idle_locked', 'not_signed_in']);

/**
 * What to do when the store answers an action with an error:
 * - `retry`: the store could not save (unavailable: read-only, disk full, I/O error; the host
 *   unreachable; an internal error, which is what a store fault looked like before it was
 *   typed; signed out by the idle lock) — keep the action and send it again later;
 * - `manager`: it needs a manager's PIN — wait for one, then send it again with the override;
 * - `refused`: the store said no for good (unknown barcode, tender short…) — drop it, show why.
 */
export function outcomeOf(error: ApiError): 'retry' | 'manager' | 'refused' {
  if (error.code === 'unavailable' || error.code === 'internal') return 'retry';
  // Signed out: kept for whoever signs in. A wrong or locked-out manager PIN is not retried.
  if (error.code === 'unauthorized' && sessionEnded.has(error.reason)) return 'retry';
  if (error.reason === 'needs_manager' && typeof error.params?.permission === 'string') return 'manager';
  return 'refused';
}

/** Milliseconds before the next try: 0.5 s, 1 s, 2 s, 4 s, then every 8 s. */
export function retryDelay(attempt: number): number {
  return 500 * 2 ** Math.min(Math.max(attempt, 0), 4);
}

/**
 * Whether two answers describe the same open sale, line for line. After a failure whose
 * outcome is unknown (the connection dropped), the till reads the open sale again: if it
 * moved on from the last answer, the action did land and must not be sent twice.
 */
export function sameSale(a: Order | null, b: Order | null): boolean {
  if (a === null || b === null) return a === b;
  if (a.id !== b.id || a.state !== b.state || a.orderDiscount !== b.orderDiscount || a.customerId !== b.customerId) {
    return false;
  }
  if (a.lines.length !== b.lines.length) return false;
  return a.lines.every((l, i) => {
    const m = b.lines[i];
    return (
      m !== undefined &&
      l.id === m.id &&
      l.quantity === m.quantity &&
      l.unitPrice === m.unitPrice &&
      l.lineDiscount === m.lineDiscount
    );
  });
}

/** A sale the till starts itself before the store has answered the first scan. */
function emptySale(): CartOrder {
  return {
    id: '',
    number: null,
    kind: 'sale',
    state: 'open',
    originalOrderId: null,
    customerId: null,
    customerName: null,
    staffId: '',
    staffName: '',
    shiftId: null,
    orderDiscount: 0,
    subtotal: 0,
    discountTotal: 0,
    taxTotal: 0,
    total: 0,
    cashRounding: 0,
    openedAt: '',
    parkedAt: null,
    completedAt: null,
    voidedAt: null,
    lines: [],
    tenders: [],
    related: [],
    priced: true,
  };
}

function guessedLine(seq: number, guess: LineGuess | null, code: string, position: number): CartLine {
  return {
    id: pendingLineId(seq),
    position,
    productId: guess?.productId ?? '',
    sku: guess?.sku ?? code,
    name: guess?.name ?? code,
    unit: guess?.unit ?? 'each',
    quantity: guess?.quantity ?? 1000,
    unitPrice: guess?.unitPrice ?? 0,
    priceOverridden: false,
    lineDiscount: 0,
    orderDiscount: 0,
    taxRateBp: guess?.taxRateBp ?? 0,
    tax: 0,
    total: 0,
    originalLineId: null,
    restock: true,
    refundedQuantity: 0,
    saved: false,
    priced: guess !== null,
  };
}

/** The store's rule (db/cart.ts addLine): a repeat of the last line's item adds to it. */
function addGuess(order: CartOrder, seq: number, guess: LineGuess | null, code: string): CartOrder {
  const last = order.lines.at(-1);
  if (
    guess &&
    last?.priced &&
    guess.unit === 'each' &&
    last.productId === guess.productId &&
    last.unitPrice === guess.unitPrice &&
    !last.priceOverridden &&
    last.lineDiscount === 0
  ) {
    const merged = { ...last, quantity: last.quantity + guess.quantity, saved: false };
    return { ...order, lines: [...order.lines.slice(0, -1), merged] };
  }
  return { ...order, lines: [...order.lines, guessedLine(seq, guess, code, (last?.position ?? 0) + 1)] };
}

/** One action on the guessed sale; null means the sale is gone from the till (paid, parked, cleared). */
function apply(order: CartOrder | null, p: PendingAction, named: ReadonlyMap<string, string>): CartOrder | null | 'skip' {
  const a = p.action;
  const lineOf = (id: string) => {
    const known = storeLineId(id, named) ?? id;
    return order?.lines.findIndex((l) => l.id === known || l.id === id) ?? -1;
  };
  switch (a.kind) {
    case 'scan':
      if (a.guess === 'looking') return 'skip';
      return addGuess(order ?? emptySale(), p.seq, a.guess === 'unknown' ? null : a.guess, a.code);
    case 'add':
      return addGuess(order ?? emptySale(), p.seq, a.guess, a.guess.name);
    case 'updateLine': {
      const i = lineOf(a.lineId);
      const line = order?.lines[i];
      if (!order || !line) return 'skip';
      const unitPrice = a.unitPrice ?? line.unitPrice;
      const changed: CartLine = {
        ...line,
        quantity: a.quantity ?? line.quantity,
        lineDiscount: a.lineDiscount ?? line.lineDiscount,
        unitPrice,
        priceOverridden: line.priceOverridden || unitPrice !== line.unitPrice,
        saved: false,
      };
      return { ...order, lines: order.lines.map((l, j) => (j === i ? changed : l)) };
    }
    case 'removeLine': {
      const i = lineOf(a.lineId);
      if (!order || i < 0) return 'skip';
      return { ...order, lines: order.lines.filter((_, j) => j !== i) };
    }
    case 'orderDiscount':
      return order ? { ...order, orderDiscount: a.amount } : 'skip';
    case 'customer':
      return { ...(order ?? emptySale()), customerId: a.customerId, customerName: null };
    case 'resume':
      // Which sale comes back is the store's to say: the screen waits for its answer.
      return 'skip';
    case 'park':
    case 'clear':
    case 'complete':
      return null;
  }
}

/** Line and order totals by the same rules as the store (shared/pricing.ts). */
function reprice(order: CartOrder, taxMode: TaxMode): CartOrder {
  const discount = order.lines.length === 0 ? 0 : order.orderDiscount;
  const totals = priceOrder(
    order.lines.map((l) => ({
      unitPrice: l.unitPrice,
      quantity: l.quantity,
      lineDiscount: l.lineDiscount,
      taxRateBp: l.taxRateBp,
    })),
    discount,
    taxMode,
  );
  return {
    ...order,
    orderDiscount: discount,
    subtotal: totals.subtotal,
    discountTotal: totals.discountTotal,
    taxTotal: totals.taxTotal,
    total: totals.total,
    priced: order.lines.every((l) => l.priced),
    lines: order.lines.map((l, i) => {
      const priced = totals.lines[i];
      return priced ? { ...l, orderDiscount: priced.orderDiscount, tax: priced.tax, total: priced.total } : l;
    }),
  };
}

function fromStore(order: Order | null): CartOrder | null {
  if (!order) return null;
  return { ...order, priced: true, lines: order.lines.map((l) => ({ ...l, saved: true, priced: true })) };
}

/**
 * The sale as the cashier should see it: the store's last answer, then every pending action
 * in order. An action the store would refuse on price (a discount over the line) is left out
 * of the guess; the store's refusal will say why.
 */
export function predict(
  confirmed: Order | null,
  pending: readonly PendingAction[],
  named: ReadonlyMap<string, string>,
  taxMode: TaxMode,
): CartOrder | null {
  let order = fromStore(confirmed);
  for (const p of pending) {
    const next = apply(order, p, named);
    if (next === 'skip') continue;
    if (next === null) {
      order = null;
      continue;
    }
    try {
      order = reprice(next, taxMode);
    } catch {
      // Left out: the store will refuse it and the refusal is shown.
    }
  }
  return order;
}

function sameLine(a: CartLine, b: CartLine): boolean {
  for (const key of Object.keys(a) as (keyof CartLine)[]) if (a[key] !== b[key]) return false;
  return true;
}

/**
 * `next` with every line equal to one of `previous` (same position) replaced by that very
 * object, and `previous` itself when nothing changed: the screen re-renders only what moved.
 */
export function keepUnchanged(previous: CartOrder | null, next: CartOrder | null): CartOrder | null {
  if (!previous || !next) return next;
  const before = new Map(previous.lines.map((l) => [l.position, l]));
  let same = previous.lines.length === next.lines.length;
  const lines = next.lines.map((line, i) => {
    const old = before.get(line.position);
    if (old && sameLine(old, line)) {
      if (previous.lines[i] !== old) same = false;
      return old;
    }
    same = false;
    return line;
  });
  if (same) {
    const { lines: _a, ...restPrevious } = previous;
    const { lines: _b, ...restNext } = next;
    const keys = Object.keys(restNext) as (keyof typeof restNext)[];
    if (keys.every((k) => restPrevious[k] === restNext[k])) return previous;
  }
  return { ...next, lines };
}
