import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ApiError } from '../../../../shared/errors.ts';
import type { ReorderRow } from '../../../../shared/reports.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { useMoney } from '../../format.ts';
import { call } from '../../session.ts';
import { download } from '../stock/units.ts';
import { unitsLabel } from './labels.ts';
import { ReportTable } from './ReportTable.tsx';
import { timeZone, useReports } from './reports-store.ts';

/** A whole number of days typed into a box, kept within the store's limits. */
function DaysField({
  id,
  label,
  value,
  min,
  max,
  onCommit,
}: {
  id: string;
  label: string;
  value: number;
  min: number;
  max: number;
  onCommit: (n: number) => void;
}) {
  const [text, setText] = useState(String(value));
  useEffect(() => setText(String(value)), [value]);
  const commit = () => {
    const n = Number(text);
    if (Number.isInteger(n) && n >= min && n <= max) {
      if (n !== value) onCommit(n);
    } else setText(String(value));
  };
  return (
    <div className="rp-field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="number"
        min={min}
        max={max}
        value={text}
        onChange={(e) => setText(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => e.key === 'Enter' && commit()}
      />
    </div>
  );
}

/**
 * What to order: each product's recent daily sales fitted to a straight line (least
 * squares), carried over the supplier's lead time; the order brings stock back to the
 * reorder point by the time the delivery arrives.
 */
export function ReorderTab() {
  const { t } = useTranslation();
  const money = useMoney();
  const { reorder, reorderLoading, reorderError, historyDays, leadDays, setReorder, loadReorder } = useReports();
  const [csvError, setCsvError] = useState<ApiError | null>(null);

  useEffect(() => {
    if (!useReports.getState().reorder) void loadReorder();
  }, [loadReorder]);

  async function csv() {
    const result = await call('reports.reorderCsv', { historyDays, leadDays, timeZone });
    if (!result.ok) {
      setCsvError(result.error);
      return;
    }
    setCsvError(null);
    download(result.value.fileName, result.value.csv);
  }

  return (
    <>
      <div className="rp-card rp-reorder-controls">
        <DaysField
          id="rp-history"
          label={t('reportsDesk.reorder.history')}
          value={historyDays}
          min={7}
          max={365}
          onCommit={(n) => setReorder({ historyDays: n })}
        />
        <DaysField
          id="rp-lead"
          label={t('reportsDesk.reorder.lead')}
          value={leadDays}
          min={0}
          max={180}
          onCommit={(n) => setReorder({ leadDays: n })}
        />
        <p className="muted rp-note">{t('reportsDesk.reorder.how')}</p>
        <button type="button" onClick={() => void csv()} disabled={!reorder || reorder.total === 0}>
          {t('reportsDesk.csvNamed', { table: t('reportsDesk.tables.reorder') })}
        </button>
      </div>
      <ErrorMessage error={reorderError ?? csvError} />
      {reorderLoading && !reorder && <p className="muted">{t('reportsDesk.loading')}</p>}
      {reorder && (
        <ReportTable<ReorderRow>
          id="rp-reorder"
          title={t('reportsDesk.tables.reorder')}
          note={
            <>
              {t('reportsDesk.reorder.basis', { from: reorder.historyFrom, to: reorder.historyTo, lead: reorder.leadDays })}{' '}
              {reorder.total > reorder.rows.length &&
                t('reportsDesk.topOf', { shown: reorder.rows.length, count: reorder.total })}
            </>
          }
          empty={t('reportsDesk.reorder.none')}
          rows={reorder.rows}
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
            { key: 'onHand', label: t('reportsDesk.reorder.onHand'), numeric: true, render: (r) => unitsLabel(r.onHand) },
            { key: 'point', label: t('reportsDesk.reorder.point'), numeric: true, render: (r) => unitsLabel(r.reorderPoint) },
            { key: 'sold', label: t('reportsDesk.reorder.sold'), numeric: true, render: (r) => unitsLabel(r.sold) },
            {
              key: 'trend',
              label: t('reportsDesk.reorder.trend'),
              numeric: true,
              render: (r) => (r.trend > 0 ? `+${unitsLabel(r.trend)}` : unitsLabel(r.trend)),
            },
            { key: 'daily', label: t('reportsDesk.reorder.daily'), numeric: true, render: (r) => unitsLabel(r.dailyNow) },
            { key: 'demand', label: t('reportsDesk.reorder.demand'), numeric: true, render: (r) => unitsLabel(r.demand) },
            {
              key: 'cover',
              label: t('reportsDesk.reorder.cover'),
              numeric: true,
              render: (r) => (r.coverDays === null ? '—' : r.coverDays.toFixed(1)),
            },
            {
              key: 'order',
              label: t('reportsDesk.reorder.order'),
              numeric: true,
              render: (r) => <strong>{unitsLabel(r.quantity)}</strong>,
            },
            {
              key: 'value',
              label: t('reportsDesk.reorder.value'),
              numeric: true,
              render: (r) => (r.value === null ? '—' : money(r.value)),
            },
          ]}
        />
      )}
    </>
  );
}
