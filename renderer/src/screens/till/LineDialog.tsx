import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type ApiError, TillError } from '../../../../shared/errors.ts';
import { parseMoney } from '../../../../shared/money.ts';
import type { OrderLine } from '../../../../shared/sale.ts';
import { Dialog } from '../../components/Dialog.tsx';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { useSession } from '../../session.ts';
import { useCart } from './cart-store.ts';

export type LineEdit = 'quantity' | 'discount' | 'price' | 'orderDiscount';

/** One number for the selected line (quantity, discount, price) or the whole order's discount. */
export function LineDialog({ edit, line, onClose }: { edit: LineEdit; line: OrderLine | null; onClose: () => void }) {
  const { t } = useTranslation();
  const currency = useSession((s) => s.settings?.currency ?? 'EUR');
  const updateLine = useCart((s) => s.updateLine);
  const setOrderDiscount = useCart((s) => s.setOrderDiscount);
  const [text, setText] = useState('');
  const [error, setError] = useState<ApiError | null>(null);

  async function apply() {
    try {
      if (edit === 'quantity' && line) {
        const match = /^\s*(\d{1,6})(?:[.,](\d{1,3}))?\s*$/.exec(text);
        if (!match || (line.unit === 'each' && match[2])) throw new TillError('invalid_input', 'bad_quantity', 'Bad quantity');
        const quantity = Number(match[1]) * 1000 + Number((match[2] ?? '').padEnd(3, '0'));
        if (quantity === 0) throw new TillError('invalid_input', 'bad_quantity', 'Bad quantity');
        await updateLine(line.id, { quantity });
      } else if (edit === 'discount' && line) {
        await updateLine(line.id, { lineDiscount: parseMoney(text, currency) });
      } else if (edit === 'price' && line) {
        await updateLine(line.id, { unitPrice: parseMoney(text, currency) });
      } else if (edit === 'orderDiscount') {
        await setOrderDiscount(parseMoney(text, currency));
      }
      onClose();
    } catch (e) {
      if (e instanceof TillError) setError(e.toApiError());
      else throw e;
    }
  }

  return (
    <Dialog title={t(`lineEdit.${edit}`, { name: line?.name ?? '' })} onClose={onClose}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void apply();
        }}
      >
        <div className="field">
          <label htmlFor="line-value">{t(`lineEdit.${edit}Label`)}</label>
          <input
            id="line-value"
            inputMode="decimal"
            autoComplete="off"
            value={text}
            onChange={(e) => setText(e.target.value)}
            autoFocus
          />
        </div>
        <ErrorMessage error={error} />
        <div className="actions">
          <button type="button" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="primary">
            {t('common.apply')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
