import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { BackupFile } from '../../../../shared/backup.ts';
import type { ApiError } from '../../../../shared/errors.ts';
import type { TillSettings } from '../../../../shared/settings.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { call } from '../../session.ts';
import { IntegrityNotice } from '../recovery/IntegrityNotice.tsx';
import { useSettingsForm } from './use-settings-form.ts';

/** Online backups of the store: how often, how many kept, where; one now; the ones there are. */
export function BackupSettings({ settings }: { settings: TillSettings }) {
  const { t } = useTranslation();
  const { save, error, saved } = useSettingsForm();
  const [every, setEvery] = useState(String(settings.backupEveryMinutes));
  const [keep, setKeep] = useState(String(settings.backupKeep));
  const [folder, setFolder] = useState(settings.backupFolder);
  const [backups, setBackups] = useState<BackupFile[]>([]);
  const [backupError, setBackupError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  const load = () => void call('backup.list', {}).then((r) => r.ok && setBackups(r.value));
  useEffect(load, []);

  async function backupNow() {
    setBusy(true);
    const result = await call('backup.now', {});
    setBusy(false);
    setBackupError(result.ok ? null : result.error);
    load();
  }

  return (
    <form
      className="panel settings-form"
      aria-labelledby="backup-settings"
      onSubmit={(e) => {
        e.preventDefault();
        void save({ backupEveryMinutes: Number(every), backupKeep: Number(keep), backupFolder: folder.trim() });
      }}
    >
      <h2 id="backup-settings">{t('settingsDesk.backups')}</h2>
      <IntegrityNotice always />
      <div className="row">
        <div className="field">
          <label htmlFor="b-every">{t('settingsDesk.backupEvery')}</label>
          <input id="b-every" inputMode="numeric" value={every} onChange={(e) => setEvery(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="b-keep">{t('settingsDesk.backupKeep')}</label>
          <input id="b-keep" inputMode="numeric" value={keep} onChange={(e) => setKeep(e.target.value)} />
        </div>
      </div>
      <div className="field">
        <label htmlFor="b-folder">{t('settingsDesk.backupFolder')}</label>
        <input
          id="b-folder"
          value={folder}
          onChange={(e) => setFolder(e.target.value)}
          placeholder={t('settingsDesk.backupFolderDefault')}
        />
      </div>
      <ErrorMessage error={error ?? backupError} />
      {saved && <output className="saved">{t('settingsDesk.saved')}</output>}
      <div className="actions">
        <button type="button" onClick={() => void backupNow()} disabled={busy}>
          {t('settingsDesk.backupNow')}
        </button>
        <button type="submit" className="primary">
          {t('common.save')}
        </button>
      </div>
      {backups.length > 0 && (
        <table className="lines" aria-label={t('settingsDesk.backupList')}>
          <tbody>
            {backups.slice(0, 5).map((b) => (
              <tr key={b.file}>
                <td>{new Date(b.createdAt).toLocaleString()}</td>
                <td>
                  <code>{b.path}</code>
                </td>
                <td className="num">{(b.bytes / 1024 / 1024).toFixed(1)} MB</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </form>
  );
}
