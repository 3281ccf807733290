import { useTranslation } from 'react-i18next';
import type { CategoryRow, LineFigures, ProductRow, SalesReport } from '../../../../shared/reports.ts';
import { useMoney } from '../../format.ts';
import { unitsLabel, usePercent } from './labels.ts';
import { type Column, CsvButton, ReportTable } from './ReportTable.tsx';

/** The columns every product and category row shares. */
function useFigureColumns<T extends LineFigures>(): Column<T>[] {
  const { t } = useTranslation();
  const money = useMoney();
  const percent = usePercent();
  return [
    { key: 'quantity', label: t('reportsDesk.columns.quantity'), numeric: true, render: (r) => unitsLabel(r.quantity) },
    { key: 'sales', label: t('reportsDesk.columns.sales'), numeric: true, render: (r) => money(r.sales) },
    { key: 'revenue', label: t('reportsDesk.columns.revenue'), numeric: true, render: (r) => money(r.revenue) },
    { key: 'cost', label: t('reportsDesk.columns.cost'), numeric: true, render: (r) => (r.cost === null ? '—' : money(r.cost)) },
    {
      key: 'margin',
      label: t('reportsDesk.columns.margin'),
      numeric: true,
      render: (r) =>
        r.margin === null
          ? '—'
          : `${money(r.margin)} · ${percent(r.costedRevenue ? Math.round((r.margin * 10_000) / r.costedRevenue) : null)}`,
    },
  ];
}

/** What sold: the best sellers, each category, and the gross margin where cost is known. */
export function ProductsTab({ report }: { report: SalesReport }) {
  const { t } = useTranslation();
  const money = useMoney();
  const percent = usePercent();
  const figures = useFigureColumns<ProductRow>();
  const categoryFigures = useFigureColumns<CategoryRow>();
  const { margin } = report;
  return (
    <>
      <section className="rp-card" aria-labelledby="rp-margin">
        <header className="rp-card-head">
          <h2 id="rp-margin">{t('reportsDesk.tables.margin')}</h2>
          <CsvButton table="margin" label={t('reportsDesk.tables.margin')} />
        </header>
        <dl className="rp-facts">
          <div>
            <dt>{t('reportsDesk.margin.revenue')}</dt>
            <dd>{money(margin.revenue)}</dd>
          </div>
          <div>
            <dt>{t('reportsDesk.margin.cost')}</dt>
            <dd>{margin.cost === null ? '—' : money(margin.cost)}</dd>
          </div>
          <div>
            <dt>{t('reportsDesk.margin.margin')}</dt>
            <dd>
              {margin.margin === null ? '—' : money(margin.margin)} <span className="muted">{percent(margin.marginBp)}</span>
            </dd>
          </div>
          <div>
            <dt>{t('reportsDesk.margin.withoutCost')}</dt>
            <dd>{money(margin.revenueWithoutCost)}</dd>
          </div>
        </dl>
        <p className="muted rp-note">{t('reportsDesk.margin.how')}</p>
      </section>
      <ReportTable<CategoryRow>
        id="rp-categories"
        title={t('reportsDesk.tables.categories')}
        table="categories"
        rows={report.byCategory}
        rowKey={(r) => r.categoryId ?? 'none'}
        columns={[
          { key: 'category', label: t('reportsDesk.columns.category'), render: (r) => r.category ?? t('reportsDesk.noCategory') },
          ...categoryFigures,
        ]}
      />
      <ReportTable<ProductRow>
        id="rp-products"
        title={t('reportsDesk.tables.products')}
        table="products"
        note={
          report.productCount > report.byProduct.length
            ? t('reportsDesk.topOf', { shown: report.byProduct.length, count: report.productCount })
            : undefined
        }
        rows={report.byProduct}
        rowKey={(r) => r.productId}
        columns={[
          {
            key: 'name',
            label: t('reportsDesk.columns.product'),
            render: (r) => (
              <>
                {r.name} <span className="muted">{r.sku}</span>
              </>
            ),
          },
          { key: 'category', label: t('reportsDesk.columns.category'), render: (r) => r.category ?? '—' },
          ...figures,
        ]}
      />
    </>
  );
}
