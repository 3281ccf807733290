import { useTranslation } from 'react-i18next';
import { ComingNext } from './components/ComingNext.tsx';
import { SyncIndicator } from './components/SyncIndicator.tsx';
import { SettingsScreen } from './screens/settings/SettingsScreen.tsx';
import { screens, useUi } from './ui-store.ts';

export function App() {
  const { t } = useTranslation();
  const { screen, go } = useUi();
  return (
    <div className="frame">
      <header className="topbar">
        <span className="brand">{t('app.name')}</span>
        <SyncIndicator />
      </header>
      <nav className="rail" aria-label={t('nav.label')}>
        {screens.map((s) => (
          <button
            key={s}
            type="button"
            className="rail-item"
            aria-current={s === screen ? 'page' : undefined}
            onClick={() => go(s)}
          >
            {t(`nav.${s}`)}
          </button>
        ))}
      </nav>
      <main className="content">{screen === 'settings' ? <SettingsScreen /> : <ComingNext screen={screen} />}</main>
    </div>
  );
}
