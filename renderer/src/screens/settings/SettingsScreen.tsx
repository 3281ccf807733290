import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AppInfo, Health } from '../../../../shared/app.ts';
import type { ApiError } from '../../../../shared/errors.ts';
import type { Language } from '../../../../shared/settings.ts';
import { bridge } from '../../bridge.ts';
import { LanguagePicker } from '../../components/LanguagePicker.tsx';
import { errorText, setLanguage } from '../../i18n/index.ts';
import { useSession } from '../../session.ts';
import { BackupSettings } from './BackupSettings.tsx';
import { DiagnosticsSettings } from './DiagnosticsSettings.tsx';
import { PrinterSettings } from './PrinterSettings.tsx';
import { ShopSettings } from './ShopSettings.tsx';
import { StaffSettings } from './StaffSettings.tsx';
import { SyncSettings } from './SyncSettings.tsx';
import { UpdateSettings } from './UpdateSettings.tsx';

export function SettingsScreen() {
  const { t, i18n } = useTranslation();
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [health, setHealth] = useState<Health | null>(null);
  const [error, setError] = useState<ApiError | null>(null);

  useEffect(() => {
    void bridge.call('app.info', {}).then((r) => (r.ok ? setInfo(r.value) : setError(r.error)));
    void bridge.call('app.health', {}).then((r) => (r.ok ? setHealth(r.value) : setError(r.error)));
  }, []);

  async function choose(language: Language) {
    const result = await bridge.call('settings.update', { language });
    if (result.ok) setLanguage(result.value.language);
    else setError(result.error);
  }
  const settings = useSession((s) => s.settings);
  const role = useSession((s) => s.staff?.role);

  return (
    <section className="screen" aria-labelledby="settings-title">
      <h1 id="settings-title">{t('settings.title')}</h1>
      {error && (
        <p role="alert" className="error">
          {errorText(error)}
        </p>
      )}
      <LanguagePicker id="language" className="field" value={i18n.language} onChange={(l) => void choose(l)}>
        <p className="help">{t('settings.languageHelp')}</p>
      </LanguagePicker>
      {settings && role === 'owner' && (
        <>
          <ShopSettings settings={settings} />
          <PrinterSettings settings={settings} />
          <BackupSettings settings={settings} />
          <SyncSettings />
        </>
      )}
      {role && role !== 'cashier' && <StaffSettings />}
      {role && role !== 'cashier' && <DiagnosticsSettings />}
      {role && role !== 'cashier' && <UpdateSettings />}
      {role !== 'owner' && <p className="help">{t('settingsDesk.ownerOnly')}</p>}
      <h2>{t('settings.about')}</h2>
      {info && (
        <dl className="facts">
          <dt>{t('settings.version')}</dt>
          <dd>{info.version}</dd>
          <dt>{t('settings.schema')}</dt>
          <dd>{info.schemaVersion}</dd>
          <dt>{t('settings.sqlite')}</dt>
          <dd>{info.sqliteVersion}</dd>
          <dt>{t('settings.transport')}</dt>
          <dd>{t(`settings.transports.${info.transport}`)}</dd>
          <dt>{t('settings.dataFolder')}</dt>
          <dd>
            <code>{info.dataDir}</code>
          </dd>
          {health && (
            <>
              <dt>{t('settings.integrity')}</dt>
              <dd>
                {['ok', 'waiting', 'checking'].includes(health.integrity)
                  ? t(`settings.integrityStates.${health.integrity as 'ok' | 'waiting' | 'checking'}`)
                  : health.integrity}
              </dd>
            </>
          )}
        </dl>
      )}
    </section>
  );
}
