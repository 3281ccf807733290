import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ApiError } from '../../../../shared/errors.ts';
import { maxReviewPage, type StocktakeReview } from '../../../../shared/stocktake.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { useMoney } from '../../format.ts';
import { call, useSession } from '../../session.ts';
import {
  quantityText,
  signedQuantity,
  useDateTime,
  useLocationName,
  useScopeLabel,
  useSignedMoney,
  useStocktakeTitle,
} from './labels.ts';
import { Totals } from './Totals.tsx';
import { useStocktakeView } from './view-store.ts';

/** The variance report as it prints on A4: every line, the totals, what was not counted, and who signs it off. */
export function VarianceReport({ id }: { id: string }) {
  const { t } = useTranslation();
  const money = useMoney();
  const signedMoney = useSignedMoney();
  const when = useDateTime();
  const place = useLocationName();
  const scope = useScopeLabel();
  const title = useStocktakeTitle();
  const show = useStocktakeView((s) => s.show);
  const shopName = useSession((s) => s.settings?.shopName ?? '');
  const [review, setReview] = useState<StocktakeReview | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [printedAt] = useState(() => new Date().toISOString());

  useEffect(() => {
    void call('stocktake.review', { stocktakeId: id, limit: maxReviewPage }).then((r) =>
      r.ok ? setReview(r.value) : setError(r.error),
    );
  }, [id]);

  if (!review) return <ErrorMessage error={error} />;
  const { stocktake: st } = review;
  const inLines = new Set(review.lines.map((l) => l.productId));
  const uncounted = review.uncounted.filter((u) => !inLines.has(u.productId));

  return (
    <section className="stocktake-report" aria-labelledby="report-title">
      <div className="st-report-tools no-print">
        <button type="button" onClick={() => show({ kind: 'review', id })}>
          {t('common.back')}
        </button>
        {/* biome-ignore lint/a11y/noAutofocus: printing is what this view is for */}
        <button type="button" className="primary big" onClick={() => window.print()} autoFocus>
          {t('stocktake.printNow')}
        </button>
      </div>
      <article className="st-paper">
        <header className="st-paper-head">
          <div>
            <p className="st-shop">{shopName}</p>
            <h1 id="report-title">{t('stocktake.reportTitle')}</h1>
            <p className="st-paper-name">{title(st)}</p>
          </div>
          <dl className="st-facts">
            <dt>{t('stocktake.scopeLabel')}</dt>
            <dd>{scope(st)}</dd>
            <dt>{t('stocktake.location')}</dt>
            <dd>{place(st)}</dd>
            <dt>{t('stocktake.state')}</dt>
            <dd>{t(`stocktake.states.${st.state}`)}</dd>
            <dt>{t('stocktake.started')}</dt>
            <dd>
              {when(st.startedAt)} {st.startedBy ? `· ${st.startedBy.name}` : ''}
            </dd>
            {st.appliedAt && (
              <>
                <dt>{t('stocktake.appliedLabel')}</dt>
                <dd>
                  {when(st.appliedAt)} · {st.appliedBy?.name}
                  {st.approvedBy ? ` (${t('stocktake.approvedBy', { name: st.approvedBy.name })})` : ''}
                </dd>
              </>
            )}
            <dt>{t('stocktake.printed')}</dt>
            <dd>{when(printedAt)}</dd>
          </dl>
        </header>
        <Totals totals={review.totals} />
        <table className="st-table st-print-table" aria-label={t('stocktake.linesLabel')}>
          <thead>
            <tr>
              <th scope="col">{t('stocktake.product')}</th>
              <th scope="col">{t('stocktake.sku')}</th>
              <th scope="col" className="num">
                {t('stocktake.counted')}
              </th>
              <th scope="col" className="num">
                {t('stocktake.expected')}
              </th>
              <th scope="col" className="num">
                {t('stocktake.variance')}
              </th>
              <th scope="col" className="num">
                {t('stocktake.unitCost')}
              </th>
              <th scope="col" className="num">
                {t('stocktake.value')}
              </th>
              <th scope="col">{t('stocktake.countedAt')}</th>
            </tr>
          </thead>
          <tbody>
            {review.lines.map((line) => (
              <tr key={line.productId} className={line.excluded || line.superseded ? 'st-out' : undefined}>
                <td>
                  {line.name}
                  {line.excluded && <span className="note">{t('stocktake.flags.excluded')}</span>}
                  {line.superseded && <span className="note">{t('stocktake.flags.superseded')}</span>}
                  {line.zeroed && <span className="note">{t('stocktake.flags.zeroed')}</span>}
                </td>
                <td className="st-nowrap">{line.sku}</td>
                <td className="num">{quantityText(line.counted, line.unit)}</td>
                <td className="num">{quantityText(line.expected, line.unit)}</td>
                <td className="num strong">{signedQuantity(line.variance, line.unit)}</td>
                <td className="num">{line.unitCost === null ? '—' : money(line.unitCost)}</td>
                <td className="num">{line.unitCost === null ? '—' : signedMoney(line.value)}</td>
                <td className="st-when">{when(line.countedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {uncounted.length > 0 && (
          <>
            <h2 className="st-h2">{t('stocktake.uncounted', { count: uncounted.length })}</h2>
            <p className="muted">{t(`stocktake.policySentence.${st.uncounted}`)}</p>
            <table className="st-table st-print-table" aria-label={t('stocktake.uncountedLabel')}>
              <thead>
                <tr>
                  <th scope="col">{t('stocktake.product')}</th>
                  <th scope="col">{t('stocktake.sku')}</th>
                  <th scope="col" className="num">
                    {t('stocktake.onHand')}
                  </th>
                  <th scope="col" className="num">
                    {t('stocktake.stockValue')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {uncounted.map((u) => (
                  <tr key={u.productId}>
                    <td>
                      {u.name}
                      {u.excluded && <span className="note">{t('stocktake.flags.excluded')}</span>}
                    </td>
                    <td className="st-nowrap">{u.sku}</td>
                    <td className="num">{quantityText(u.onHand, u.unit)}</td>
                    <td className="num">{u.unitCost === null ? '—' : money(u.value)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
        <footer className="st-sign">
          <div>{t('stocktake.signCounted')}</div>
          <div>{t('stocktake.signApproved')}</div>
        </footer>
      </article>
    </section>
  );
}
