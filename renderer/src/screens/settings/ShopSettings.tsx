import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TillSettings } from '../../../../shared/settings.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { useSettingsForm } from './use-settings-form.ts';

/** The shop's own rules: name and address on receipts, cash rounding, the cashier's discount limit, idle lock. */
export function ShopSettings({ settings }: { settings: TillSettings }) {
  const { t } = useTranslation();
  const { save, error, saved } = useSettingsForm();
  const [shopName, setShopName] = useState(settings.shopName);
  const [shopAddress, setShopAddress] = useState(settings.shopAddress);
  const [receiptFooter, setReceiptFooter] = useState(settings.receiptFooter);
  const [rounding, setRounding] = useState(String(settings.cashRoundingStep));
  const [limit, setLimit] = useState(String(settings.cashierDiscountLimitBp / 100));
  const [idle, setIdle] = useState(String(settings.idleLockSeconds));
  return (
    <form
      className="panel settings-form"
      aria-labelledby="shop-settings"
      onSubmit={(e) => {
        e.preventDefault();
        void save({
          shopName,
          shopAddress,
          receiptFooter,
          cashRoundingStep: Number(rounding),
          cashierDiscountLimitBp: Math.round(Number(limit) * 100),
          idleLockSeconds: Number(idle),
        });
      }}
    >
      <h2 id="shop-settings">{t('settingsDesk.shop')}</h2>
      <div className="row">
        <div className="field">
          <label htmlFor="s-shop-name">{t('setup.shopName')}</label>
          <input id="s-shop-name" value={shopName} onChange={(e) => setShopName(e.target.value)} maxLength={80} />
        </div>
        <div className="field">
          <label htmlFor="s-shop-address">{t('settingsDesk.address')}</label>
          <input id="s-shop-address" value={shopAddress} onChange={(e) => setShopAddress(e.target.value)} maxLength={200} />
        </div>
      </div>
      <div className="field">
        <label htmlFor="s-footer">{t('settingsDesk.footer')}</label>
        <input id="s-footer" value={receiptFooter} onChange={(e) => setReceiptFooter(e.target.value)} maxLength={300} />
      </div>
      <div className="row">
        <div className="field">
          <label htmlFor="s-rounding">{t('settingsDesk.cashRounding')}</label>
          <select id="s-rounding" value={rounding} onChange={(e) => setRounding(e.target.value)}>
            {[1, 5, 10, 50, 100].map((step) => (
              <option key={step} value={step}>
                {step === 1 ? t('settingsDesk.noRounding') : t('settingsDesk.roundTo', { step })}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="s-limit">{t('settingsDesk.discountLimit')}</label>
          <input id="s-limit" inputMode="decimal" value={limit} onChange={(e) => setLimit(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="s-idle">{t('settingsDesk.idleLock')}</label>
          <input id="s-idle" inputMode="numeric" value={idle} onChange={(e) => setIdle(e.target.value)} />
        </div>
      </div>
      <ErrorMessage error={error} />
      {saved && <output className="saved">{t('settingsDesk.saved')}</output>}
      <button type="submit" className="primary">
        {t('common.save')}
      </button>
    </form>
  );
}
