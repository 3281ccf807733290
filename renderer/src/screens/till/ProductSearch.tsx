import { forwardRef, memo, useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Category, ProductSummary } from '../../../../shared/catalog.ts';
import { formatQuantity, useMoney } from '../../format.ts';
import { call } from '../../session.ts';
import { multiplierOf, searchQueryOf, useCart } from './cart-store.ts';

const searchPauseMs = 120;

/** The category buttons: memoised, so a keystroke in the search box (a scanner types thirteen) renders only the box. */
const CategoryBar = memo(function CategoryBar({
  categories,
  category,
  onToggle,
}: {
  categories: Category[];
  category: string | null;
  onToggle: (id: string) => void;
}) {
  return (
    <div className="categories">
      {categories.slice(0, 12).map((c) => (
        <button key={c.id} type="button" className="category" aria-pressed={category === c.id} onClick={() => onToggle(c.id)}>
          {c.name}
        </button>
      ))}
    </div>
  );
});

/** Search by name, SKU or barcode as you type (FTS5 in the store); "3x" sets a quantity first. */
export const ProductSearch = memo(
  forwardRef<HTMLInputElement>(function ProductSearch(_props, ref) {
    const { t } = useTranslation();
    const money = useMoney();
    const pick = useCart((s) => s.pick);
    const scan = useCart((s) => s.scan);
    const text = useCart((s) => s.searchText);
    const setText = useCart((s) => s.setSearchText);
    const [results, setResults] = useState<ProductSummary[]>([]);
    const [categories, setCategories] = useState<Category[]>([]);
    const [category, setCategory] = useState<string | null>(null);
    const [active, setActive] = useState(0);
    /** The query the results answer: "nothing matches" is said only once the store has said so. */
    const [answered, setAnswered] = useState('');
    const toggleCategory = useCallback((id: string) => setCategory((current) => (current === id ? null : id)), []);

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
      // Asked once typing pauses: a scanner's burst into this box is not thirteen searches.
      const timer = setTimeout(() => {
        void call('catalog.search', { query, limit: 12, ...(category ? { categoryId: category } : {}) }).then((r) => {
          if (!stale && r.ok) {
            setResults(r.value);
            setActive(0);
            setAnswered(query);
          }
        });
      }, searchPauseMs);
      return () => {
        stale = true;
        clearTimeout(timer);
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
        <CategoryBar categories={categories} category={category} onToggle={toggleCategory} />
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
        {query.length > 0 && answered === query && results.length === 0 && (
          <p className="muted">{t('till.noResults', { query })}</p>
        )}
      </section>
    );
  }),
);
