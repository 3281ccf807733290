import { useTranslation } from 'react-i18next';
import type { CashierRow, RefundOrVoid, SalesReport, TaxRow, TenderRow } from '../../../../shared/reports.ts';
import { useMoney } from '../../format.ts';
import { useWhen } from '../stock/units.ts';
import { usePercent } from './labels.ts';
import { CsvButton, ReportTable } from './ReportTable.tsx';

/** Who sold, how customers paid, the tax owed, discounts given, and every refund and void. */
export function MoneyTab({ report }: { report: SalesReport }) {
  const { t } = useTranslation();
  const money = useMoney();
  const percent = usePercent();
  const when = useWhen();
  const { discounts } = report;
  return (
    <>
      <ReportTable<CashierRow>
        id="rp-cashiers"
        title={t('reportsDesk.tables.cashiers')}
        table="cashiers"
        rows={report.byCashier}
        rowKey={(r) => r.staffId}
        columns={[
          { key: 'name', label: t('reportsDesk.columns.cashier'), render: (r) => r.name },
          { key: 'sales', label: t('reportsDesk.columns.salesCount'), numeric: true, render: (r) => r.sales.count },
          { key: 'salesTotal', label: t('reportsDesk.columns.sales'), numeric: true, render: (r) => money(r.sales.total) },
          { key: 'average', label: t('reportsDesk.columns.average'), numeric: true, render: (r) => money(r.averageSale) },
          {
            key: 'refunds',
            label: t('reportsDesk.columns.refunds'),
            numeric: true,
            render: (r) => (r.refunds.count ? `${money(r.refunds.total)} (${r.refunds.count})` : '—'),
          },
          {
            key: 'voids',
            label: t('reportsDesk.columns.voids'),
            numeric: true,
            render: (r) => (r.voids.count ? `${money(r.voids.total)} (${r.voids.count})` : '—'),
          },
          { key: 'net', label: t('reportsDesk.columns.net'), numeric: true, render: (r) => <strong>{money(r.net)}</strong> },
        ]}
      />
      <div className="rp-pair">
        <ReportTable<TenderRow>
          id="rp-tenders"
          title={t('reportsDesk.tables.tenders')}
          table="tenders"
          rows={report.tenders}
          rowKey={(r) => r.kind}
          columns={[
            { key: 'kind', label: t('reportsDesk.columns.tender'), render: (r) => t(`tenders.${r.kind}`) },
            { key: 'count', label: t('reportsDesk.columns.payments'), numeric: true, render: (r) => r.count },
            { key: 'sales', label: t('reportsDesk.columns.sales'), numeric: true, render: (r) => money(r.sales) },
            { key: 'refunds', label: t('reportsDesk.columns.refunds'), numeric: true, render: (r) => money(r.refunds) },
            { key: 'net', label: t('reportsDesk.columns.net'), numeric: true, render: (r) => <strong>{money(r.net)}</strong> },
          ]}
        />
        <ReportTable<TaxRow>
          id="rp-tax"
          title={t('reportsDesk.tables.tax')}
          table="tax"
          rows={report.tax}
          rowKey={(r) => String(r.rateBp)}
          columns={[
            { key: 'rate', label: t('reportsDesk.columns.rate'), render: (r) => percent(r.rateBp) },
            { key: 'taxable', label: t('reportsDesk.columns.taxable'), numeric: true, render: (r) => money(r.taxable) },
            { key: 'tax', label: t('reportsDesk.columns.tax'), numeric: true, render: (r) => <strong>{money(r.tax)}</strong> },
            { key: 'gross', label: t('reportsDesk.columns.gross'), numeric: true, render: (r) => money(r.gross) },
          ]}
        />
      </div>
      <section className="rp-card" aria-labelledby="rp-discounts">
        <header className="rp-card-head">
          <h2 id="rp-discounts">{t('reportsDesk.tables.discounts')}</h2>
          <CsvButton table="discounts" label={t('reportsDesk.tables.discounts')} />
        </header>
        <dl className="rp-facts">
          <div>
            <dt>{t('reportsDesk.discounts.line')}</dt>
            <dd>{money(discounts.line)}</dd>
          </div>
          <div>
            <dt>{t('reportsDesk.discounts.order')}</dt>
            <dd>{money(discounts.order)}</dd>
          </div>
          <div>
            <dt>{t('reportsDesk.discounts.total')}</dt>
            <dd>
              {money(discounts.total)} <span className="muted">{percent(discounts.shareBp)}</span>
            </dd>
          </div>
          <div>
            <dt>{t('reportsDesk.discounts.sales')}</dt>
            <dd>{discounts.discountedSales}</dd>
          </div>
        </dl>
      </section>
      <ReportTable<RefundOrVoid>
        id="rp-refunds"
        title={t('reportsDesk.tables.refundsVoids')}
        table="refunds_voids"
        rows={report.refundsAndVoids}
        rowKey={(r) => `${r.kind}-${r.orderId}`}
        empty={t('reportsDesk.noRefunds')}
        columns={[
          { key: 'at', label: t('reportsDesk.columns.when'), render: (r) => when(r.at) },
          { key: 'number', label: t('reportsDesk.columns.order'), render: (r) => r.number ?? '—' },
          {
            key: 'kind',
            label: t('reportsDesk.columns.kind'),
            render: (r) => <span className={`rp-kind kind-${r.kind}`}>{t(`reportsDesk.kinds.${r.kind}`)}</span>,
          },
          {
            key: 'who',
            label: t('reportsDesk.columns.who'),
            render: (r) => (
              <>
                {r.staffName}
                {r.approvedBy && <span className="muted"> ({t('stockDesk.approvedBy', { name: r.approvedBy })})</span>}
              </>
            ),
          },
          { key: 'reason', label: t('reportsDesk.columns.reason'), render: (r) => r.reason ?? '—' },
          { key: 'total', label: t('reportsDesk.columns.amount'), numeric: true, render: (r) => money(r.total) },
        ]}
      />
    </>
  );
}
