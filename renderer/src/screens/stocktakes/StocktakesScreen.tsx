import { CountingView } from './CountingView.tsx';
import { NewCount } from './NewCount.tsx';
import { ReviewView } from './ReviewView.tsx';
import { StocktakeList } from './StocktakeList.tsx';
import { VarianceReport } from './VarianceReport.tsx';
import { useStocktakeView } from './view-store.ts';
import './stocktakes.css';

/** Stocktakes: the list of counts, a new count, counting, review and apply, the printable report. */
export function StocktakesScreen() {
  const view = useStocktakeView((s) => s.view);
  switch (view.kind) {
    case 'new':
      return <NewCount />;
    case 'count':
      return <CountingView id={view.id} />;
    case 'review':
      return <ReviewView id={view.id} />;
    case 'report':
      return <VarianceReport id={view.id} />;
    default:
      return <StocktakeList />;
  }
}
