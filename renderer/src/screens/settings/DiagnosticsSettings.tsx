import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { DiagnosticsExport } from '../../../../shared/diagnostics.ts';
import type { ApiError } from '../../../../shared/errors.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { call } from '../../session.ts';

/**
 * Diagnostics (managers): one file for support — logs, versions, integrity and ledger checks,
 * sync state — written to the data folder; the screen says where, to attach it to an email.
 */
export function DiagnosticsSettings() {
  const { t } = useTranslation();
  const [bundle, setBundle] = useState<DiagnosticsExport | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  async function exportNow() {
    setBusy(true);
    const result = await call('diagnostics.export', {});
    setBusy(false);
    setBundle(result.ok ? result.value : null);
    setError(result.ok ? null : result.error);
  }

  return (
    <section className="panel settings-form" aria-labelledby="diagnostics-settings">
      <h2 id="diagnostics-settings">{t('diagnostics.title')}</h2>
      <p className="help">{t('diagnostics.help')}</p>
      <div className="actions">
        <button type="button" onClick={() => void exportNow()} disabled={busy}>
          {busy ? t('diagnostics.exporting') : t('diagnostics.export')}
        </button>
      </div>
      <ErrorMessage error={error} />
      {bundle && (
        <output className="saved">
          {t('diagnostics.savedTo')} <code data-testid="diagnostics-path">{bundle.path}</code>
        </output>
      )}
    </section>
  );
}
