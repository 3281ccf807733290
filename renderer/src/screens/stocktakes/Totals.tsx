import { useTranslation } from 'react-i18next';
import type { VarianceTotals } from '../../../../shared/stocktake.ts';
import { signedQuantity, useSignedMoney } from './labels.ts';

/** The count's totals over the lines that apply: units and money, over, short and net. */
export function Totals({ totals }: { totals: VarianceTotals }) {
  const { t } = useTranslation();
  const signedMoney = useSignedMoney();
  const rows = [
    ['over', totals.unitsOver, totals.valueOver],
    ['short', totals.unitsShort, totals.valueShort],
    ['net', totals.unitsNet, totals.valueNet],
  ] as const;
  return (
    <section className="st-totals panel" aria-label={t('stocktake.totals')}>
      <table>
        <thead>
          <tr>
            <th scope="col" className="st-cell st-cell-head">
              {t('stocktake.totalsFor', { count: totals.lines })}
            </th>
            <th scope="col" className="st-cell st-cell-head num">
              {t('stocktake.units')}
            </th>
            <th scope="col" className="st-cell st-cell-head num">
              {t('stocktake.value')}
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map(([key, units, value]) => (
            <tr key={key} className={key === 'net' ? 'st-net' : undefined} data-total={key}>
              <th scope="row" className="st-cell">
                {t(`stocktake.${key}`)}
              </th>
              <td className="st-cell num">{signedQuantity(units, 'each')}</td>
              <td className="st-cell num">{signedMoney(value)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted st-totals-notes">
        {totals.withoutCost > 0 && <span>{t('stocktake.withoutCost', { count: totals.withoutCost })} </span>}
        {totals.excluded > 0 && <span>{t('stocktake.excludedCount', { count: totals.excluded })} </span>}
        {totals.superseded > 0 && <span>{t('stocktake.supersededCount', { count: totals.superseded })}</span>}
      </p>
    </section>
  );
}
