import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ApiError } from '../../../../shared/errors.ts';
import {
  type Fulfilment,
  type ShippingAddress,
  type ShippingAddressInput,
  trackingNumberSchema,
} from '../../../../shared/fulfilment.ts';
import { Dialog } from '../../components/Dialog.tsx';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { call } from '../../session.ts';

type AddressField = keyof ShippingAddressInput;
const fields: { key: AddressField; required: boolean; max: number; wide?: boolean }[] = [
  { key: 'recipient', required: true, max: 120, wide: true },
  { key: 'line1', required: true, max: 200, wide: true },
  { key: 'line2', required: false, max: 200, wide: true },
  { key: 'city', required: true, max: 100 },
  { key: 'region', required: false, max: 100 },
  { key: 'postcode', required: false, max: 20 },
  { key: 'country', required: true, max: 60 },
  { key: 'phone', required: false, max: 32 },
  { key: 'instructions', required: false, max: 300, wide: true },
];

function Field({
  name,
  label,
  value,
  onChange,
  required,
  max,
  className,
}: {
  name: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  required?: boolean;
  max: number;
  className?: string;
}) {
  const id = useId();
  return (
    <div className={className ? `form-field ${className}` : 'form-field'}>
      <label htmlFor={id}>{label}</label>
      <input id={id} name={name} value={value} required={required} maxLength={max} onChange={(e) => onChange(e.target.value)} />
    </div>
  );
}

/** Where the parcel goes: taking an order for delivery, or correcting the address before it leaves. */
export function AddressDialog({
  orderId,
  initial,
  suggestedRecipient,
  onClose,
  onSaved,
}: {
  orderId: string;
  /** Present when changing an existing delivery's address. */
  initial?: ShippingAddress;
  suggestedRecipient?: string | null;
  onClose: () => void;
  onSaved: (fulfilment: Fulfilment) => void;
}) {
  const { t } = useTranslation();
  const [address, setAddress] = useState<Record<AddressField, string>>(() => {
    const start = Object.fromEntries(fields.map((f) => [f.key, initial?.[f.key] ?? ''])) as Record<AddressField, string>;
    if (!initial && suggestedRecipient) start.recipient = suggestedRecipient;
    return start;
  });
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit() {
    setBusy(true);
    const result = await call(initial ? 'fulfilment.updateAddress' : 'fulfilment.create', { orderId, address });
    setBusy(false);
    if (!result.ok) setError(result.error);
    else onSaved(result.value);
  }

  return (
    <Dialog
      title={initial ? t('orders.fulfilment.changeAddress') : t('orders.fulfilment.takeForDelivery')}
      onClose={onClose}
      wide
    >
      <form
        className="address-form"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        {fields.map((f) => (
          <Field
            key={f.key}
            name={f.key}
            label={t(`orders.fulfilment.address.${f.key}`) + (f.required ? '' : ` ${t('orders.fulfilment.optional')}`)}
            value={address[f.key]}
            required={f.required}
            max={f.max}
            className={f.wide ? 'wide' : undefined}
            onChange={(value) => setAddress((a) => ({ ...a, [f.key]: value }))}
          />
        ))}
        <ErrorMessage error={error} />
        <div className="actions wide">
          <button type="button" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="primary" disabled={busy}>
            {initial ? t('common.save') : t('orders.fulfilment.create')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/** Carriers a shop in Ireland or China commonly uses; any other can be typed. */
const carriers = ['An Post', 'DPD', 'DHL', 'UPS', 'FedEx', 'GLS', 'SF Express', 'China Post', 'ZTO', 'YTO'];

/** The parcel leaves: which carrier has it and its tracking number. */
export function ShipDialog({
  orderId,
  onClose,
  onShipped,
}: {
  orderId: string;
  onClose: () => void;
  onShipped: (fulfilment: Fulfilment) => void;
}) {
  const { t } = useTranslation();
  const listId = useId();
  const carrierId = useId();
  const trackingId = useId();
  const [carrier, setCarrier] = useState('');
  const [tracking, setTracking] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [badTracking, setBadTracking] = useState(false);
  const [busy, setBusy] = useState(false);

  async function submit() {
    // Checked here with the store's own rule, so the cashier reads why in their language.
    const ok = trackingNumberSchema.safeParse(tracking).success;
    setBadTracking(!ok);
    if (!ok) return;
    setBusy(true);
    const result = await call('fulfilment.ship', { orderId, carrier, trackingNumber: tracking });
    setBusy(false);
    if (!result.ok) setError(result.error);
    else onShipped(result.value);
  }

  return (
    <Dialog title={t('orders.fulfilment.shipTitle')} onClose={onClose}>
      <form
        className="note-form"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <label htmlFor={carrierId}>{t('orders.fulfilment.carrier')}</label>
        <input
          id={carrierId}
          list={listId}
          value={carrier}
          maxLength={60}
          required
          onChange={(e) => setCarrier(e.target.value)}
        />
        <datalist id={listId}>
          {carriers.map((c) => (
            <option key={c} value={c} />
          ))}
        </datalist>
        <label htmlFor={trackingId}>{t('orders.fulfilment.trackingNumber')}</label>
        <input
          id={trackingId}
          value={tracking}
          maxLength={60}
          required
          autoComplete="off"
          onChange={(e) => setTracking(e.target.value)}
        />
        <p className={badTracking ? 'error' : 'help'} role={badTracking ? 'alert' : undefined}>
          {t('orders.fulfilment.trackingHelp')}
        </p>
        <ErrorMessage error={error} />
        <div className="actions">
          <button type="button" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="primary" disabled={busy || !carrier.trim() || !tracking.trim()}>
            {t('orders.fulfilment.markShipped')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
