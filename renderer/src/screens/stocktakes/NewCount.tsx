import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Category, ProductSummary } from '../../../../shared/catalog.ts';
import type { ApiError } from '../../../../shared/errors.ts';
import type { ScopeKind, StockLocation, StocktakeScope } from '../../../../shared/stocktake.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { ProductFinder } from '../../components/ProductFinder.tsx';
import { call } from '../../session.ts';
import { useLocationName } from './labels.ts';
import { useStocktakeView } from './view-store.ts';

/** Start a count: of everything, one category (a cycle count) or a chosen list (a partial count). */
export function NewCount() {
  const { t } = useTranslation();
  const show = useStocktakeView((s) => s.show);
  const place = useLocationName();
  const [name, setName] = useState('');
  const [kind, setKind] = useState<ScopeKind>('category');
  const [locations, setLocations] = useState<StockLocation[]>([]);
  const [locationId, setLocationId] = useState('shop');
  const [categories, setCategories] = useState<Category[]>([]);
  const [categoryId, setCategoryId] = useState('');
  const [chosen, setChosen] = useState<ProductSummary[]>([]);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    void call('stocktake.locations', {}).then((r) => r.ok && setLocations(r.value));
    void call('catalog.categories', {}).then((r) => {
      if (!r.ok) return;
      setCategories(r.value);
      setCategoryId((id) => id || (r.value[0]?.id ?? ''));
    });
  }, []);

  const scope: StocktakeScope | null =
    kind === 'all'
      ? { kind }
      : kind === 'category'
        ? categoryId
          ? { kind, categoryId }
          : null
        : chosen.length > 0
          ? { kind, productIds: chosen.map((p) => p.id) }
          : null;

  async function start() {
    if (!scope || busy) return;
    setBusy(true);
    const result = await call('stocktake.start', { scope, locationId, ...(name.trim() ? { name: name.trim() } : {}) });
    setBusy(false);
    if (result.ok) show({ kind: 'count', id: result.value.id });
    else setError(result.error);
  }

  return (
    <section className="screen stocktakes" aria-labelledby="new-count-title">
      <h1 id="new-count-title">{t('stocktake.newTitle')}</h1>
      <form
        className="st-new panel"
        onSubmit={(e) => {
          e.preventDefault();
          void start();
        }}
      >
        <fieldset className="st-scopes">
          <legend>{t('stocktake.scopeLabel')}</legend>
          {(['category', 'products', 'all'] as const).map((k) => (
            <label key={k} className="st-choice">
              <input type="radio" name="scope" value={k} checked={kind === k} onChange={() => setKind(k)} />
              <span>{t(`stocktake.scopeKinds.${k}`)}</span>
            </label>
          ))}
        </fieldset>
        {kind === 'category' && (
          <div className="field">
            <label htmlFor="st-category">{t('stocktake.category')}</label>
            <select id="st-category" value={categoryId} onChange={(e) => setCategoryId(e.target.value)}>
              {categories.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
          </div>
        )}
        {kind === 'products' && (
          <div className="st-pick">
            <ProductFinder
              includeInactive
              id="st-product-search"
              label={t('stocktake.pickProducts')}
              placeholder={t('stocktake.findPlaceholder')}
              onPick={(p) => setChosen((list) => (list.some((c) => c.id === p.id) ? list : [...list, p]))}
            />
            <h2 className="st-h2">{t('stocktake.chosen', { count: chosen.length })}</h2>
            {chosen.length === 0 ? (
              <p className="muted">{t('stocktake.noneChosen')}</p>
            ) : (
              <ul className="st-chosen">
                {chosen.map((p) => (
                  <li key={p.id}>
                    <span>{p.name}</span>
                    <span className="muted">{p.sku}</span>
                    <button
                      type="button"
                      aria-label={t('stocktake.remove', { name: p.name })}
                      onClick={() => setChosen((list) => list.filter((c) => c.id !== p.id))}
                    >
                      ×
                    </button>
                  </li>
                ))}
              </ul>
            )}
          </div>
        )}
        <div className="row">
          <div className="field">
            <label htmlFor="st-name">{t('stocktake.nameLabel')}</label>
            <input
              id="st-name"
              value={name}
              maxLength={80}
              autoComplete="off"
              placeholder={t('stocktake.namePlaceholder')}
              onChange={(e) => setName(e.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor="st-location">{t('stocktake.location')}</label>
            <select id="st-location" value={locationId} onChange={(e) => setLocationId(e.target.value)}>
              {locations.map((l) => (
                <option key={l.id} value={l.id}>
                  {place({ locationId: l.id, locationName: l.name })}
                </option>
              ))}
            </select>
          </div>
        </div>
        <ErrorMessage error={error} />
        <div className="actions">
          <button type="button" onClick={() => show({ kind: 'list' })}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="primary big" disabled={!scope || busy}>
            {t('stocktake.start')}
          </button>
        </div>
      </form>
    </section>
  );
}
