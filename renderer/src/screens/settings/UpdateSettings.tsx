import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ApiError } from '../../../../shared/errors.ts';
import type { UpdateStatus } from '../../../../shared/update.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { call } from '../../session.ts';

/**
 * Updates (managers): what runs, what the feed offers, and the manager's yes that lets a
 * downloaded update install — the app installs it when no sale is open.
 */
export function UpdateSettings() {
  const { t } = useTranslation();
  const [status, setStatus] = useState<UpdateStatus | null>(null);
  const [error, setError] = useState<ApiError | null>(null);

  useEffect(() => {
    const load = () => void call('update.status', {}).then((r) => (r.ok ? setStatus(r.value) : setError(r.error)));
    load();
    // Progress and the install moment come from the main process: look again while open.
    const timer = setInterval(load, 2000);
    return () => clearInterval(timer);
  }, []);

  async function run(name: 'update.check' | 'update.install') {
    const result = await call(name, {});
    if (result.ok) setStatus(result.value);
    setError(result.ok ? null : result.error);
  }

  if (!status) return null;
  const busy = status.state === 'checking' || status.state === 'downloading' || status.state === 'installing';
  return (
    <section className="panel settings-form" aria-labelledby="update-settings">
      <h2 id="update-settings">{t('updates.title')}</h2>
      <p role="status">
        {t(`updates.states.${status.state}`, {
          current: status.current,
          available: status.available ?? '',
          percent: status.percent ?? 0,
          error: status.error ?? '',
        })}
      </p>
      {status.state === 'ready' && status.waitingFor && <p className="help">{t(`updates.waitingFor.${status.waitingFor}`)}</p>}
      {status.state !== 'unsupported' && (
        <div className="row">
          <button type="button" disabled={busy} onClick={() => void run('update.check')}>
            {t('updates.checkNow')}
          </button>
          {status.state === 'ready' && (
            <button type="button" className="primary" onClick={() => void run('update.install')}>
              {t('updates.install', { version: status.available })}
            </button>
          )}
        </div>
      )}
      <p className="help">{t('updates.policy')}</p>
      <ErrorMessage error={error} />
    </section>
  );
}
