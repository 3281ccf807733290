import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ApiError } from '../../../../shared/errors.ts';
import type { SyncOpRow, SyncStatus } from '../../../../shared/sync.ts';
import { bridge } from '../../bridge.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { call } from '../../session.ts';

/** Enrol with the sync server (its address and a one-time code), see the queue, sync now. */
export function SyncSettings() {
  const { t } = useTranslation();
  const [status, setStatus] = useState<SyncStatus | null>(null);
  const [serverUrl, setServerUrl] = useState('');
  const [code, setCode] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [ops, setOps] = useState<SyncOpRow[]>([]);
  const [showing, setShowing] = useState<'waiting' | 'rejected'>('waiting');

  useEffect(() => {
    void call('sync.status', {}).then((r) => r.ok && setStatus(r.value));
    return bridge.subscribe('sync.status', setStatus);
  }, []);
  const waiting = status?.waiting;
  const rejected = status?.rejected;
  // biome-ignore lint/correctness/useExhaustiveDependencies: reload the list whenever the counts move
  useEffect(() => {
    void call('sync.ops', { status: showing, limit: 50 }).then((r) => r.ok && setOps(r.value));
  }, [showing, waiting, rejected]);

  async function enrol() {
    const result = await call('sync.enrol', { serverUrl, code });
    if (result.ok) {
      setStatus(result.value);
      setCode('');
    }
    setError(result.ok ? null : result.error);
  }

  async function syncNow() {
    const result = await call('sync.now', {});
    if (result.ok) setStatus(result.value);
    setError(result.ok ? null : result.error);
  }

  return (
    <section className="panel settings-form" aria-labelledby="sync-settings">
      <h2 id="sync-settings">{t('settingsDesk.sync')}</h2>
      {status?.enrolled && (
        <dl className="facts" data-testid="sync-facts">
          <dt>{t('settingsDesk.syncServer')}</dt>
          <dd>{status.serverUrl}</dd>
          <dt>{t('settingsDesk.syncStore')}</dt>
          <dd>
            {status.storeName} · {status.deviceName}
          </dd>
          <dt>{t('settingsDesk.syncState')}</dt>
          <dd>{t(`settingsDesk.syncStates.${status.state}`, { defaultValue: status.state })}</dd>
          <dt>{t('settingsDesk.syncWaiting')}</dt>
          <dd data-testid="sync-waiting">{status.waiting}</dd>
          <dt>{t('settingsDesk.syncLast')}</dt>
          <dd>{status.lastSyncAt ? new Date(status.lastSyncAt).toLocaleString() : '—'}</dd>
          {status.lastError && (
            <>
              <dt>{t('settingsDesk.syncError')}</dt>
              <dd className="error">{status.lastError.message}</dd>
            </>
          )}
        </dl>
      )}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void enrol();
        }}
      >
        <p className="help">{t(status?.enrolled ? 'settingsDesk.reEnrolHelp' : 'settingsDesk.enrolHelp')}</p>
        <div className="row">
          <div className="field">
            <label htmlFor="sync-url">{t('settingsDesk.syncServer')}</label>
            <input
              id="sync-url"
              value={serverUrl}
              onChange={(e) => setServerUrl(e.target.value)}
              placeholder="https://sync.example.com"
            />
          </div>
          <div className="field">
            <label htmlFor="sync-code">{t('settingsDesk.enrolCode')}</label>
            <input id="sync-code" value={code} onChange={(e) => setCode(e.target.value)} autoComplete="off" />
          </div>
        </div>
        <ErrorMessage error={error} />
        <div className="actions">
          {status?.enrolled && (
            <button type="button" onClick={() => void syncNow()}>
              {t('settingsDesk.syncNow')}
            </button>
          )}
          <button type="submit" className="primary" disabled={!serverUrl || !code}>
            {t('settingsDesk.enrol')}
          </button>
        </div>
      </form>
      {status?.enrolled && (
        <>
          <fieldset className="tender-kinds">
            <legend>{t('settingsDesk.queue')}</legend>
            <button type="button" aria-pressed={showing === 'waiting'} onClick={() => setShowing('waiting')}>
              {t('settingsDesk.waitingOps', { count: status.waiting })}
            </button>
            <button type="button" aria-pressed={showing === 'rejected'} onClick={() => setShowing('rejected')}>
              {t('settingsDesk.rejectedOps', { count: status.rejected })}
            </button>
          </fieldset>
          <table className="lines" aria-label={t('settingsDesk.queue')}>
            <tbody>
              {ops.map((op) => (
                <tr key={op.seq}>
                  <td className="num">{op.seq}</td>
                  <td>{new Date(op.occurredAt).toLocaleString()}</td>
                  <td>{op.summary}</td>
                  <td className="error">{op.error ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
