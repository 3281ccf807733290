import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { OutputOf } from '../../../../shared/api.ts';
import { useMoney } from '../../format.ts';
import { call } from '../../session.ts';
import { useCart } from './cart-store.ts';

/** After an item goes on the sale: up to three things this shop's customers often buy with it. */
export function Suggestions() {
  const { t } = useTranslation();
  const money = useMoney();
  const last = useCart((s) => s.order?.lines.at(-1));
  const pick = useCart((s) => s.pick);
  const [items, setItems] = useState<OutputOf<'sale.suggestions'>>([]);
  const productId = last?.productId;
  const lineCount = useCart((s) => s.order?.lines.length ?? 0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: refetch as lines change, so items already on the sale drop out
  useEffect(() => {
    let stale = false;
    if (!productId) {
      setItems([]);
      return;
    }
    void call('sale.suggestions', { productId }).then((r) => !stale && r.ok && setItems(r.value));
    return () => {
      stale = true;
    };
  }, [productId, lineCount]);

  if (!last || items.length === 0) return null;
  return (
    <section className="suggestions" aria-label={t('till.suggestions', { name: last.name })}>
      <span className="muted">{t('till.suggestions', { name: last.name })}</span>
      {items.map((item) => (
        <button key={item.id} type="button" onClick={() => void pick(item)}>
          {item.name} <span className="muted">{money(item.price)}</span>
        </button>
      ))}
    </section>
  );
}
