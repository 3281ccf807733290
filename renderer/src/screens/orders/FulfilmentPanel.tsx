import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ApiError } from '../../../../shared/errors.ts';
import { type Fulfilment, fulfilmentStates } from '../../../../shared/fulfilment.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { call } from '../../session.ts';
import { AddressDialog, ShipDialog } from './DeliveryDialogs.tsx';
import { PackingSlipDialog } from './PackingSlip.tsx';
import { useDateTime } from './use-date-time.ts';

/** A delivery: its steps (to ship → shipped → delivered), the address, and the next step's button. */
export function FulfilmentPanel({ fulfilment, onChanged }: { fulfilment: Fulfilment; onChanged: () => void }) {
  const { t } = useTranslation();
  const { dateTime } = useDateTime();
  const [open, setOpen] = useState<null | 'ship' | 'address' | 'slip'>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const a = fulfilment.address;
  const reached = fulfilmentStates.indexOf(fulfilment.state);
  const when = [fulfilment.createdAt, fulfilment.shippedAt, fulfilment.deliveredAt];

  async function deliver() {
    const result = await call('fulfilment.deliver', { orderId: fulfilment.orderId });
    if (!result.ok) setError(result.error);
    else onChanged();
  }

  return (
    <section className="panel detail-section" aria-labelledby="delivery-title">
      <h2 id="delivery-title">{t('orders.fulfilment.title')}</h2>
      <ol className="steps" aria-label={t('orders.fulfilment.progress')}>
        {fulfilmentStates.map((s, i) => (
          <li key={s} className={i <= reached ? 'done' : ''} aria-current={i === reached ? 'step' : undefined}>
            <span>{t(`orders.fulfilment.states.${s}`)}</span>
            {i <= reached && when[i] && <small>{dateTime(when[i] ?? '')}</small>}
          </li>
        ))}
      </ol>
      <div className="delivery-facts">
        <address>
          {[a.recipient, a.line1, a.line2, [a.postcode, a.city].filter(Boolean).join(' '), a.region, a.country, a.phone]
            .filter(Boolean)
            .map((line) => (
              <div key={line}>{line}</div>
            ))}
          {a.instructions && <div className="muted">{a.instructions}</div>}
        </address>
        {fulfilment.carrier && (
          <dl className="facts">
            <dt>{t('orders.fulfilment.carrier')}</dt>
            <dd>{fulfilment.carrier}</dd>
            <dt>{t('orders.fulfilment.trackingNumber')}</dt>
            <dd data-testid="tracking-number">{fulfilment.trackingNumber}</dd>
          </dl>
        )}
      </div>
      <ErrorMessage error={error} />
      <div className="detail-actions">
        {fulfilment.state === 'to_ship' && (
          <>
            <button type="button" className="primary" onClick={() => setOpen('ship')}>
              {t('orders.fulfilment.markShipped')}
            </button>
            <button type="button" onClick={() => setOpen('address')}>
              {t('orders.fulfilment.changeAddress')}
            </button>
          </>
        )}
        {fulfilment.state === 'shipped' && (
          <button type="button" className="primary" onClick={() => void deliver()}>
            {t('orders.fulfilment.markDelivered')}
          </button>
        )}
        <button type="button" onClick={() => setOpen('slip')}>
          {t('orders.fulfilment.packingSlip')}
        </button>
      </div>
      {open === 'ship' && (
        <ShipDialog
          orderId={fulfilment.orderId}
          onClose={() => setOpen(null)}
          onShipped={() => {
            setOpen(null);
            onChanged();
          }}
        />
      )}
      {open === 'address' && (
        <AddressDialog
          orderId={fulfilment.orderId}
          initial={fulfilment.address}
          onClose={() => setOpen(null)}
          onSaved={() => {
            setOpen(null);
            onChanged();
          }}
        />
      )}
      {open === 'slip' && <PackingSlipDialog orderId={fulfilment.orderId} onClose={() => setOpen(null)} />}
    </section>
  );
}
