import { create } from 'zustand';
import type { ApiError } from '../../../../shared/errors.ts';
import { addDays, localDate, type ReorderReport, type SalesReport } from '../../../../shared/reports.ts';
import { call } from '../../session.ts';

export const tabs = ['overview', 'products', 'money', 'reorder'] as const;
export type Tab = (typeof tabs)[number];

/** The reader's own time zone: reports speak of the shop's days and hours. */
export const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
export const today = () => localDate(Date.now(), timeZone);

interface ReportsState {
  from: string;
  to: string;
  tab: Tab;
  report: SalesReport | null;
  loading: boolean;
  error: ApiError | null;
  historyDays: number;
  leadDays: number;
  reorder: ReorderReport | null;
  reorderLoading: boolean;
  reorderError: ApiError | null;
  setRange(from: string, to: string): void;
  setTab(tab: Tab): void;
  load(): Promise<void>;
  setReorder(patch: { historyDays?: number; leadDays?: number }): void;
  loadReorder(): Promise<void>;
}

let asked = 0;

export const useReports = create<ReportsState>((set, get) => ({
  from: addDays(today(), -6),
  to: today(),
  tab: 'overview',
  report: null,
  loading: false,
  error: null,
  historyDays: 28,
  leadDays: 7,
  reorder: null,
  reorderLoading: false,
  reorderError: null,

  setRange(from, to) {
    set({ from, to });
    void get().load();
  },
  setTab(tab) {
    set({ tab });
    if (tab === 'reorder' && !get().reorder) void get().loadReorder();
  },
  async load() {
    const { from, to } = get();
    const mine = ++asked;
    set({ loading: true, error: null });
    const result = await call('reports.sales', { from, to, timeZone });
    if (mine !== asked) return;
    set(result.ok ? { loading: false, report: result.value } : { loading: false, error: result.error });
  },
  setReorder(patch) {
    set(patch);
    void get().loadReorder();
  },
  async loadReorder() {
    const { historyDays, leadDays } = get();
    set({ reorderLoading: true, reorderError: null });
    const result = await call('reports.reorder', { historyDays, leadDays, timeZone });
    set(result.ok ? { reorderLoading: false, reorder: result.value } : { reorderLoading: false, reorderError: result.error });
  },
}));
