import { useTranslation } from 'react-i18next';
import type { Order } from '../../../../shared/sale.ts';
import { formatQuantity, useMoney } from '../../format.ts';
import { useCart } from './cart-store.ts';

/** The sale's lines, newest at the bottom; the selected one is what line actions change. */
export function LineList({ order }: { order: Order | null }) {
  const { t } = useTranslation();
  const money = useMoney();
  const { selectedLineId, select } = useCart();
  if (!order || order.lines.length === 0) {
    return <p className="empty-sale">{t('till.emptySale')}</p>;
  }
  return (
    <table className="lines" aria-label={t('till.lines')}>
      <thead>
        <tr>
          <th scope="col">{t('till.item')}</th>
          <th scope="col" className="num">
            {t('till.quantity')}
          </th>
          <th scope="col" className="num">
            {t('till.price')}
          </th>
          <th scope="col" className="num">
            {t('till.lineTotal')}
          </th>
        </tr>
      </thead>
      <tbody>
        {order.lines.map((line) => (
          <tr
            key={line.id}
            className={line.id === selectedLineId ? 'selected' : undefined}
            aria-selected={line.id === selectedLineId}
            onClick={() => select(line.id)}
          >
            <td>
              <button type="button" className="line-name" onClick={() => select(line.id)}>
                {line.name}
              </button>
              {line.lineDiscount > 0 && <span className="note">− {money(line.lineDiscount)}</span>}
              {line.priceOverridden && <span className="note">{t('till.priceChanged')}</span>}
            </td>
            <td className="num">{formatQuantity(line.quantity, line.unit)}</td>
            <td className="num">
              {money(line.unitPrice)}
              {line.unit === 'weight' ? ' / kg' : ''}
            </td>
            <td className="num strong">{money(line.total)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
