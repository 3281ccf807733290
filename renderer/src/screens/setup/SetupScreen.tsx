import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ApiError } from '../../../../shared/errors.ts';
import type { Language } from '../../../../shared/settings.ts';
import { bridge } from '../../bridge.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { LanguagePicker } from '../../components/LanguagePicker.tsx';
import { setLanguage } from '../../i18n/index.ts';
import { useSession } from '../../session.ts';

/** First run: make a shop (name, currency, tax, owner PIN), or try Tilldesk with a demo shop. */
export function SetupScreen() {
  const { t, i18n } = useTranslation();
  const refresh = useSession((s) => s.refresh);
  const [shopName, setShopName] = useState('');
  const [currency, setCurrency] = useState('EUR');
  const [locale, setLocale] = useState('en-IE');
  const [taxMode, setTaxMode] = useState<'inclusive' | 'exclusive'>('inclusive');
  const [rate, setRate] = useState('20');
  const [ownerName, setOwnerName] = useState('');
  const [ownerPin, setOwnerPin] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const language = i18n.language as Language;

  async function create() {
    setBusy(true);
    const result = await bridge.call('setup.create', {
      shopName,
      currency: currency.trim().toUpperCase(),
      locale,
      language,
      taxMode,
      taxRates: [{ name: t('setup.standardRate'), rateBp: Math.round(Number(rate) * 100) }],
      ownerName,
      ownerPin,
    });
    setBusy(false);
    if (result.ok) await refresh();
    else setError(result.error);
  }

  async function demo() {
    setBusy(true);
    const result = await bridge.call('setup.demo', { products: 2000, language });
    setBusy(false);
    if (result.ok) await refresh();
    else setError(result.error);
  }

  return (
    <main className="setup">
      <h1>{t('setup.welcome')}</h1>
      <p className="lead">{t('setup.intro')}</p>
      <LanguagePicker id="setup-language" value={language} onChange={setLanguage} />
      <div className="setup-paths">
        <form
          className="panel"
          onSubmit={(e) => {
            e.preventDefault();
            void create();
          }}
        >
          <h2>{t('setup.newShop')}</h2>
          <div className="field">
            <label htmlFor="shop-name">{t('setup.shopName')}</label>
            <input id="shop-name" value={shopName} onChange={(e) => setShopName(e.target.value)} required maxLength={80} />
          </div>
          <div className="row">
            <div className="field">
              <label htmlFor="currency">{t('setup.currency')}</label>
              <input id="currency" value={currency} onChange={(e) => setCurrency(e.target.value)} maxLength={3} required />
            </div>
            <div className="field">
              <label htmlFor="locale">{t('setup.locale')}</label>
              <input id="locale" value={locale} onChange={(e) => setLocale(e.target.value)} required />
            </div>
          </div>
          <div className="row">
            <div className="field">
              <label htmlFor="tax-mode">{t('setup.taxMode')}</label>
              <select id="tax-mode" value={taxMode} onChange={(e) => setTaxMode(e.target.value as 'inclusive' | 'exclusive')}>
                <option value="inclusive">{t('setup.inclusive')}</option>
                <option value="exclusive">{t('setup.exclusive')}</option>
              </select>
            </div>
            <div className="field">
              <label htmlFor="tax-rate">{t('setup.taxRate')}</label>
              <input id="tax-rate" inputMode="decimal" value={rate} onChange={(e) => setRate(e.target.value)} required />
            </div>
          </div>
          <div className="row">
            <div className="field">
              <label htmlFor="owner-name">{t('setup.ownerName')}</label>
              <input id="owner-name" value={ownerName} onChange={(e) => setOwnerName(e.target.value)} required maxLength={80} />
            </div>
            <div className="field">
              <label htmlFor="owner-pin">{t('setup.ownerPin')}</label>
              <input
                id="owner-pin"
                type="password"
                inputMode="numeric"
                autoComplete="new-password"
                value={ownerPin}
                onChange={(e) => setOwnerPin(e.target.value.replace(/\D/g, ''))}
                required
              />
            </div>
          </div>
          <button type="submit" className="primary" disabled={busy}>
            {t('setup.create')}
          </button>
        </form>
        <section className="panel">
          <h2>{t('setup.tryDemo')}</h2>
          <p>{t('setup.demoExplain')}</p>
          <button type="button" className="primary" onClick={() => void demo()} disabled={busy}>
            {busy ? t('setup.working') : t('setup.startDemo')}
          </button>
        </section>
      </div>
      <ErrorMessage error={error} />
    </main>
  );
}
