import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ImportMode, ImportReport } from '../../../../shared/catalog.ts';
import type { ApiError } from '../../../../shared/errors.ts';
import { bridge } from '../../bridge.ts';
import { Dialog } from '../../components/Dialog.tsx';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { useMoney } from '../../format.ts';
import { errorText } from '../../i18n/index.ts';
import { call } from '../../session.ts';

type Phase = 'choose' | 'reading' | 'importing' | 'done';

/**
 * Catalog import from a CSV file (the export's columns). The store checks every row first:
 * "all or nothing" writes nothing while any row is bad; "valid rows" writes the good ones.
 * Progress comes from the catalog.importProgress event; every refused row is listed with
 * its row number, column and the reason in the reader's language.
 */
export function CsvImport({ onImported, onClose }: { onImported: () => void; onClose: () => void }) {
  const { t } = useTranslation();
  const money = useMoney();
  const [file, setFile] = useState<File | null>(null);
  const [mode, setMode] = useState<ImportMode>('all_or_nothing');
  const [phase, setPhase] = useState<Phase>('choose');
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const [report, setReport] = useState<ImportReport | null>(null);
  const [ranMode, setRanMode] = useState<ImportMode>('all_or_nothing');
  const [error, setError] = useState<ApiError | null>(null);
  const text = useRef<string | null>(null);

  useEffect(() => bridge.subscribe('catalog.importProgress', (p) => setProgress(p)), []);

  async function run(how: ImportMode) {
    if (!file) return;
    setError(null);
    setReport(null);
    setProgress(null);
    if (text.current === null) {
      setPhase('reading');
      text.current = await file.text();
    }
    setPhase('importing');
    setMode(how);
    setRanMode(how);
    const result = await call('catalog.importCsv', { csv: text.current, mode: how });
    setPhase(result.ok ? 'done' : 'choose');
    if (!result.ok) {
      setError(result.error);
      return;
    }
    setReport(result.value);
    if (result.value.imported > 0 && (how === 'valid_rows' || result.value.failed === 0)) onImported();
  }

  const working = phase === 'reading' || phase === 'importing';
  const nothingWritten = report !== null && ranMode === 'all_or_nothing' && report.failed > 0;

  return (
    <Dialog title={t('stockDesk.importTitle')} onClose={working ? () => undefined : onClose} wide>
      <form
        className="sk-form sk-import"
        onSubmit={(e) => {
          e.preventDefault();
          void run(mode);
        }}
      >
        <p className="muted">{t('stockDesk.importHelp')}</p>
        <div className="field">
          <label htmlFor="sk-file">{t('stockDesk.file')}</label>
          <input
            id="sk-file"
            type="file"
            accept=".csv,text/csv"
            disabled={working}
            onChange={(e) => {
              setFile(e.target.files?.[0] ?? null);
              text.current = null;
              setReport(null);
              setPhase('choose');
            }}
          />
        </div>
        <fieldset className="sk-choice sk-modes" disabled={working}>
          <legend>{t('stockDesk.importMode')}</legend>
          {(['all_or_nothing', 'valid_rows'] as const).map((m) => (
            <label key={m} className={mode === m ? 'chosen' : undefined}>
              <input type="radio" name="sk-mode" value={m} checked={mode === m} onChange={() => setMode(m)} />
              <span>
                <strong>{t(`stockDesk.modes.${m}`)}</strong>
                <span className="muted"> {t(`stockDesk.modeHelp.${m}`)}</span>
              </span>
            </label>
          ))}
        </fieldset>
        {working && (
          <div className="sk-progress" aria-live="polite">
            <progress
              aria-label={t('stockDesk.importing')}
              max={progress?.total || undefined}
              value={progress ? progress.done : undefined}
            />
            <span>
              {phase === 'reading'
                ? t('stockDesk.reading')
                : progress
                  ? t('stockDesk.progress', { done: progress.done, total: progress.total })
                  : t('stockDesk.importing')}
            </span>
          </div>
        )}
        <ErrorMessage error={error} />
        {report && (
          <section className="sk-report" aria-labelledby="sk-report-title">
            <h3 id="sk-report-title">
              {nothingWritten ? t('stockDesk.nothingImported') : t('stockDesk.importDone', { count: report.imported })}
            </h3>
            {!nothingWritten && <progress className="sk-done-bar" aria-hidden="true" max={1} value={1} />}
            <dl className="sk-summary">
              {(['total', 'created', 'updated', 'unchanged', 'failed'] as const).map((k) => (
                <div key={k} className={k === 'failed' && report.failed > 0 ? 'bad' : undefined}>
                  <dt>{t(`stockDesk.report.${k}`)}</dt>
                  <dd>{nothingWritten && k !== 'total' && k !== 'failed' ? 0 : report[k]}</dd>
                </div>
              ))}
            </dl>
            {report.errors.length > 0 && (
              <>
                {report.failed > report.errors.length && (
                  <p className="muted">{t('stockDesk.errorsCapped', { shown: report.errors.length })}</p>
                )}
                <div className="sk-errors">
                  <table className="sk-table">
                    <caption className="visually-hidden">{t('stockDesk.rowErrors')}</caption>
                    <thead>
                      <tr>
                        <th className="num">{t('stockDesk.errorColumns.row')}</th>
                        <th>{t('stockDesk.errorColumns.column')}</th>
                        <th>{t('stockDesk.errorColumns.problem')}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {report.errors.map((e) => (
                        <tr key={`${e.row}-${e.column}-${e.reason}`}>
                          <td className="num">{e.row}</td>
                          <td>{e.column || '—'}</td>
                          <td>
                            {errorText(
                              {
                                code: 'invalid_input',
                                reason: e.reason,
                                message: e.message,
                                ...(e.params ? { params: e.params } : {}),
                              },
                              money,
                            )}
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              </>
            )}
          </section>
        )}
        <div className="actions">
          <button type="button" onClick={onClose} disabled={working}>
            {report ? t('common.close') : t('common.cancel')}
          </button>
          {nothingWritten && (
            <button type="button" onClick={() => void run('valid_rows')}>
              {t('stockDesk.importValidInstead')}
            </button>
          )}
          {!report && (
            <button type="submit" className="primary" disabled={!file || working}>
              {t('stockDesk.import')}
            </button>
          )}
        </div>
      </form>
    </Dialog>
  );
}
