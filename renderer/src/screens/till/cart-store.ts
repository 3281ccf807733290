import { create } from 'zustand';
import type { InputOf, OperationName } from '../../../../shared/api.ts';
import type { ProductSummary } from '../../../../shared/catalog.ts';
import type { ApiError } from '../../../../shared/errors.ts';
import type { Order } from '../../../../shared/sale.ts';
import type { Override, Permission } from '../../../../shared/staff.ts';
import { call } from '../../session.ts';

/** What the till needs to put a product on a sale (a search hit, a suggestion). */
export type Sellable = Pick<ProductSummary, 'id' | 'name' | 'unit' | 'price'>;

/** An action waiting for a manager's PIN, retried with it once approved. */
export interface PendingOverride {
  permission: Permission;
  retry(override: Override): Promise<void>;
}

interface CartState {
  /** The open sale as the store has it: every change goes to SQLite first, then shows here. */
  order: Order | null;
  error: ApiError | null;
  selectedLineId: string | null;
  /** What is typed in the search box; "3x" in front sets the next item's quantity. */
  searchText: string;
  setSearchText(text: string): void;
  /** A weighed product waiting for its weight. */
  weighing: Sellable | null;
  pendingOverride: PendingOverride | null;
  /** The sale just completed, shown with its receipt until the next scan. */
  completed: Order | null;
  load(): Promise<void>;
  scan(code: string): Promise<void>;
  pick(product: Sellable): Promise<void>;
  addWeighed(product: Sellable, grams: number): Promise<void>;
  select(lineId: string | null): void;
  updateLine(lineId: string, change: { quantity?: number; lineDiscount?: number; unitPrice?: number }): Promise<void>;
  removeLine(lineId: string): Promise<void>;
  setOrderDiscount(amount: number): Promise<void>;
  park(): Promise<void>;
  resume(orderId: string): Promise<void>;
  clear(): Promise<void>;
  complete(tenders: InputOf<'sale.complete'>['tenders']): Promise<boolean>;
  attachCustomer(customerId: string | null): Promise<void>;
  dismiss(): void;
  cancelOverride(): void;
}

type OrderOp = Exclude<OperationName, 'sale.complete'>;

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

export const useCart = create<CartState>((set, get) => {
  /** Runs an order-changing op; a `needs_manager` answer asks for an override and retries. */
  async function run<N extends OrderOp>(name: N, input: InputOf<N>): Promise<boolean> {
    const result = await call(name, input);
    if (result.ok) {
      const value = result.value as Order | null;
      set({ order: value && 'lines' in value ? value : null, error: null, completed: null });
      return true;
    }
    const permission = result.error.params?.permission;
    if (result.error.reason === 'needs_manager' && typeof permission === 'string') {
      set({
        pendingOverride: {
          permission: permission as Permission,
          retry: async (override) => {
            set({ pendingOverride: null });
            await run(name, { ...input, override } as InputOf<N>);
          },
        },
      });
      return false;
    }
    set({ error: result.error });
    return false;
  }

  /** Takes the "3x" off the search box: it applies to the one item being added now. */
  function takeMultiplier(): number | null {
    const times = multiplierOf(get().searchText);
    set({ searchText: '' });
    return times;
  }

  return {
    order: null,
    error: null,
    selectedLineId: null,
    searchText: '',
    setSearchText: (searchText) => set({ searchText }),
    weighing: null,
    pendingOverride: null,
    completed: null,
    async load() {
      const result = await call('sale.current', {});
      if (result.ok) set({ order: result.value });
    },
    async scan(code) {
      const times = takeMultiplier();
      const ok = await run('sale.scan', { code, ...(times ? { quantity: times * 1000 } : {}) });
      if (ok) set({ selectedLineId: get().order?.lines.at(-1)?.id ?? null });
    },
    async pick(product) {
      const times = takeMultiplier();
      if (product.unit === 'weight') {
        set({ weighing: product });
        return;
      }
      const ok = await run('sale.addItem', { productId: product.id, ...(times ? { quantity: times * 1000 } : {}) });
      if (ok) set({ selectedLineId: get().order?.lines.at(-1)?.id ?? null });
    },
    async addWeighed(product, grams) {
      set({ weighing: null });
      const ok = await run('sale.addItem', { productId: product.id, quantity: grams });
      if (ok) set({ selectedLineId: get().order?.lines.at(-1)?.id ?? null });
    },
    select: (selectedLineId) => set({ selectedLineId }),
    async updateLine(lineId, change) {
      await run('sale.updateLine', { lineId, ...change });
    },
    async removeLine(lineId) {
      const ok = await run('sale.removeLine', { lineId });
      if (ok) set({ selectedLineId: get().order?.lines.at(-1)?.id ?? null });
    },
    async setOrderDiscount(amount) {
      await run('sale.setOrderDiscount', { amount });
    },
    async park() {
      const result = await call('sale.park', {});
      if (result.ok) set({ order: null, selectedLineId: null, error: null });
      else set({ error: result.error });
    },
    async resume(orderId) {
      await run('sale.resume', { orderId });
    },
    async clear() {
      const result = await call('sale.clear', {});
      if (result.ok) set({ order: null, selectedLineId: null, error: null });
      else set({ error: result.error });
    },
    async complete(tenders) {
      const result = await call('sale.complete', { tenders });
      if (result.ok) {
        set({ order: null, completed: result.value, selectedLineId: null, error: null });
        return true;
      }
      set({ error: result.error });
      return false;
    },
    async attachCustomer(customerId) {
      await run('sale.attachCustomer', { customerId });
    },
    dismiss: () => set({ error: null }),
    cancelOverride: () => set({ pendingOverride: null }),
  };
});
