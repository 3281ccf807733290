import { type Ref, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ProductSummary } from '../../../shared/catalog.ts';
import { call } from '../session.ts';

/** A code typed by hand (or a scanner too slow for the wedge detector): digits only, as printed under a barcode. */
const codeLike = /^\d{8,14}$/;

/**
 * Find a product by name, SKU or barcode as you type (the catalog's FTS5 search); arrows
 * move, Enter picks. Stock figures are not shown (a stocktake counts blind). With `onCode`,
 * Enter on a barcode number is handled like a scan. Used by goods in and stocktakes.
 */
export function ProductFinder({
  id,
  label,
  placeholder,
  categoryId,
  includeInactive = false,
  onPick,
  onCode,
  inputRef,
}: {
  id: string;
  label: string;
  placeholder?: string;
  categoryId?: string | null;
  /** Stocktakes count products no longer sold too; goods in does not. */
  includeInactive?: boolean;
  onPick: (product: ProductSummary) => void;
  onCode?: (code: string) => void;
  inputRef?: Ref<HTMLInputElement>;
}) {
  const { t } = useTranslation();
  const [text, setText] = useState('');
  const [results, setResults] = useState<ProductSummary[]>([]);
  const [active, setActive] = useState(0);
  const query = text.trim();

  useEffect(() => {
    let stale = false;
    if (query === '') {
      setResults([]);
      return;
    }
    void call('catalog.search', {
      query,
      limit: 8,
      includeInactive,
      ...(categoryId ? { categoryId } : {}),
    }).then((r) => {
      if (stale || !r.ok) return;
      setResults(r.value);
      setActive(0);
    });
    return () => {
      stale = true;
    };
  }, [query, categoryId, includeInactive]);

  function pick(product: ProductSummary) {
    setText('');
    setResults([]);
    onPick(product);
  }

  return (
    <div className="product-finder">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        ref={inputRef}
        className="search-box"
        value={text}
        placeholder={placeholder}
        autoComplete="off"
        aria-controls={`${id}-results`}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') setActive((a) => Math.min(a + 1, results.length - 1));
          else if (e.key === 'ArrowUp') setActive((a) => Math.max(a - 1, 0));
          else if (e.key === 'Escape') setText('');
          else if (e.key === 'Enter' && onCode && codeLike.test(query)) {
            setText('');
            onCode(query);
          } else if (e.key === 'Enter' && results[active]) pick(results[active]);
          else return;
          e.preventDefault();
        }}
      />
      {results.length > 0 && (
        <ul id={`${id}-results`} className="results" aria-label={t('till.results')}>
          {results.map((p, i) => (
            <li key={p.id}>
              <button type="button" className="result" aria-current={i === active} onClick={() => pick(p)}>
                <span className="result-name">{p.name}</span>
                <span className="result-sku">{p.sku}</span>
                <span className="result-stock">{p.barcode ?? ''}</span>
                <span className="result-price">{p.unit === 'weight' ? 'kg' : ''}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {query.length > 0 && results.length === 0 && !codeLike.test(query) && (
        <p className="muted">{t('till.noResults', { query })}</p>
      )}
    </div>
  );
}
