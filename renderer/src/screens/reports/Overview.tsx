import { lazy, Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import type { DayRow, SalesReport } from '../../../../shared/reports.ts';
import { useMoney } from '../../format.ts';
import { useChartLabels, usePercent } from './labels.ts';
import { CsvButton, ReportTable } from './ReportTable.tsx';

/** Recharts is large: it loads with the first report, not with the till. */
const Charts = lazy(() => import('./Charts.tsx'));

function Figure({ label, value, detail, tone }: { label: string; value: string; detail?: string; tone?: 'bad' }) {
  return (
    <div className={tone ? `rp-figure ${tone}` : 'rp-figure'}>
      <dt>{label}</dt>
      <dd>
        <span className="rp-value">{value}</span>
        {detail && <span className="rp-detail">{detail}</span>}
      </dd>
    </div>
  );
}

/** The range at a glance: the headline figures, the charts, and money per day. */
export function Overview({ report }: { report: SalesReport }) {
  const { t } = useTranslation();
  const money = useMoney();
  const percent = usePercent();
  const labels = useChartLabels();
  const { totals, margin } = report;
  return (
    <>
      <dl className="rp-figures" aria-label={t('reportsDesk.headline')}>
        <Figure label={t('reportsDesk.figures.net')} value={money(totals.net)} />
        <Figure
          label={t('reportsDesk.figures.sales')}
          value={money(totals.sales.total)}
          detail={t('reportsDesk.orders', { count: totals.sales.count })}
        />
        <Figure
          label={t('reportsDesk.figures.refunds')}
          value={money(totals.refunds.total)}
          detail={t('reportsDesk.orders', { count: totals.refunds.count })}
          {...(totals.refunds.count ? { tone: 'bad' as const } : {})}
        />
        <Figure
          label={t('reportsDesk.figures.voids')}
          value={money(totals.voids.total)}
          detail={t('reportsDesk.orders', { count: totals.voids.count })}
          {...(totals.voids.count ? { tone: 'bad' as const } : {})}
        />
        <Figure label={t('reportsDesk.figures.average')} value={money(totals.averageSale)} />
        <Figure label={t('reportsDesk.figures.tax')} value={money(totals.tax)} />
        <Figure label={t('reportsDesk.figures.discounts')} value={money(totals.discounts)} />
        <Figure
          label={t('reportsDesk.figures.margin')}
          value={percent(margin.marginBp)}
          detail={margin.margin === null ? t('reportsDesk.noCost') : money(margin.margin)}
        />
      </dl>
      <Suspense fallback={<p className="muted">{t('reportsDesk.loading')}</p>}>
        <Charts report={report} />
      </Suspense>
      <ReportTable<DayRow>
        id="rp-days"
        title={t('reportsDesk.tables.days')}
        table="days"
        rows={report.byDay}
        rowKey={(d) => d.day}
        columns={[
          {
            key: 'day',
            label: t('reportsDesk.columns.day'),
            render: (d) => `${labels.weekday(new Date(`${d.day}T00:00:00Z`).getUTCDay() || 7)} ${d.day}`,
          },
          { key: 'sales', label: t('reportsDesk.columns.salesCount'), numeric: true, render: (d) => d.sales },
          { key: 'salesTotal', label: t('reportsDesk.columns.sales'), numeric: true, render: (d) => money(d.salesTotal) },
          { key: 'refunds', label: t('reportsDesk.columns.refunds'), numeric: true, render: (d) => money(d.refundsTotal) },
          { key: 'net', label: t('reportsDesk.columns.net'), numeric: true, render: (d) => <strong>{money(d.net)}</strong> },
        ]}
        footer={
          <tr>
            <td>{t('reportsDesk.total')}</td>
            <td className="num">{totals.sales.count}</td>
            <td className="num">{money(totals.sales.total)}</td>
            <td className="num">{money(totals.refunds.total)}</td>
            <td className="num">
              <strong>{money(totals.net)}</strong>
            </td>
          </tr>
        }
      />
      <div className="rp-more-csv">
        <span className="muted">{t('reportsDesk.moreCsv')}</span>
        <CsvButton
          table="hours"
          label={t('reportsDesk.charts.hours')}
          text={t('reportsDesk.csvNamed', { table: t('reportsDesk.charts.hours') })}
        />
        <CsvButton
          table="weekdays"
          label={t('reportsDesk.charts.weekdays')}
          text={t('reportsDesk.csvNamed', { table: t('reportsDesk.charts.weekdays') })}
        />
      </div>
    </>
  );
}
