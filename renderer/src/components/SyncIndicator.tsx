import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { SyncStatus } from '../../../shared/sync.ts';
import { bridge } from '../bridge.ts';

/** The header's sync light: not set up, online or offline, and how many sales wait to go up. */
export function SyncIndicator() {
  const { t } = useTranslation();
  const [status, setStatus] = useState<SyncStatus | null>(null);
  useEffect(() => {
    void bridge.call('sync.status', {}).then((r) => r.ok && setStatus(r.value));
    return bridge.subscribe('sync.status', setStatus);
  }, []);
  const state = !status?.enrolled ? 'idle' : status.online ? 'online' : 'offline';
  const label = !status?.enrolled ? t('status.notConfigured') : status.online ? t('status.online') : t('status.offline');
  return (
    <output className={`sync sync-${state}`} aria-live="polite" data-testid="sync-indicator" data-waiting={status?.waiting ?? 0}>
      <span className="dot" aria-hidden="true" />
      {label}
      {status?.enrolled && status.waiting > 0 ? ` · ${t('status.waiting', { count: status.waiting })}` : ''}
      {status?.enrolled && status.rejected > 0 ? ` · ${t('status.rejected', { count: status.rejected })}` : ''}
    </output>
  );
}
