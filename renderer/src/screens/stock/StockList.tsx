import { useVirtualizer } from '@tanstack/react-virtual';
import { type KeyboardEvent, useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import type { StockListRow } from '../../../../shared/stock-list.ts';
import { useMoney } from '../../format.ts';
import { useStock } from './stock-store.ts';
import { stockText } from './units.ts';

const rowHeight = 52;

function state(row: StockListRow): 'negative' | 'low' | 'inactive' | null {
  if (!row.active) return 'inactive';
  if (row.onHand < 0) return 'negative';
  if (row.reorderPoint > 0 && row.onHand <= row.reorderPoint) return 'low';
  return null;
}

/**
 * Every product that matches, in name order, as a windowed list (TanStack Virtual): only
 * the rows in view are in the page, and the next page loads as the end comes near, so
 * 100,000 products scroll like 20. Up and Down move through the rows, Enter opens one.
 * `narrow`: a product is open beside the list, so only name, stock and price show.
 */
export function StockList({ onOpen, narrow }: { onOpen: (row: StockListRow) => void; narrow: boolean }) {
  const { t } = useTranslation();
  const money = useMoney();
  const { rows, next, loading, selectedId, select, loadMore, filter, error, locations } = useStock();
  const box = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => box.current,
    estimateSize: () => rowHeight,
    overscan: 12,
  });
  const items = virtualizer.getVirtualItems();
  const lastShown = items.at(-1)?.index ?? 0;

  useEffect(() => {
    if (next && !loading && lastShown >= rows.length - 40) void loadMore();
  }, [lastShown, rows.length, next, loading, loadMore]);

  // A new search starts at the top.
  // biome-ignore lint/correctness/useExhaustiveDependencies: the filter is the trigger, not a value used
  useEffect(() => {
    virtualizer.scrollToOffset(0);
  }, [filter]);

  const selectedIndex = rows.findIndex((r) => r.id === selectedId);

  function move(to: number) {
    const row = rows[Math.max(0, Math.min(rows.length - 1, to))];
    if (!row) return;
    select(row.id);
    virtualizer.scrollToIndex(rows.indexOf(row), { align: 'auto' });
    requestAnimationFrame(() => box.current?.querySelector<HTMLElement>(`[data-id="${row.id}"]`)?.focus());
  }

  function onKeyDown(event: KeyboardEvent, from: number) {
    const page = Math.max(1, Math.floor((box.current?.clientHeight ?? 400) / rowHeight) - 1);
    const keys: Record<string, number> = {
      ArrowDown: from + 1,
      ArrowUp: from - 1,
      PageDown: from + page,
      PageUp: from - page,
      Home: 0,
      End: rows.length - 1,
    };
    const to = keys[event.key];
    if (to === undefined) return;
    event.preventDefault();
    move(to);
  }

  const otherLocations = (row: StockListRow) =>
    Object.entries(row.levels).filter(([id, qty]) => id !== filter.locationId && qty !== 0);

  return (
    <div className={`sk-list${locations.length > 1 ? '' : ' one-place'}${narrow ? ' narrow' : ''}`}>
      <div className="sk-row sk-head" aria-hidden="true">
        <span>{t('stockDesk.columns.product')}</span>
        <span>{t('stockDesk.columns.barcode')}</span>
        <span className="num">{t('stockDesk.columns.onHand')}</span>
        <span className="num">{t('stockDesk.columns.elsewhere')}</span>
        <span className="num">{t('stockDesk.columns.reorderPoint')}</span>
        <span className="num">{t('stockDesk.columns.price')}</span>
        <span className="num">{t('stockDesk.columns.cost')}</span>
      </div>
      <div ref={box} className="sk-scroll">
        {rows.length === 0 && !loading && <p className="sk-empty">{error ? '' : t('stockDesk.noneMatch')}</p>}
        <ul
          aria-label={t('stockDesk.listLabel')}
          className="sk-rows"
          style={{ height: virtualizer.getTotalSize(), position: 'relative' }}
        >
          {items.map((item) => {
            const row = rows[item.index];
            if (!row) return null;
            const flag = state(row);
            const elsewhere = otherLocations(row);
            return (
              <li
                key={row.id}
                aria-posinset={item.index + 1}
                aria-setsize={rows.length}
                style={{
                  position: 'absolute',
                  top: 0,
                  left: 0,
                  right: 0,
                  height: item.size,
                  transform: `translateY(${item.start}px)`,
                }}
              >
                <button
                  type="button"
                  data-id={row.id}
                  className={`sk-row${row.id === selectedId ? ' selected' : ''}${flag ? ` is-${flag}` : ''}`}
                  aria-current={row.id === selectedId ? 'true' : undefined}
                  tabIndex={row.id === selectedId || (selectedIndex < 0 && item.index === 0) ? 0 : -1}
                  onClick={() => {
                    select(row.id);
                    onOpen(row);
                  }}
                  onKeyDown={(e) => {
                    if (e.key === 'Enter') {
                      e.preventDefault();
                      select(row.id);
                      onOpen(row);
                    } else onKeyDown(e, item.index);
                  }}
                >
                  <span className="sk-name">
                    <span className="ellipsis">{row.name}</span>
                    <span className="sk-sku">
                      {row.sku}
                      {flag && <span className={`sk-flag flag-${flag}`}>{t(`stockDesk.flags.${flag}`)}</span>}
                    </span>
                  </span>
                  <span className="sk-code ellipsis">{row.barcode ?? '—'}</span>
                  <span className={`num strong${row.onHand < 0 ? ' negative' : ''}`}>{stockText(row.onHand, row.unit)}</span>
                  <span className="num muted ellipsis">
                    {elsewhere.length === 0 ? '—' : elsewhere.map(([, qty]) => stockText(qty, row.unit)).join(' + ')}
                  </span>
                  <span className="num">{row.reorderPoint > 0 ? stockText(row.reorderPoint, row.unit) : '—'}</span>
                  <span className="num">{money(row.price)}</span>
                  <span className="num muted">{row.cost === null ? '—' : money(row.cost)}</span>
                </button>
              </li>
            );
          })}
        </ul>
        {loading && rows.length > 0 && <p className="sk-more">{t('stockDesk.loading')}</p>}
      </div>
    </div>
  );
}
