import { create } from 'zustand';
import type { TenderInput } from '../../../../shared/cash.ts';
import type { ProductSummary } from '../../../../shared/catalog.ts';
import type { ApiError } from '../../../../shared/errors.ts';
import type { Order } from '../../../../shared/sale.ts';
import type { Override, Permission } from '../../../../shared/staff.ts';
import {
  type CartAction,
  type CartLine,
  type CartOrder,
  keepUnchanged,
  outcomeOf,
  type PendingAction,
  predict,
} from '../../pending.ts';
import { createCartQueue, type PushOutcome, type QueueState } from '../../pending-queue.ts';
import { call, useSession } from '../../session.ts';
import { guessFromLookup, guessFromProduct, loadTaxRates, lookedUp, lookup } from './scan-lookup.ts';

/** What the till needs to put a product on a sale (a search hit, a suggestion). */
export type Sellable = Pick<ProductSummary, 'id' | 'name' | 'unit' | 'price'> &
  Partial<Pick<ProductSummary, 'sku' | 'taxClassId'>>;

interface CartState {
  /**
   * The open sale as the cashier sees it: the store's last answer with the actions it has
   * not committed yet replayed on top (renderer/src/pending.ts). Lines not yet saved say so.
   */
  order: CartOrder | null;
  /** Actions the store has not committed yet, oldest first. */
  pending: readonly PendingAction[];
  /** Why the store cannot save right now (read-only, disk full, host down), or null. */
  fault: ApiError | null;
  /** When the till tries again (Date.now() milliseconds). */
  retryAt: number | null;
  /** The last thing the store refused, or a lookup that found nothing. */
  error: ApiError | null;
  /** The line line actions change, by position; null means the last line. */
  selected: number | null;
  /** What is typed in the search box; "3x" in front sets the next item's quantity. */
  searchText: string;
  setSearchText(text: string): void;
  /** A weighed product waiting for its weight. */
  weighing: Sellable | null;
  /** An action waiting for a manager's PIN. */
  pendingOverride: { permission: Permission } | null;
  /** The sale the store completed last, shown with its receipt until the next scan. */
  completed: Order | null;
  load(): Promise<void>;
  scan(code: string): Promise<void>;
  pick(product: Sellable): Promise<void>;
  addWeighed(product: Sellable, grams: number): Promise<void>;
  select(position: number | null): void;
  updateLine(lineId: string, change: { quantity?: number; lineDiscount?: number; unitPrice?: number }): Promise<void>;
  removeLine(lineId: string): Promise<void>;
  setOrderDiscount(amount: number): Promise<void>;
  park(): Promise<void>;
  resume(orderId: string): Promise<void>;
  clear(): Promise<void>;
  /** True once the payment is the store's or kept to be saved; false when it was refused. */
  complete(tenders: TenderInput[], shown: { total: number; change: number }): Promise<boolean>;
  attachCustomer(customerId: string | null): Promise<void>;
  showCompleted(order: Order): void;
  approve(override: Override): void;
  cancelOverride(): void;
  retryNow(): void;
  /** Resolves once the store has every pending action: for screens that read what they wrote. */
  whenSaved(): Promise<void>;
  dismiss(): void;
}

const multiplierPattern = /^(\d{1,3})\s*[x×*]\s*(.*)$/i;

/** "3x milk" → 3; "milk" → null. */
export function multiplierOf(text: string): number | null {
  const match = multiplierPattern.exec(text);
  return match ? Number(match[1]) || null : null;
}

/** "3x milk" → "milk". */
export function searchQueryOf(text: string): string {
  const match = multiplierPattern.exec(text);
  return (match ? (match[2] ?? '') : text).trim();
}

/** The line the line actions apply to: the chosen one, else the last. */
export function selectedLine(state: Pick<CartState, 'order' | 'selected'>): CartLine | null {
  const lines = state.order?.lines ?? [];
  return lines.find((l) => l.position === state.selected) ?? lines.at(-1) ?? null;
}

/** Sales paid while the store could not save them: kept here until it can. */
export function paidWaiting(pending: readonly PendingAction[]): { seq: number; total: number; change: number }[] {
  return pending.flatMap((p) => (p.action.kind === 'complete' ? [{ seq: p.seq, ...p.action }] : []));
}

export const useCart = create<CartState>((set, get) => {
  const queue = createCartQueue({
    call,
    onChange: mirror,
    onRefused: (error) => set({ error }),
    // The line paints in the keydown's frame; its request goes out in the next task.
    later: (run) => setTimeout(run, 0),
  });

  /** The queue's state, as the screen shows it; unchanged lines keep their objects. */
  function mirror(q: QueueState): void {
    const taxMode = useSession.getState().settings?.taxMode ?? 'inclusive';
    const order = keepUnchanged(get().order, predict(q.confirmed, q.pending, q.named, taxMode));
    const manager = q.manager ? { permission: q.manager.permission as Permission } : null;
    const same = get().pendingOverride?.permission === manager?.permission;
    set({
      order,
      pending: q.pending,
      fault: q.fault,
      retryAt: q.retryAt,
      completed: q.completed,
      ...(same ? {} : { pendingOverride: manager }),
    });
  }

  /** Queues an action; resolves once it is saved, kept behind a fault, refused or sent to a manager. */
  function push(action: CartAction): { seq: number; outcome: Promise<PushOutcome> } {
    if (get().error) set({ error: null });
    return queue.push(action);
  }

  /** Line actions go back to the last line (only set when it was not already). */
  function selectLast(): void {
    if (get().selected !== null) set({ selected: null });
  }

  async function settled(action: CartAction): Promise<void> {
    await push(action).outcome;
  }

  /** Takes the "3x" off the search box: it applies to the one item being added now. */
  function takeMultiplier(): number | undefined {
    const times = multiplierOf(get().searchText);
    if (get().searchText !== '') set({ searchText: '' });
    return times ? times * 1000 : undefined;
  }

  return {
    order: null,
    pending: [],
    fault: null,
    retryAt: null,
    error: null,
    selected: null,
    searchText: '',
    setSearchText: (searchText) => set({ searchText }),
    weighing: null,
    pendingOverride: null,
    completed: null,
    async load() {
      void loadTaxRates();
      // Back at the till (after signing in again, say): kept actions are tried at once.
      queue.retryNow();
      const result = await call('sale.current', {});
      if (result.ok) queue.loaded(result.value);
    },
    async scan(code) {
      const quantity = takeMultiplier();
      // Known already (scanned lately, or looked up while the scanner typed): painted now, in this frame.
      const known = lookedUp(code);
      const guess = known ? guessFromLookup(known, quantity) : 'looking';
      selectLast();
      const { seq, outcome } = push({ kind: 'scan', code, ...(quantity ? { quantity } : {}), guess });
      if (!known) {
        const found = await lookup(code);
        if (found.ok) {
          queue.revise(seq, (a) => (a.kind === 'scan' ? { ...a, guess: guessFromLookup(found.value, quantity) } : a));
        } else if (outcomeOf(found.error) === 'retry') {
          // The store cannot be asked: show the code as scanned, priced when the store answers.
          queue.revise(seq, (a) => (a.kind === 'scan' ? { ...a, guess: 'unknown' } : a));
        } else {
          // Unknown barcode, wrong check digit, not for sale: the store would refuse the scan too.
          queue.withdraw(seq, found.error);
        }
      }
      await outcome;
    },
    async pick(product) {
      const quantity = takeMultiplier();
      if (product.unit === 'weight') {
        set({ weighing: product });
        return;
      }
      selectLast();
      await settled({
        kind: 'add',
        productId: product.id,
        ...(quantity ? { quantity } : {}),
        guess: guessFromProduct(product, quantity ?? 1000),
      });
    },
    async addWeighed(product, grams) {
      set({ weighing: null, selected: null });
      await settled({ kind: 'add', productId: product.id, quantity: grams, guess: guessFromProduct(product, grams) });
    },
    select: (selected) => set({ selected }),
    async updateLine(lineId, change) {
      await settled({ kind: 'updateLine', lineId, ...change });
    },
    async removeLine(lineId) {
      selectLast();
      await settled({ kind: 'removeLine', lineId });
    },
    async setOrderDiscount(amount) {
      await settled({ kind: 'orderDiscount', amount });
    },
    async park() {
      selectLast();
      await settled({ kind: 'park' });
    },
    async resume(orderId) {
      selectLast();
      await settled({ kind: 'resume', orderId });
    },
    async clear() {
      selectLast();
      await settled({ kind: 'clear' });
    },
    async complete(tenders, shown) {
      selectLast();
      const outcome = await push({ kind: 'complete', tenders, ...shown }).outcome;
      return outcome.kind === 'saved' || outcome.kind === 'waiting';
    },
    async attachCustomer(customerId) {
      await settled({ kind: 'customer', customerId });
    },
    showCompleted: (order) => queue.showCompleted(order),
    approve: (override) => queue.approve(override),
    cancelOverride: () => queue.cancelOverride(),
    retryNow: () => queue.retryNow(),
    whenSaved: () => queue.idle(),
    dismiss: () => set({ error: null }),
  };
});
