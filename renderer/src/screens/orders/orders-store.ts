import { create } from 'zustand';
import type { InputOf } from '../../../../shared/api.ts';
import type { ApiError } from '../../../../shared/errors.ts';
import type { OrderCount, OrderHistoryRow } from '../../../../shared/order-history.ts';
import { call } from '../../session.ts';
import { useUi } from '../../ui-store.ts';

export type OrderFilter = Omit<InputOf<'orders.search'>, 'after' | 'limit'>;

/** Names shown on filter chips for ids the filter holds (customer, product). */
export interface FilterNames {
  customer?: string;
  product?: string;
}

interface OrdersState {
  filter: OrderFilter;
  names: FilterNames;
  rows: OrderHistoryRow[];
  next: string | null;
  /** How many match; null while the first page loads and while they are counted after it. */
  count: OrderCount | null;
  loading: boolean;
  error: ApiError | null;
  /** The order open in detail, or null for the list. */
  openId: string | null;
  /** Where the list was scrolled, so coming back from an order lands in the same place. */
  scrollTop: number;
  setFilter(filter: OrderFilter, names?: FilterNames): void;
  search(): Promise<void>;
  loadMore(): Promise<void>;
  open(id: string | null): void;
  setScrollTop(top: number): void;
}

const pageSize = 100;
/** Each search gets a ticket; answers to older searches are dropped when they arrive late. */
let ticket = 0;

export const useOrders = create<OrdersState>((set, get) => ({
  filter: {},
  names: {},
  rows: [],
  next: null,
  count: null,
  loading: false,
  error: null,
  openId: null,
  scrollTop: 0,
  setFilter(filter, names = {}) {
    set({ filter, names });
    void get().search();
  },
  async search() {
    const mine = ++ticket;
    const { filter } = get();
    set({ loading: true, error: null, count: null });
    const result = await call('orders.search', { ...filter, limit: pageSize });
    if (mine !== ticket) return;
    if (!result.ok) {
      set({ loading: false, error: result.error, rows: [], next: null, count: null });
      return;
    }
    const { orders, next } = result.value;
    // A page that holds every match is its own count; otherwise the list is shown first and
    // counted after, so a count over a big history never holds up the first rows.
    const whole = next === null ? { n: orders.length, capped: false } : null;
    set({ loading: false, rows: orders, next, count: whole, scrollTop: 0 });
    if (whole) return;
    const counted = await call('orders.count', filter);
    if (mine !== ticket) return;
    if (counted.ok) set({ count: counted.value });
    else set({ error: counted.error });
  },
  async loadMore() {
    const { next, loading, filter } = get();
    if (!next || loading) return;
    const mine = ticket;
    set({ loading: true });
    const result = await call('orders.search', { ...filter, limit: pageSize, after: next });
    if (mine !== ticket) return;
    if (!result.ok) {
      set({ loading: false, error: result.error });
      return;
    }
    set({ loading: false, rows: [...get().rows, ...result.value.orders], next: result.value.next });
  },
  open: (openId) => set({ openId }),
  setScrollTop: (scrollTop) => set({ scrollTop }),
}));

/** From anywhere (a customer's page, a note): show this order in the Orders screen. */
export function showOrder(id: string): void {
  useOrders.setState({ openId: id });
  useUi.getState().go('orders');
}

/** From a customer's page: every order of theirs. */
export function showOrdersOf(customer: { id: string; name: string }): void {
  useOrders.setState({ openId: null });
  useOrders.getState().setFilter({ customerId: customer.id }, { customer: customer.name });
  useUi.getState().go('orders');
}
