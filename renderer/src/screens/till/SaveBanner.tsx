import { type CSSProperties, memo } from 'react';
import { useTranslation } from 'react-i18next';
import type { ApiError } from '../../../../shared/errors.ts';
import { useMoney } from '../../format.ts';
import { i18n } from '../../i18n/index.ts';
import { paidWaiting, useCart } from './cart-store.ts';

// Styled here so the banner needs nothing else to be seen (style props are set through the CSSOM, CSP allows them).
const bannerStyle: CSSProperties = {
  padding: '12px 16px',
  borderRadius: 10,
  border: '2px solid #b42318',
  background: '#fdecea',
  color: '#5c120c',
  display: 'flex',
  flexDirection: 'column',
  gap: 6,
};

/** The fault in the cashier's words: the store's specific reason when it gave one, else its code. */
function faultText(fault: ApiError): string {
  for (const key of [fault.reason, fault.code])
    if (i18n.exists(`till.saveFaults.${key}`)) return i18n.t(`till.saveFaults.${key}`);
  return fault.message;
}

/**
 * Shown for as long as the store refuses writes (issue 8 item 5): what is wrong, that the sale
 * is kept, what is waiting — including sales already paid, which are not complete until the
 * store has them — and a way to try again before the next automatic retry.
 */
export const SaveBanner = memo(function SaveBanner() {
  const { t } = useTranslation();
  const money = useMoney();
  const fault = useCart((s) => s.fault);
  const pending = useCart((s) => s.pending);
  const retryNow = useCart((s) => s.retryNow);
  if (!fault || pending.length === 0) return null;
  return (
    <div role="alert" className="save-fault" data-testid="save-fault" data-reason={fault.reason} style={bannerStyle}>
      <strong>{t('till.cannotSave', { reason: faultText(fault) })}</strong>
      <span>{t('till.keptActions', { count: pending.length })}</span>
      {paidWaiting(pending).map((sale) => (
        <span key={sale.seq} data-testid="paid-waiting">
          {t('till.paidWaiting', { total: money(sale.total), change: money(sale.change) })}
        </span>
      ))}
      <button type="button" onClick={retryNow}>
        {t('till.retryNow')}
      </button>
    </div>
  );
});
