import { useTranslation } from 'react-i18next';
import { VirtualList } from '../../components/VirtualList.tsx';
import { useMoney } from '../../format.ts';
import { useOrders } from './orders-store.ts';
import { useDateTime } from './use-date-time.ts';

const rowHeight = 48;

/** Every matching order, newest first, a page loaded as the list nears its end. */
export function OrderList() {
  const { t } = useTranslation();
  const money = useMoney();
  const { short } = useDateTime();
  const { rows, count, loading, next, loadMore, open, scrollTop, setScrollTop } = useOrders();

  const header = (
    <div className="order-row order-head" aria-hidden="true">
      <span>{t('orders.columns.number')}</span>
      <span>{t('orders.columns.date')}</span>
      <span>{t('orders.columns.customer')}</span>
      <span>{t('orders.columns.cashier')}</span>
      <span>{t('orders.columns.payment')}</span>
      <span>{t('orders.columns.status')}</span>
      <span className="num">{t('orders.columns.total')}</span>
    </div>
  );

  return (
    <div className="order-list">
      <p className="order-count" aria-live="polite">
        {count === null
          ? loading
            ? t('orders.loading')
            : rows.length > 0
              ? t('orders.counting')
              : ''
          : count.n === 0
            ? t('orders.noneMatch')
            : count.capped
              ? t('orders.countCapped', { count: count.n })
              : t('orders.count', { count: count.n })}
      </p>
      {header}
      <VirtualList
        className="order-rows"
        label={t('orders.listLabel')}
        count={rows.length}
        rowHeight={rowHeight}
        rowKey={(i) => rows[i]?.id ?? i}
        initialScrollTop={scrollTop}
        onScrollTopChange={setScrollTop}
        onNearEnd={next ? () => void loadMore() : undefined}
        renderRow={(i) => {
          const o = rows[i];
          if (!o) return null;
          return (
            <button type="button" className={`order-row kind-${o.kind}`} onClick={() => open(o.id)}>
              <span className="order-number">{o.number}</span>
              <span className="nowrap">{short(o.completedAt)}</span>
              <span className="ellipsis">{o.customerName ?? '—'}</span>
              <span className="ellipsis">{o.staffName}</span>
              <span className="ellipsis">{o.tenders.map((k) => t(`tenders.${k}`)).join(' + ')}</span>
              <span className="order-status">
                <span className={`state state-${o.state}`}>{t(`orders.states.${o.state}`)}</span>
                {o.fulfilment && (
                  <span className={`state delivery-${o.fulfilment}`}>{t(`orders.fulfilment.states.${o.fulfilment}`)}</span>
                )}
              </span>
              <span className="num strong">{money(o.total)}</span>
            </button>
          );
        }}
      />
    </div>
  );
}
