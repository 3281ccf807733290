import { create } from 'zustand';

/** Where the stocktakes screen is. The counts themselves live in the store, so leaving and coming back is a pause. */
export type StocktakeView =
  | { kind: 'list' }
  | { kind: 'new' }
  | { kind: 'count'; id: string }
  | { kind: 'review'; id: string }
  | { kind: 'report'; id: string };

interface ViewState {
  view: StocktakeView;
  show(view: StocktakeView): void;
}

export const useStocktakeView = create<ViewState>((set) => ({
  view: { kind: 'list' },
  show: (view) => set({ view }),
}));
