import { memo, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { OutputOf } from '../../../../shared/api.ts';
import { useMoney } from '../../format.ts';
import { call } from '../../session.ts';
import { useCart } from './cart-store.ts';

/**
 * After an item goes on the sale: up to three things this shop's customers often buy with it.
 * Asked once the store has the line (the store leaves out what is already on the sale), so a
 * scan's own request is not kept waiting behind this one.
 */
export const Suggestions = memo(function Suggestions() {
  const { t } = useTranslation();
  const money = useMoney();
  const pick = useCart((s) => s.pick);
  const empty = useCart((s) => (s.order?.lines.length ?? 0) === 0);
  /** "product id|line count" of the last line once saved; null while it is not. */
  const key = useCart((s) => {
    const last = s.order?.lines.at(-1);
    return last?.saved ? `${last.productId}|${s.order?.lines.length}` : null;
  });
  const [shown, setShown] = useState<{ name: string; items: OutputOf<'sale.suggestions'> }>({ name: '', items: [] });

  useEffect(() => {
    if (empty) setShown({ name: '', items: [] });
  }, [empty]);

  useEffect(() => {
    // While the last line is not saved, what is shown stays.
    if (!key) return;
    let stale = false;
    const last = useCart.getState().order?.lines.at(-1);
    if (!last) return;
    void call('sale.suggestions', { productId: last.productId }).then(
      (r) => !stale && r.ok && setShown({ name: last.name, items: r.value }),
    );
    return () => {
      stale = true;
    };
  }, [key]);

  const { name, items } = shown;
  if (empty || items.length === 0) return null;
  return (
    <section className="suggestions" aria-label={t('till.suggestions', { name })}>
      <span className="muted">{t('till.suggestions', { name })}</span>
      {items.map((item) => (
        <button key={item.id} type="button" onClick={() => void pick(item)}>
          {item.name} <span className="muted">{money(item.price)}</span>
        </button>
      ))}
    </section>
  );
});
