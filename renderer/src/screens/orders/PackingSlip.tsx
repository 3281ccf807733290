import { useEffect, useState } from 'react';
import { createPortal } from 'react-dom';
import { useTranslation } from 'react-i18next';
import type { ApiError } from '../../../../shared/errors.ts';
import type { PackingSlip as Slip } from '../../../../shared/fulfilment.ts';
import { Dialog } from '../../components/Dialog.tsx';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { formatQuantity } from '../../format.ts';
import { call } from '../../session.ts';
import { useDateTime } from './use-date-time.ts';

function SlipSheet({ slip }: { slip: Slip }) {
  const { t } = useTranslation();
  const { dateTime } = useDateTime();
  const a = slip.shipTo;
  return (
    <div className="packing-slip">
      <header className="slip-head">
        <div>
          <strong>{slip.shopName}</strong>
          {slip.shopAddress && <div>{slip.shopAddress}</div>}
        </div>
        <div className="slip-title">
          <strong>{t('orders.slip.title')}</strong>
          <div>{t('orders.slip.order', { number: slip.orderNumber })}</div>
          <div>{dateTime(slip.orderedAt)}</div>
        </div>
      </header>
      <section className="slip-to">
        <h3>{t('orders.slip.shipTo')}</h3>
        <address>
          {[a.recipient, a.line1, a.line2, [a.postcode, a.city].filter(Boolean).join(' '), a.region, a.country, a.phone]
            .filter(Boolean)
            .map((line) => (
              <div key={line}>{line}</div>
            ))}
        </address>
        {a.instructions && <p>{t('orders.slip.instructions', { text: a.instructions })}</p>}
        {slip.carrier && <p>{t('orders.slip.carrier', { carrier: slip.carrier, tracking: slip.trackingNumber ?? '' })}</p>}
      </section>
      <table className="slip-lines">
        <thead>
          <tr>
            <th>{t('orders.slip.sku')}</th>
            <th>{t('orders.slip.item')}</th>
            <th className="num">{t('orders.slip.quantity')}</th>
            <th className="num">{t('orders.slip.packed')}</th>
          </tr>
        </thead>
        <tbody>
          {slip.lines.map((l) => (
            <tr key={`${l.sku}-${l.name}`}>
              <td>{l.sku}</td>
              <td>{l.name}</td>
              <td className="num">{formatQuantity(l.quantity, l.unit)}</td>
              <td className="num">☐</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="slip-foot">{t('orders.slip.printed', { at: dateTime(slip.printedAt) })}</p>
    </div>
  );
}

/**
 * The packing slip of a delivery: what goes in the box (quantities still owed, no prices)
 * and where it goes. Print puts only the slip on paper.
 */
export function PackingSlipDialog({ orderId, onClose }: { orderId: string; onClose: () => void }) {
  const { t } = useTranslation();
  const [slip, setSlip] = useState<Slip | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  useEffect(() => {
    void call('fulfilment.packingSlip', { orderId }).then((r) => (r.ok ? setSlip(r.value) : setError(r.error)));
  }, [orderId]);
  return (
    <Dialog title={t('orders.slip.title')} onClose={onClose} wide>
      <ErrorMessage error={error} />
      {slip && <SlipSheet slip={slip} />}
      {slip &&
        createPortal(
          <div className="slip-print-area" aria-hidden="true">
            <SlipSheet slip={slip} />
          </div>,
          document.body,
        )}
      <div className="actions">
        <button type="button" onClick={onClose}>
          {t('common.close')}
        </button>
        <button type="button" className="primary" disabled={!slip} onClick={() => window.print()}>
          {t('orders.slip.print')}
        </button>
      </div>
    </Dialog>
  );
}
