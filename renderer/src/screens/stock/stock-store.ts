import { create } from 'zustand';
import type { ApiError } from '../../../../shared/errors.ts';
import type { ProductStatus, StockFilter, StockListCursor, StockListRow, StockLocation } from '../../../../shared/stock-list.ts';
import { call } from '../../session.ts';

export interface StockFilterState {
  search: string;
  categoryId: string | null;
  locationId: string;
  stock: StockFilter;
  status: ProductStatus;
}

interface StockState {
  filter: StockFilterState;
  rows: StockListRow[];
  next: StockListCursor | null;
  count: number | null;
  loading: boolean;
  error: ApiError | null;
  locations: StockLocation[];
  selectedId: string | null;
  /** Bumped on every new search, so a slow answer to an old one is dropped. */
  generation: number;
  setFilter(patch: Partial<StockFilterState>): void;
  reload(): Promise<void>;
  loadMore(): Promise<void>;
  select(id: string | null): void;
  /** Re-reads one product after a change (edit, goods in, adjustment, a sale elsewhere) in place. */
  refreshRows(ids: readonly string[]): Promise<void>;
  loadLocations(): Promise<void>;
}

const pageSize = 200;

export const useStock = create<StockState>((set, get) => ({
  filter: { search: '', categoryId: null, locationId: 'shop', stock: 'any', status: 'active' },
  rows: [],
  next: null,
  count: null,
  loading: false,
  error: null,
  locations: [],
  selectedId: null,
  generation: 0,

  setFilter(patch) {
    set({ filter: { ...get().filter, ...patch } });
    void get().reload();
  },

  async reload() {
    const generation = get().generation + 1;
    const { filter } = get();
    set({ generation, loading: true, error: null, count: null });
    const [page, count] = await Promise.all([
      call('stockList.page', { ...filter, after: null, limit: pageSize }),
      call('stockList.count', filter),
    ]);
    if (get().generation !== generation) return;
    if (!page.ok) {
      set({ loading: false, error: page.error, rows: [], next: null });
      return;
    }
    set({
      loading: false,
      rows: page.value.rows,
      next: page.value.next,
      count: count.ok ? count.value.count : null,
    });
  },

  async loadMore() {
    const { next, loading, filter, generation } = get();
    if (!next || loading) return;
    set({ loading: true });
    const page = await call('stockList.page', { ...filter, after: next, limit: pageSize });
    if (get().generation !== generation) return;
    if (!page.ok) {
      set({ loading: false, error: page.error });
      return;
    }
    set({ loading: false, rows: [...get().rows, ...page.value.rows], next: page.value.next });
  },

  select(id) {
    set({ selectedId: id });
  },

  async refreshRows(ids) {
    const wanted = new Set(ids);
    const shown = get().rows.filter((r) => wanted.has(r.id));
    for (const row of shown) {
      const [product, levels] = await Promise.all([
        call('catalog.product', { id: row.id }),
        call('stock.levels', { productId: row.id }),
      ]);
      if (!product.ok || !levels.ok) continue;
      const p = product.value;
      const byLocation: Record<string, number> = {};
      for (const l of levels.value) if (l.onHand !== 0) byLocation[l.locationId] = l.onHand;
      const onHand = levels.value.find((l) => l.locationId === get().filter.locationId)?.onHand ?? 0;
      const updated: StockListRow = {
        ...row,
        sku: p.sku,
        name: p.name,
        barcode: p.barcodes[0] ?? null,
        categoryId: p.categoryId,
        unit: p.unit,
        price: p.price,
        cost: p.cost,
        reorderPoint: p.reorderPoint,
        active: p.active,
        onHand,
        levels: byLocation,
      };
      set({ rows: get().rows.map((r) => (r.id === row.id ? updated : r)) });
    }
  },

  async loadLocations() {
    const result = await call('stockList.locations', {});
    if (result.ok) set({ locations: result.value });
  },
}));
