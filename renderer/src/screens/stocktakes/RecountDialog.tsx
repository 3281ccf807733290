import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Unit } from '../../../../shared/catalog.ts';
import type { ApiError } from '../../../../shared/errors.ts';
import { type CountEntry, parseCountQuantity } from '../../../../shared/stocktake.ts';
import { Dialog } from '../../components/Dialog.tsx';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { call } from '../../session.ts';
import { quantityText, useDateTime } from './labels.ts';

/** A recount: the new figure replaces every entry of the line (each shown with who counted it, where and when). */
export function RecountDialog({
  stocktakeId,
  product,
  onDone,
  onClose,
}: {
  stocktakeId: string;
  product: { productId: string; name: string; unit: Unit };
  onDone: () => void;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const when = useDateTime();
  const [entries, setEntries] = useState<CountEntry[]>([]);
  const [text, setText] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [bad, setBad] = useState(false);

  useEffect(() => {
    void call('stocktake.entries', { stocktakeId, productId: product.productId }).then(
      (r) => r.ok && setEntries(r.value.filter((e) => e.replacedBy === null)),
    );
  }, [stocktakeId, product.productId]);

  async function save() {
    const quantity = parseCountQuantity(text, product.unit);
    if (quantity === null) {
      setBad(true);
      return;
    }
    const result = await call('stocktake.count', { stocktakeId, productId: product.productId, quantity, replace: true });
    if (result.ok) onDone();
    else setError(result.error);
  }

  return (
    <Dialog title={t('stocktake.recountTitle', { name: product.name })} onClose={onClose}>
      {entries.length > 0 && (
        <>
          <p>{t('stocktake.recountExplain')}</p>
          <ul className="st-entries">
            {entries.map((e) => (
              <li key={e.id}>
                <strong>{quantityText(e.quantity, product.unit)}</strong>
                <span>{t(`stocktake.sources.${e.source}`)}</span>
                <span className="muted">
                  {e.staff?.name ?? ''} · {t('stocktake.device', { id: e.deviceId.slice(0, 8) })} · {when(e.countedAt)}
                </span>
              </li>
            ))}
          </ul>
        </>
      )}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <div className="field">
          <label htmlFor="st-recount">
            {product.unit === 'weight'
              ? t('stocktake.quantityKg', { name: product.name })
              : t('stocktake.quantityFor', { name: product.name })}
          </label>
          <input
            id="st-recount"
            inputMode={product.unit === 'weight' ? 'decimal' : 'numeric'}
            autoComplete="off"
            value={text}
            aria-invalid={bad}
            onChange={(e) => {
              setText(e.target.value);
              setBad(false);
            }}
            autoFocus
          />
        </div>
        {bad && (
          <p role="alert" className="error">
            {t('stocktake.badQuantity')}
          </p>
        )}
        <ErrorMessage error={error} />
        <div className="actions">
          <button type="button" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="primary">
            {t('stocktake.saveRecount')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
