import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { OrderSummary } from '../../../../shared/sale.ts';
import { Dialog } from '../../components/Dialog.tsx';
import { useMoney } from '../../format.ts';
import { call } from '../../session.ts';
import { useCart } from './cart-store.ts';

/** Parked sales, oldest first; picking one brings it back to the till. */
export function ParkedDialog({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const money = useMoney();
  const resume = useCart((s) => s.resume);
  const [parked, setParked] = useState<OrderSummary[]>([]);
  useEffect(() => {
    void call('sale.parked', {}).then((r) => r.ok && setParked(r.value));
  }, []);
  return (
    <Dialog title={t('parked.title')} onClose={onClose}>
      {parked.length === 0 && <p>{t('parked.none')}</p>}
      <ul className="parked">
        {parked.map((p) => (
          <li key={p.id}>
            <button
              type="button"
              onClick={() => {
                void resume(p.id).then(onClose);
              }}
            >
              <span>{new Date(p.parkedAt ?? p.openedAt).toLocaleTimeString()}</span>
              <span>{t('parked.items', { count: p.lineCount })}</span>
              <span>{p.customerName ?? ''}</span>
              <strong>{money(p.total)}</strong>
            </button>
          </li>
        ))}
      </ul>
      <div className="actions">
        <button type="button" onClick={onClose}>
          {t('common.close')}
        </button>
      </div>
    </Dialog>
  );
}
