import { useTranslation } from 'react-i18next';
import type { ShiftReport } from '../../../../shared/shift.ts';
import { useMoney } from '../../format.ts';

/** An X or Z report as printed at the end of a shift: counts, totals, tax, tenders, cash. */
export function ShiftReportView({ report }: { report: ShiftReport }) {
  const { t } = useTranslation();
  const money = useMoney();
  return (
    <article className="shift-report" aria-label={t(report.kind === 'Z' ? 'shiftDesk.zReport' : 'shiftDesk.xReport')}>
      <h3>
        {t(report.kind === 'Z' ? 'shiftDesk.zReport' : 'shiftDesk.xReport')} · {report.tillCode}
      </h3>
      <p className="muted">
        {new Date(report.openedAt).toLocaleString()} –{' '}
        {report.closedAt ? new Date(report.closedAt).toLocaleString() : t('shiftDesk.stillOpen')}
      </p>
      <dl className="facts">
        <dt>{t('shiftDesk.sales')}</dt>
        <dd>
          {report.sales.count} · {money(report.sales.total)}
        </dd>
        <dt>{t('shiftDesk.refunds')}</dt>
        <dd>
          {report.refunds.count} · {money(report.refunds.total)}
        </dd>
        <dt>{t('shiftDesk.voids')}</dt>
        <dd>
          {report.voids.count} · {money(report.voids.total)}
        </dd>
        <dt>{t('shiftDesk.discounts')}</dt>
        <dd>{money(report.discounts)}</dd>
        {report.taxByRate.map((r) => (
          <div key={r.rateBp} className="tax-row">
            <dt>{t('shiftDesk.taxAt', { rate: r.rateBp / 100 })}</dt>
            <dd>{money(r.tax)}</dd>
          </div>
        ))}
        {report.tenders.map((x) => (
          <div key={x.kind} className="tax-row">
            <dt>{t(`tenders.${x.kind}`, { defaultValue: x.kind })}</dt>
            <dd>{money(x.net)}</dd>
          </div>
        ))}
        <dt>{t('shiftDesk.float')}</dt>
        <dd>{money(report.float)}</dd>
        <dt>{t('shiftDesk.cashInOut')}</dt>
        <dd>
          +{money(report.cashIn)} / −{money(report.cashOut)}
        </dd>
        <dt>{t('shiftDesk.noSales')}</dt>
        <dd>{report.noSales}</dd>
        <dt>{t('shiftDesk.expected')}</dt>
        <dd data-testid="expected-cash">{money(report.expectedCash)}</dd>
        {report.countedCash !== null && (
          <>
            <dt>{t('shiftDesk.counted')}</dt>
            <dd>{money(report.countedCash)}</dd>
            <dt>{t('shiftDesk.overShort')}</dt>
            <dd data-testid="over-short" className={(report.overShort ?? 0) < 0 ? 'error' : undefined}>
              {money(report.overShort ?? 0)}
            </dd>
          </>
        )}
      </dl>
    </article>
  );
}
