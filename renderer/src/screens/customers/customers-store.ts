import { create } from 'zustand';
import { useUi } from '../../ui-store.ts';

export type CustomersTab = 'customers' | 'notes';

interface CustomersState {
  tab: CustomersTab;
  /** The customer open beside the list; 'new' for an empty form. */
  selected: string | 'new' | null;
  /** Bumped when a customer or note is saved, so lists read the store again. */
  version: number;
  setTab(tab: CustomersTab): void;
  select(id: string | 'new' | null): void;
  bump(): void;
}

export const useCustomers = create<CustomersState>((set) => ({
  tab: 'customers',
  selected: null,
  version: 0,
  setTab: (tab) => set({ tab }),
  select: (selected) => set({ selected }),
  bump: () => set((s) => ({ version: s.version + 1 })),
}));

/** From anywhere (an order, a note): open this customer in the Customers screen. */
export function showCustomer(id: string): void {
  useCustomers.setState({ tab: 'customers', selected: id });
  useUi.getState().go('customers');
}
