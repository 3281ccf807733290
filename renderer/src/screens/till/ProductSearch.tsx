import { forwardRef, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Category, ProductSummary } from '../../../../shared/catalog.ts';
import { formatQuantity, useMoney } from '../../format.ts';
import { call } from '../../session.ts';
import { multiplierOf, searchQueryOf, useCart } from './cart-store.ts';

/** Search by name, SKU or barcode as you type (FTS5 in the store); "3x" sets a quantity first. */
export const ProductSearch = forwardRef<HTMLInputElement>(function ProductSearch(_props, ref) {
  const { t } = useTranslation();
  const money = useMoney();
  const { pick, scan, searchText: text, setSearchText: setText } = useCart();
  const [results, setResults] = useState<ProductSummary[]>([]);
  const [categories, setCategories] = useState<Category[]>([]);
  const [category, setCategory] = useState<string | null>(null);
  const [active, setActive] = useState(0);

  useEffect(() => {
    void call('catalog.categories', {}).then((r) => r.ok && setCategories(r.value));
  }, []);

  const query = searchQueryOf(text);
  const multiplier = multiplierOf(text);

  useEffect(() => {
    let stale = false;
    if (query === '' && !category) {
      setResults([]);
      return;
    }
    void call('catalog.search', { query, limit: 12, ...(category ? { categoryId: category } : {}) }).then((r) => {
      if (!stale && r.ok) {
        setResults(r.value);
        setActive(0);
      }
    });
    return () => {
      stale = true;
    };
  }, [query, category]);

  async function scanTyped(code: string) {
    setResults([]);
    await scan(code);
  }

  async function choose(product: ProductSummary) {
    setResults([]);
    setCategory(null);
    await pick(product);
  }

  return (
    <section className="search" aria-label={t('till.findProduct')}>
      <div className="search-row">
        <label htmlFor="product-search" className="visually-hidden">
          {t('till.findProduct')}
        </label>
        <input
          id="product-search"
          ref={ref}
          className="search-box"
          placeholder={t('till.searchPlaceholder')}
          value={text}
          autoComplete="off"
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'ArrowDown') setActive((a) => Math.min(a + 1, results.length - 1));
            else if (e.key === 'ArrowUp') setActive((a) => Math.max(a - 1, 0));
            // A typed (or half-caught) barcode is looked up exactly, never swapped for a fuzzy match.
            else if (e.key === 'Enter' && /^\d{4,}$/.test(query)) void scanTyped(query);
            else if (e.key === 'Enter' && results[active]) void choose(results[active]);
            else if (e.key === 'Escape') setText('');
            else return;
            e.preventDefault();
          }}
          aria-controls={results.length > 0 ? 'search-results' : undefined}
        />
        {multiplier && <span className="multiplier">× {multiplier}</span>}
      </div>
      <div className="categories">
        {categories.slice(0, 12).map((c) => (
          <button
            key={c.id}
            type="button"
            className="category"
            aria-pressed={category === c.id}
            onClick={() => setCategory(category === c.id ? null : c.id)}
          >
            {c.name}
          </button>
        ))}
      </div>
      {results.length > 0 && (
        <ul id="search-results" className="results" aria-label={t('till.results')}>
          {results.map((p, i) => (
            <li key={p.id}>
              <button type="button" className="result" aria-current={i === active} onClick={() => void choose(p)}>
                <span className="result-name">{p.name}</span>
                <span className="result-sku">{p.sku}</span>
                <span className="result-stock">{formatQuantity(p.onHand, p.unit)}</span>
                <span className="result-price">
                  {money(p.price)}
                  {p.unit === 'weight' ? ' / kg' : ''}
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {query.length > 0 && results.length === 0 && <p className="muted">{t('till.noResults', { query })}</p>}
    </section>
  );
});
