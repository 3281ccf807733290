import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Dialog } from '../../components/Dialog.tsx';
import { useMoney } from '../../format.ts';
import type { Sellable } from './cart-store.ts';

/** Weighed goods: the cashier types the scale's reading in kilograms (e.g. 0.615). */
export function WeighDialog({
  product,
  onWeighed,
  onCancel,
}: {
  product: Sellable;
  onWeighed: (grams: number) => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  const money = useMoney();
  const [text, setText] = useState('');
  const match = /^\s*(\d{1,4})(?:[.,](\d{1,3}))?\s*$/.exec(text);
  const grams = match ? Number(match[1]) * 1000 + Number((match[2] ?? '').padEnd(3, '0')) : 0;
  return (
    <Dialog title={t('weigh.title', { name: product.name })} onClose={onCancel}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (grams > 0) onWeighed(grams);
        }}
      >
        <p>{t('weigh.pricePerKg', { price: money(product.price) })}</p>
        <div className="field">
          <label htmlFor="weight">{t('weigh.weight')}</label>
          <input
            id="weight"
            inputMode="decimal"
            autoComplete="off"
            value={text}
            onChange={(e) => setText(e.target.value)}
            autoFocus
          />
        </div>
        {text !== '' && grams === 0 && (
          <p role="alert" className="error">
            {t('weigh.invalid')}
          </p>
        )}
        <div className="actions">
          <button type="button" onClick={onCancel}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="primary" disabled={grams === 0}>
            {t('weigh.add')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
