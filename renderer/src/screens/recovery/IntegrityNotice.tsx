import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { IntegrityReport } from '../../../../shared/backup.ts';
import { bridge } from '../../bridge.ts';
import './recovery.css';

/** How often to ask again while the background check has not finished. */
const pollMs = 5000;

/** The background quick_check's report, asked again until the check has finished. */
export function useIntegrity(): IntegrityReport | null {
  const [report, setReport] = useState<IntegrityReport | null>(null);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const ask = async () => {
      const result = await bridge.call('backup.integrity', {});
      if (stopped) return;
      if (result.ok) setReport(result.value);
      const finished =
        result.ok && (result.value.state === 'ok' || result.value.state === 'damaged' || result.value.state === 'failed');
      if (!finished) timer = setTimeout(() => void ask(), pollMs);
    };
    void ask();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, []);
  return report;
}

/**
 * What the store's full check found. In the app frame (`always` false) it shows only when the
 * check found damage or could not run; in the backups settings it always says where it stands.
 */
export function IntegrityNotice({ always = false }: { always?: boolean }) {
  const { t, i18n } = useTranslation();
  const report = useIntegrity();
  if (!report) return null;
  const trouble = report.state === 'damaged' || report.state === 'failed';
  if (!trouble && !always) return null;
  const when = report.finishedAt ? new Date(report.finishedAt).toLocaleString(i18n.language) : '';
  return (
    <div
      role={trouble ? 'alert' : 'status'}
      className={trouble ? 'integrity-notice trouble' : 'integrity-notice'}
      data-state={report.state}
    >
      <strong>{t(`recovery.check.${report.state}`, { when })}</strong>
      {trouble && (
        <>
          {' '}
          {t('recovery.check.whatNow')}
          <details>
            <summary>{t('recovery.detail')}</summary>
            <code>{report.problems.slice(0, 5).join('\n')}</code>
          </details>
        </>
      )}
    </div>
  );
}
