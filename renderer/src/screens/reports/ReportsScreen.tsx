import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { MoneyTab } from './MoneyTab.tsx';
import { Overview } from './Overview.tsx';
import { ProductsTab } from './ProductsTab.tsx';
import { RangePicker } from './RangePicker.tsx';
import { ReorderTab } from './ReorderTab.tsx';
import { tabs, useReports } from './reports-store.ts';
import './reports.css';

/**
 * Reports over a range of the shop's days: headline figures and charts, what sold (with
 * margins), who sold and how customers paid, tax, discounts, refunds and voids, each table
 * as CSV; and reorder suggestions. Computed by the till from its own store, offline.
 */
export function ReportsScreen() {
  const { t } = useTranslation();
  const { report, loading, error, tab, setTab, from, to } = useReports();

  useEffect(() => {
    if (!useReports.getState().report) void useReports.getState().load();
  }, []);

  return (
    <section className="screen rp-screen" aria-labelledby="reports-title">
      <header className="rp-top">
        <h1 id="reports-title">{t('reportsDesk.title')}</h1>
        <RangePicker />
      </header>
      <div className="rp-tabs" role="tablist" aria-label={t('reportsDesk.tabsLabel')}>
        {tabs.map((name, i) => (
          <button
            key={name}
            id={`rp-tab-${name}`}
            type="button"
            role="tab"
            aria-selected={tab === name}
            aria-controls="rp-panel"
            tabIndex={tab === name ? 0 : -1}
            onClick={() => setTab(name)}
            onKeyDown={(e) => {
              const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
              if (!step) return;
              const next = tabs[(i + step + tabs.length) % tabs.length] ?? 'overview';
              setTab(next);
              document.getElementById(`rp-tab-${next}`)?.focus();
            }}
          >
            {t(`reportsDesk.tabs.${name}`)}
          </button>
        ))}
        <span className="rp-status" aria-live="polite">
          {loading ? t('reportsDesk.loading') : report ? t('reportsDesk.range', { from, to }) : ''}
        </span>
      </div>
      <ErrorMessage error={error} />
      <div id="rp-panel" role="tabpanel" aria-labelledby={`rp-tab-${tab}`} className="rp-panel">
        {tab === 'reorder' ? (
          <ReorderTab />
        ) : !report ? (
          <p className="muted">{loading ? t('reportsDesk.loading') : ''}</p>
        ) : tab === 'overview' ? (
          <Overview report={report} />
        ) : tab === 'products' ? (
          <ProductsTab report={report} />
        ) : (
          <MoneyTab report={report} />
        )}
      </div>
    </section>
  );
}
