import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ApiError } from '../../../../shared/errors.ts';
import { type AdjustmentReason, adjustmentReasons } from '../../../../shared/stock.ts';
import type { StockListRow } from '../../../../shared/stock-list.ts';
import { Dialog } from '../../components/Dialog.tsx';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { call } from '../../session.ts';
import { badQuantity, parseUnits, signedText, stockText } from './units.ts';
import { useOverride } from './use-override.tsx';

/** Which way each reason moves stock; a correction or "other" can go either way. */
const direction: Record<AdjustmentReason, 'out' | 'in' | null> = {
  damaged: 'out',
  theft: 'out',
  expired: 'out',
  found: 'in',
  correction: null,
  other: null,
};

/**
 * Stock taken off or put back with a reason (damaged, theft, expired, found, …). A cashier
 * may start it; a manager approves it with their PIN (the store asks, `needs_manager`).
 */
export function AdjustDialog({
  row,
  locationId,
  onDone,
  onClose,
}: {
  row: StockListRow;
  locationId: string;
  onDone: (message: string) => void;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const [reason, setReason] = useState<AdjustmentReason>('damaged');
  const [way, setWay] = useState<'out' | 'in'>('out');
  const [text, setText] = useState('');
  const [note, setNote] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const override = useOverride();

  const sign = (direction[reason] ?? way) === 'out' ? -1 : 1;
  const quantity = parseUnits(text, row.unit);
  const after = quantity ? row.onHand + sign * quantity : null;

  async function save() {
    if (!quantity) {
      setError(badQuantity);
      return;
    }
    setBusy(true);
    const trimmed = note.trim();
    const result = await override.run('adjust_stock', (o) =>
      call('stock.adjust', {
        productId: row.id,
        locationId,
        quantity: sign * quantity,
        reason,
        ...(trimmed ? { note: trimmed } : {}),
        ...(o ? { override: o } : {}),
      }),
    );
    setBusy(false);
    if (!result) return;
    if (!result.ok) {
      setError(result.error);
      return;
    }
    onDone(
      t('stockDesk.adjusted', {
        name: row.name,
        quantity: signedText(sign * quantity, row.unit),
        reason: t(`stockDesk.reasons.${reason}`),
      }),
    );
  }

  return (
    <Dialog title={t('stockDesk.adjustTitle', { name: row.name })} onClose={onClose}>
      <form
        className="sk-form"
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <p className="muted">{t('stockDesk.onHandNow', { quantity: stockText(row.onHand, row.unit) })}</p>
        <fieldset className="sk-choice">
          <legend>{t('stockDesk.reason')}</legend>
          {adjustmentReasons.map((r) => (
            <label key={r} className={reason === r ? 'chosen' : undefined}>
              <input
                type="radio"
                name="sk-reason"
                value={r}
                checked={reason === r}
                onChange={() => {
                  setReason(r);
                  setWay(direction[r] ?? way);
                }}
              />
              {t(`stockDesk.reasons.${r}`)}
            </label>
          ))}
        </fieldset>
        {direction[reason] === null && (
          <fieldset className="sk-choice">
            <legend>{t('stockDesk.direction')}</legend>
            {(['out', 'in'] as const).map((w) => (
              <label key={w} className={way === w ? 'chosen' : undefined}>
                <input type="radio" name="sk-way" value={w} checked={way === w} onChange={() => setWay(w)} />
                {t(`stockDesk.ways.${w}`)}
              </label>
            ))}
          </fieldset>
        )}
        <div className="row">
          <div className="field">
            <label htmlFor="sk-adjust-qty">
              {sign < 0 ? t('stockDesk.quantityOut') : t('stockDesk.quantityIn')}
              {row.unit === 'weight' ? ' (kg)' : ''}
            </label>
            <input
              id="sk-adjust-qty"
              inputMode="decimal"
              autoComplete="off"
              value={text}
              onChange={(e) => setText(e.target.value)}
              autoFocus
            />
          </div>
          <div className="field">
            <label htmlFor="sk-adjust-note">{t('stockDesk.note')}</label>
            <input id="sk-adjust-note" maxLength={300} value={note} onChange={(e) => setNote(e.target.value)} />
          </div>
        </div>
        <p className="sk-after" aria-live="polite">
          {after !== null && t('stockDesk.onHandAfter', { quantity: stockText(after, row.unit) })}
        </p>
        <ErrorMessage error={error} />
        <div className="actions">
          <button type="button" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="primary" disabled={busy || !text.trim()}>
            {t('stockDesk.saveAdjustment')}
          </button>
        </div>
      </form>
      {override.dialog}
    </Dialog>
  );
}
