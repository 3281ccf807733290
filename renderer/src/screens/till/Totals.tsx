import { memo } from 'react';
import { useTranslation } from 'react-i18next';
import { useMoney } from '../../format.ts';
import { useSession } from '../../session.ts';
import { useCart } from './cart-store.ts';

/** Running totals with the tax shown the way this shop prices (inclusive or on top). */
export const Totals = memo(function Totals() {
  const { t } = useTranslation();
  const order = useCart((s) => s.order);
  const money = useMoney();
  const taxMode = useSession((s) => s.settings?.taxMode ?? 'inclusive');
  const lines = order?.lines ?? [];
  const rates = new Map<number, number>();
  for (const l of lines) rates.set(l.taxRateBp, (rates.get(l.taxRateBp) ?? 0) + l.tax);
  return (
    <dl className="totals" aria-live="polite">
      <dt>{t('till.subtotal')}</dt>
      <dd>{money(order?.subtotal ?? 0)}</dd>
      {(order?.discountTotal ?? 0) > 0 && (
        <>
          <dt>{t('till.discounts')}</dt>
          <dd>− {money(order?.discountTotal ?? 0)}</dd>
        </>
      )}
      {[...rates].map(([rate, tax]) => (
        <div key={rate} className="tax-row">
          <dt>{t(taxMode === 'inclusive' ? 'till.taxIncluded' : 'till.taxAdded', { rate: rate / 100 })}</dt>
          <dd>{money(tax)}</dd>
        </div>
      ))}
      <dt className="grand">{t('till.total')}</dt>
      <dd className="grand" data-testid="sale-total">
        {money(order?.total ?? 0)}
      </dd>
    </dl>
  );
});
