import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type BackupFile, damageProblems, type RestoreResult, type StartState } from '../../../../shared/backup.ts';
import type { ApiError } from '../../../../shared/errors.ts';
import type { Language } from '../../../../shared/settings.ts';
import { bridge } from '../../bridge.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { setLanguage } from '../../i18n/index.ts';
import './recovery.css';
import { LanguagePicker } from '../../components/LanguagePicker.tsx';

type Recovery = Extract<StartState, { state: 'recovery' }>;

/** The store's language when it could still be read, else the browser's. */
function firstLanguage(state: Recovery): Language {
  if (state.language) return state.language;
  return navigator.languages.some((l) => l.toLowerCase().startsWith('zh')) ? 'zh-CN' : 'en';
}

function useFormat() {
  const { i18n } = useTranslation();
  return {
    time: (iso: string) => new Date(iso).toLocaleString(i18n.language),
    size: (bytes: number) =>
      new Intl.NumberFormat(i18n.language, { style: 'unit', unit: 'megabyte', maximumFractionDigits: 1 }).format(
        bytes / 1024 / 1024,
      ),
  };
}

function BackupList({ backups }: { backups: BackupFile[] }) {
  const { t } = useTranslation();
  const format = useFormat();
  return (
    <table className="lines recovery-backups" aria-label={t('recovery.backupList')}>
      <thead>
        <tr>
          <th>{t('recovery.backupTime')}</th>
          <th className="num">{t('recovery.backupSize')}</th>
          <th>{t('recovery.backupFile')}</th>
        </tr>
      </thead>
      <tbody>
        {backups.slice(0, 5).map((b, index) => (
          <tr key={b.file}>
            <td>
              {format.time(b.createdAt)}
              {index === 0 && <span className="badge">{t('recovery.newest')}</span>}
            </td>
            <td className="num">{format.size(b.bytes)}</td>
            <td>
              <code>{b.file}</code>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * The till could not open its store: what happened, which file, the newest backups, and one
 * action that puts the till back to work (restore the newest good backup, or try again once
 * the disk or the permission is fixed). Nobody can sign in here, so nothing asks for a PIN.
 */
export function RecoveryScreen({ initial }: { initial: Recovery }) {
  const { t, i18n } = useTranslation();
  const format = useFormat();
  const [state, setState] = useState<Recovery>(initial);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [restored, setRestored] = useState<RestoreResult | null>(null);
  const [confirmEmpty, setConfirmEmpty] = useState(false);

  useEffect(() => setLanguage(firstLanguage(initial)), [initial]);

  const damaged = damageProblems.includes(state.problem);
  const newestBackup = state.backups[0];

  async function run<T>(call: () => Promise<{ ok: true; value: T } | { ok: false; error: ApiError }>): Promise<T | null> {
    setBusy(true);
    setError(null);
    const result = await call();
    setBusy(false);
    if (result.ok) return result.value;
    setError(result.error);
    return null;
  }

  /** The till is running again: reload the app, which lands on sign-in (or setup). */
  function follow(next: StartState | null) {
    if (next?.state === 'running') window.location.reload();
    else if (next) setState(next);
  }

  async function restore() {
    const result = await run(() => bridge.call('backup.restore', {}));
    if (result?.after.state === 'running') setRestored(result);
    else if (result) follow(result.after);
  }
  const retry = async () => follow(await run(() => bridge.call('backup.retryStart', {})));
  const lookAgain = async () => follow(await run(() => bridge.call('backup.startState', {})));
  const startEmpty = async () => follow(await run(() => bridge.call('backup.startEmpty', { confirm: true })));

  if (restored) {
    return (
      <main className="recovery" aria-labelledby="recovery-title">
        <h1 id="recovery-title">{t('recovery.restoredTitle')}</h1>
        <p role="status" className="recovery-done">
          {t('recovery.restored', { time: format.time(restored.restored.createdAt), file: restored.restored.file })}
        </p>
        {restored.keptAs && (
          <p>
            {t('recovery.keptAs')} <code>{restored.keptAs}</code>
          </p>
        )}
        {restored.skipped.length > 0 && <p className="help">{t('recovery.skipped', { count: restored.skipped.length })}</p>}
        <div className="actions">
          <button type="button" className="primary" onClick={() => window.location.reload()}>
            {t('recovery.continue')}
          </button>
        </div>
      </main>
    );
  }

  return (
    <main className="recovery" aria-labelledby="recovery-title" data-problem={state.problem}>
      <LanguagePicker
        id="recovery-language"
        className="recovery-language field inline"
        value={i18n.language}
        onChange={setLanguage}
      />
      <h1 id="recovery-title">{t('recovery.title')}</h1>
      <p role="alert" className="recovery-problem">
        {t(`recovery.problems.${state.problem}`)}
      </p>
      <dl className="facts">
        <dt>{t('recovery.file')}</dt>
        <dd>
          <code>{state.path}</code>
        </dd>
        <dt>{t('recovery.since')}</dt>
        <dd>{format.time(state.since)}</dd>
      </dl>
      <details className="recovery-detail">
        <summary>{t('recovery.detail')}</summary>
        <code>{state.detail}</code>
      </details>

      {damaged ? (
        <section className="panel" aria-labelledby="recovery-backups">
          <h2 id="recovery-backups">{t('recovery.backups')}</h2>
          <p className="help">
            {t('recovery.backupFolder')} <code>{state.backupFolder}</code>
          </p>
          {newestBackup ? (
            <>
              <BackupList backups={state.backups} />
              <p>{t('recovery.restoreExplain')}</p>
              <ErrorMessage error={error} />
              <div className="actions">
                <button type="button" className="primary" disabled={busy} onClick={() => void restore()}>
                  {busy ? t('recovery.restoring') : t('recovery.restore')}
                </button>
              </div>
            </>
          ) : (
            <>
              <p>{t('recovery.noBackups')}</p>
              <ErrorMessage error={error} />
              <div className="actions">
                <button type="button" className="primary" disabled={busy} onClick={() => void lookAgain()}>
                  {t('recovery.lookAgain')}
                </button>
                {confirmEmpty ? (
                  <button type="button" className="danger" disabled={busy} onClick={() => void startEmpty()}>
                    {t('recovery.startEmptyConfirm')}
                  </button>
                ) : (
                  <button type="button" disabled={busy} onClick={() => setConfirmEmpty(true)}>
                    {t('recovery.startEmpty')}
                  </button>
                )}
              </div>
              <p className="help">{t('recovery.startEmptyExplain')}</p>
            </>
          )}
        </section>
      ) : (
        <section className="panel">
          <p>{state.problem === 'newer_database' ? t('recovery.newerExplain') : t('recovery.fixExplain')}</p>
          <ErrorMessage error={error} />
          <div className="actions">
            <button type="button" className="primary" disabled={busy} onClick={() => void retry()}>
              {t('recovery.retry')}
            </button>
          </div>
        </section>
      )}
    </main>
  );
}
