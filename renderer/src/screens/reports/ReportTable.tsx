import { type ReactNode, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ApiError } from '../../../../shared/errors.ts';
import type { ReportTable as TableName } from '../../../../shared/reports.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { call } from '../../session.ts';
import { download } from '../stock/units.ts';
import { timeZone, useReports } from './reports-store.ts';

export interface Column<T> {
  key: string;
  label: string;
  numeric?: boolean;
  render: (row: T) => ReactNode;
}

/** Downloads one of the report's tables as CSV, the same figures as on screen. */
export function CsvButton({ table, label, text }: { table: TableName; label: string; text?: string }) {
  const { t } = useTranslation();
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  async function save() {
    const { from, to } = useReports.getState();
    setBusy(true);
    const result = await call('reports.exportCsv', { from, to, timeZone, table });
    setBusy(false);
    if (!result.ok) {
      setError(result.error);
      return;
    }
    setError(null);
    download(result.value.fileName, result.value.csv);
  }
  return (
    <>
      <button
        type="button"
        className="rp-csv"
        onClick={() => void save()}
        disabled={busy}
        aria-label={t('reportsDesk.csvOf', { table: label })}
      >
        {text ?? t('reportsDesk.csv')}
      </button>
      <ErrorMessage error={error} />
    </>
  );
}

/** A titled table with its CSV download; `footer` holds a totals row. */
export function ReportTable<T>({
  id,
  title,
  table,
  columns,
  rows,
  rowKey,
  footer,
  note,
  empty,
}: {
  id: string;
  title: string;
  table?: TableName;
  columns: Column<T>[];
  rows: T[];
  rowKey: (row: T) => string;
  footer?: ReactNode;
  note?: ReactNode;
  empty?: string;
}) {
  const { t } = useTranslation();
  return (
    <section className="rp-card rp-table-card" aria-labelledby={id}>
      <header className="rp-card-head">
        <h2 id={id}>{title}</h2>
        {table && <CsvButton table={table} label={title} />}
      </header>
      {note && <p className="muted rp-note">{note}</p>}
      {rows.length === 0 ? (
        <p className="muted">{empty ?? t('reportsDesk.nothing')}</p>
      ) : (
        <div className="rp-scroll">
          <table className="rp-table">
            <thead>
              <tr>
                {columns.map((c) => (
                  <th key={c.key} className={c.numeric ? 'num' : undefined} scope="col">
                    {c.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={rowKey(row)}>
                  {columns.map((c) => (
                    <td key={c.key} className={c.numeric ? 'num' : undefined}>
                      {c.render(row)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
            {footer && <tfoot>{footer}</tfoot>}
          </table>
        </div>
      )}
    </section>
  );
}
