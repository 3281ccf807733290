import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Category } from '../../../../shared/catalog.ts';
import type { StockLevel } from '../../../../shared/stock.ts';
import type { StockListRow } from '../../../../shared/stock-list.ts';
import { useMoney } from '../../format.ts';
import { call } from '../../session.ts';
import { MovementHistory } from './MovementHistory.tsx';
import { stockText } from './units.ts';

/** One product: its stock at every location, what it costs and sells for, its movements, and what can be done with it. */
export function ProductPanel({
  row,
  categories,
  canEdit,
  version,
  onAdjust,
  onEdit,
  onClose,
}: {
  row: StockListRow;
  categories: Category[];
  canEdit: boolean;
  version: number;
  onAdjust: () => void;
  onEdit: () => void;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const money = useMoney();
  const [levels, setLevels] = useState<StockLevel[]>([]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `version` reloads after a change
  useEffect(() => {
    void call('stock.levels', { productId: row.id }).then((r) => r.ok && setLevels(r.value));
  }, [row.id, version]);

  const category = categories.find((c) => c.id === row.categoryId)?.name;
  return (
    <aside className="sk-panel" aria-labelledby="sk-panel-title">
      <header className="sk-panel-head">
        <div>
          <h2 id="sk-panel-title">{row.name}</h2>
          <p className="muted">
            {row.sku}
            {row.barcode && ` · ${row.barcode}`}
            {category && ` · ${category}`}
            {!row.active && ` · ${t('stockDesk.flags.inactive')}`}
          </p>
        </div>
        <button type="button" className="sk-close" onClick={onClose} aria-label={t('common.close')}>
          ×
        </button>
      </header>
      <dl className="sk-facts">
        {levels.map((l) => (
          <div key={l.locationId}>
            <dt>{l.locationId === 'shop' ? t('stockDesk.shopFloor') : l.locationName}</dt>
            <dd className={l.onHand < 0 ? 'negative' : undefined}>{stockText(l.onHand, row.unit)}</dd>
          </div>
        ))}
        <div>
          <dt>{t('stockDesk.columns.reorderPoint')}</dt>
          <dd>{row.reorderPoint > 0 ? stockText(row.reorderPoint, row.unit) : '—'}</dd>
        </div>
        <div>
          <dt>{t('stockDesk.columns.price')}</dt>
          <dd>{money(row.price)}</dd>
        </div>
        <div>
          <dt>{t('stockDesk.columns.cost')}</dt>
          <dd>{row.cost === null ? '—' : money(row.cost)}</dd>
        </div>
      </dl>
      <div className="sk-panel-actions">
        <button type="button" className="primary" onClick={onAdjust}>
          {t('stockDesk.adjust')} <kbd>F3</kbd>
        </button>
        {canEdit && (
          <button type="button" onClick={onEdit}>
            {t('stockDesk.edit')} <kbd>F4</kbd>
          </button>
        )}
      </div>
      <MovementHistory productId={row.id} unit={row.unit} version={version} />
    </aside>
  );
}
