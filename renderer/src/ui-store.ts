import { create } from 'zustand';

export const screens = ['till', 'stock', 'stocktakes', 'orders', 'customers', 'reports', 'settings'] as const;
export type Screen = (typeof screens)[number];

interface UiState {
  screen: Screen;
  go(screen: Screen): void;
}

/** Which screen is showing. Business state never lives here alone: the store is the truth. */
export const useUi = create<UiState>((set) => ({
  screen: 'till',
  go: (screen) => set({ screen }),
}));
