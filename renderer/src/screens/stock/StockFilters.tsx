import { type Ref, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Category } from '../../../../shared/catalog.ts';
import { productStatuses, stockFilters } from '../../../../shared/stock-list.ts';
import { useStock } from './stock-store.ts';

/** Search as you type (a short pause first), category, location, stock state and status. */
export function StockFilters({ categories, searchRef }: { categories: Category[]; searchRef: Ref<HTMLInputElement> }) {
  const { t } = useTranslation();
  const { filter, setFilter, locations, count, loading } = useStock();
  const [text, setText] = useState(filter.search);

  useEffect(() => {
    if (text === useStock.getState().filter.search) return;
    const timer = setTimeout(() => setFilter({ search: text }), 180);
    return () => clearTimeout(timer);
  }, [text, setFilter]);

  return (
    <div className="sk-filters">
      <div className="sk-filter sk-search">
        <label htmlFor="sk-search">
          {t('stockDesk.search')} <kbd>/</kbd>
        </label>
        <input
          id="sk-search"
          ref={searchRef}
          type="search"
          value={text}
          autoComplete="off"
          placeholder={t('stockDesk.searchPlaceholder')}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') setFilter({ search: text });
            if (e.key === 'Escape' && text) {
              e.preventDefault();
              setText('');
              setFilter({ search: '' });
            }
          }}
        />
      </div>
      <div className="sk-filter">
        <label htmlFor="sk-category">{t('stockDesk.category')}</label>
        <select
          id="sk-category"
          value={filter.categoryId ?? ''}
          onChange={(e) => setFilter({ categoryId: e.target.value || null })}
        >
          <option value="">{t('stockDesk.allCategories')}</option>
          {categories.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
            </option>
          ))}
        </select>
      </div>
      {locations.length > 1 && (
        <div className="sk-filter">
          <label htmlFor="sk-location">{t('stockDesk.location')}</label>
          <select id="sk-location" value={filter.locationId} onChange={(e) => setFilter({ locationId: e.target.value })}>
            {locations.map((l) => (
              <option key={l.id} value={l.id}>
                {l.id === 'shop' ? t('stockDesk.shopFloor') : l.name}
              </option>
            ))}
          </select>
        </div>
      )}
      <fieldset className="sk-filter sk-toggles">
        <legend>{t('stockDesk.stockState')}</legend>
        <div className="sk-toggle-row">
          {stockFilters.map((s) => (
            <button key={s} type="button" aria-pressed={filter.stock === s} onClick={() => setFilter({ stock: s })}>
              {t(`stockDesk.stockFilters.${s}`)}
            </button>
          ))}
        </div>
      </fieldset>
      <div className="sk-filter">
        <label htmlFor="sk-status">{t('stockDesk.status')}</label>
        <select
          id="sk-status"
          value={filter.status}
          onChange={(e) => setFilter({ status: e.target.value as (typeof productStatuses)[number] })}
        >
          {productStatuses.map((s) => (
            <option key={s} value={s}>
              {t(`stockDesk.statuses.${s}`)}
            </option>
          ))}
        </select>
      </div>
      <p className="sk-count" aria-live="polite">
        {count === null ? (loading ? t('stockDesk.loading') : '') : t('stockDesk.count', { count })}
      </p>
    </div>
  );
}
