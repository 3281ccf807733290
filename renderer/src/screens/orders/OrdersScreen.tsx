import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ApiError } from '../../../../shared/errors.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { call, useSession } from '../../session.ts';
import { OrderDetail } from './OrderDetail.tsx';
import { OrderFilters } from './OrderFilters.tsx';
import { OrderList } from './OrderList.tsx';
import { useOrders } from './orders-store.ts';
import './orders.css';

/** Saves text as a file the browser (or Electron's download handler) offers to keep. */
function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Order history: filters, the virtualized list of every match, and one order in detail. */
export function OrdersScreen() {
  const { t } = useTranslation();
  const role = useSession((s) => s.staff?.role);
  const { openId, error, rows, count } = useOrders();
  const [exportError, setExportError] = useState<ApiError | null>(null);
  const [exporting, setExporting] = useState(false);

  // Each visit reads the store again (sales went on at the till meanwhile), keeping the filter.
  useEffect(() => {
    void useOrders.getState().search();
  }, []);

  if (openId) return <OrderDetail key={openId} id={openId} />;

  async function exportCsv() {
    setExporting(true);
    const result = await call('orders.exportCsv', useOrders.getState().filter);
    setExporting(false);
    if (!result.ok) {
      setExportError(result.error);
      return;
    }
    setExportError(null);
    download(`orders-${new Date().toISOString().slice(0, 10)}.csv`, result.value.csv);
  }

  return (
    <section className="screen orders-screen" aria-labelledby="orders-title">
      <header className="screen-head">
        <h1 id="orders-title">{t('orders.title')}</h1>
        {role !== 'cashier' && (
          <button type="button" onClick={() => void exportCsv()} disabled={exporting || rows.length === 0 || count?.n === 0}>
            {exporting ? t('orders.exporting') : t('orders.exportCsv')}
          </button>
        )}
      </header>
      <OrderFilters />
      <ErrorMessage error={error ?? exportError} />
      <OrderList />
    </section>
  );
}
