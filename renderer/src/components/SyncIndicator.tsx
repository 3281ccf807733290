import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Events } from '../../../shared/api.ts';
import { bridge } from '../bridge.ts';

/** The header's online/offline and waiting-ops slot; fed by the store's sync.status pushes. */
export function SyncIndicator() {
  const { t } = useTranslation();
  const [status, setStatus] = useState<Events['sync.status'] | null>(null);
  useEffect(() => bridge.subscribe('sync.status', setStatus), []);
  const state = status === null ? 'idle' : status.online ? 'online' : 'offline';
  return (
    <output className={`sync sync-${state}`} aria-live="polite" data-testid="sync-indicator">
      <span className="dot" aria-hidden="true" />
      {status === null ? t('status.notConfigured') : status.online ? t('status.online') : t('status.offline')}
      {status && status.waiting > 0 ? ` · ${t('status.waiting', { count: status.waiting })}` : ''}
    </output>
  );
}
