import { useTranslation } from 'react-i18next';
import { Bar, BarChart, CartesianGrid, Cell, Legend, Pie, PieChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { SalesReport } from '../../../../shared/reports.ts';
import { useMoney } from '../../format.ts';
import { useChartLabels } from './labels.ts';

const sales = '#0b6e4f';
const refunds = '#b42318';
const palette = ['#0b6e4f', '#1d4ed8', '#a15c00', '#7c3aed', '#596273'];
const height = 240;

/** Money bars with a zero line, shared by the day, hour and weekday charts. */
function MoneyBars({ data, label }: { data: { name: string; sales: number; refunds: number }[]; label: string }) {
  const { t } = useTranslation();
  const money = useMoney();
  const { compactMoney } = useChartLabels();
  return (
    <ResponsiveContainer width="100%" height={height}>
      <BarChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 8 }} stackOffset="sign" accessibilityLayer title={label}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="name" tick={{ fontSize: 12 }} interval="preserveStartEnd" />
        <YAxis tickFormatter={compactMoney} tick={{ fontSize: 12 }} width={64} />
        <Tooltip formatter={(value) => money(Number(value))} />
        <Legend />
        <Bar dataKey="sales" name={t('reportsDesk.series.sales')} fill={sales} stackId="money" isAnimationActive={false} />
        <Bar dataKey="refunds" name={t('reportsDesk.series.refunds')} fill={refunds} stackId="money" isAnimationActive={false} />
      </BarChart>
    </ResponsiveContainer>
  );
}

/** The overview's charts: sales by day, by hour, by weekday, and how customers paid. */
export default function Charts({ report }: { report: SalesReport }) {
  const { t } = useTranslation();
  const money = useMoney();
  const labels = useChartLabels();
  const many = report.byDay.length > 14;
  const byDay = report.byDay.map((d) => ({ name: labels.day(d.day, many), sales: d.salesTotal, refunds: d.refundsTotal }));
  // The hours the shop traded, first to last: a closed night is not a chart.
  const busy = report.byHour.filter((h) => h.sales > 0 || h.refundsTotal !== 0).map((h) => h.hour);
  const byHour = report.byHour
    .slice(Math.min(...busy, 9), Math.max(...busy, 17) + 1)
    .map((h) => ({ name: labels.hour(h.hour), sales: h.salesTotal, refunds: h.refundsTotal }));
  const byWeekday = report.byWeekday.map((w) => ({
    name: labels.weekday(w.weekday),
    sales: w.salesTotal,
    refunds: w.refundsTotal,
  }));
  const tenders = report.tenders.filter((x) => x.net > 0).map((x) => ({ name: t(`tenders.${x.kind}`), value: x.net }));
  return (
    <div className="rp-charts">
      <figure className="rp-card rp-chart wide" data-chart="days">
        <figcaption>{t('reportsDesk.charts.days')}</figcaption>
        <MoneyBars data={byDay} label={t('reportsDesk.charts.days')} />
      </figure>
      <figure className="rp-card rp-chart" data-chart="hours">
        <figcaption>{t('reportsDesk.charts.hours')}</figcaption>
        <MoneyBars data={byHour} label={t('reportsDesk.charts.hours')} />
      </figure>
      <figure className="rp-card rp-chart" data-chart="weekdays">
        <figcaption>{t('reportsDesk.charts.weekdays')}</figcaption>
        <MoneyBars data={byWeekday} label={t('reportsDesk.charts.weekdays')} />
      </figure>
      <figure className="rp-card rp-chart" data-chart="tenders">
        <figcaption>{t('reportsDesk.charts.tenders')}</figcaption>
        {tenders.length === 0 ? (
          <p className="muted">{t('reportsDesk.nothing')}</p>
        ) : (
          <ResponsiveContainer width="100%" height={height}>
            <PieChart accessibilityLayer>
              <Pie
                data={tenders}
                dataKey="value"
                nameKey="name"
                innerRadius={50}
                outerRadius={90}
                isAnimationActive={false}
                label={(e) => String(e.name)}
              >
                {tenders.map((entry, i) => (
                  <Cell key={entry.name} fill={palette[i % palette.length]} />
                ))}
              </Pie>
              <Tooltip formatter={(value) => money(Number(value))} />
            </PieChart>
          </ResponsiveContainer>
        )}
      </figure>
    </div>
  );
}
