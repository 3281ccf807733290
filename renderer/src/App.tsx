import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { StartState } from '../../shared/backup.ts';
import { bridge } from './bridge.ts';
import { ComingNext } from './components/ComingNext.tsx';
import { SyncIndicator } from './components/SyncIndicator.tsx';
import { CustomersScreen } from './screens/customers/CustomersScreen.tsx';
import { OrdersScreen } from './screens/orders/OrdersScreen.tsx';
import { IntegrityNotice } from './screens/recovery/IntegrityNotice.tsx';
import { RecoveryScreen } from './screens/recovery/RecoveryScreen.tsx';
import { ReportsScreen } from './screens/reports/ReportsScreen.tsx';
import { SettingsScreen } from './screens/settings/SettingsScreen.tsx';
import { SetupScreen } from './screens/setup/SetupScreen.tsx';
import { SignInScreen } from './screens/signin/SignInScreen.tsx';
import { StockScreen } from './screens/stock/StockScreen.tsx';
import { StocktakesScreen } from './screens/stocktakes/StocktakesScreen.tsx';
import { TillScreen } from './screens/till/TillScreen.tsx';
import { useSession } from './session.ts';
import { type Screen, screens, useUi } from './ui-store.ts';
import { useIdleLock } from './use-idle-lock.ts';

function ScreenView({ screen }: { screen: Screen }) {
  switch (screen) {
    case 'till':
      return <TillScreen />;
    case 'settings':
      return <SettingsScreen />;
    case 'stocktakes':
      return <StocktakesScreen />;
    case 'orders':
      return <OrdersScreen />;
    case 'customers':
      return <CustomersScreen />;
    case 'stock':
      return <StockScreen />;
    case 'reports':
      return <ReportsScreen />;
    default:
      return <ComingNext screen={screen} />;
  }
}

function Frame() {
  const { t } = useTranslation();
  const { screen, go } = useUi();
  const { staff, lock } = useSession();
  useIdleLock();
  return (
    <div className="frame">
      <header className="topbar">
        <span className="brand">{t('app.name')}</span>
        <SyncIndicator />
        <span className="who">
          {staff && t('header.signedInAs', { name: staff.name, role: t(`roles.${staff.role}`) })}
          <button type="button" className="lock" onClick={() => void lock()}>
            {t('header.lock')}
          </button>
        </span>
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
      <main className="content">
        <IntegrityNotice />
        <ScreenView screen={screen} />
      </main>
    </div>
  );
}

export function App() {
  const { t } = useTranslation();
  const { status, refresh } = useSession();
  // Asked beside the session, not before it: a running till pays no extra round trip.
  const [start, setStart] = useState<StartState | null>(null);
  useEffect(() => {
    void bridge.call('backup.startState', {}).then((r) => setStart(r.ok ? r.value : { state: 'running' }));
    void refresh();
  }, [refresh]);
  if (start?.state === 'recovery') return <RecoveryScreen initial={start} />;
  if (status === 'loading' || !start) return <p className="splash">{t('app.loading')}</p>;
  if (status === 'setup') return <SetupScreen />;
  if (status === 'signedOut') return <SignInScreen />;
  return <Frame />;
}
