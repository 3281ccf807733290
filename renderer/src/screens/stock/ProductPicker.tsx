import { type Ref, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ProductSummary } from '../../../../shared/catalog.ts';
import { call } from '../../session.ts';

/** A code typed by hand (or a scanner too slow for the wedge detector): digits only. */
const codeLike = /^\d{8,14}$/;

/**
 * Find a product by name, SKU or barcode as you type; Up and Down move, Enter picks. A
 * barcode number and Enter is looked up like a scan.
 */
export function ProductPicker({
  id,
  label,
  onPick,
  onCode,
  inputRef,
}: {
  id: string;
  label: string;
  onPick: (product: ProductSummary) => void;
  onCode: (code: string) => void;
  inputRef?: Ref<HTMLInputElement>;
}) {
  const { t } = useTranslation();
  const [text, setText] = useState('');
  const [results, setResults] = useState<ProductSummary[]>([]);
  const [active, setActive] = useState(0);
  const query = text.trim();

  useEffect(() => {
    let stale = false;
    if (query === '' || codeLike.test(query)) {
      setResults([]);
      return;
    }
    void call('catalog.search', { query, limit: 8 }).then((r) => {
      if (stale || !r.ok) return;
      setResults(r.value);
      setActive(0);
    });
    return () => {
      stale = true;
    };
  }, [query]);

  function pick(product: ProductSummary) {
    setText('');
    setResults([]);
    onPick(product);
  }

  return (
    <div className="sk-picker">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        ref={inputRef}
        value={text}
        autoComplete="off"
        placeholder={t('stockDesk.pickPlaceholder')}
        aria-controls={`${id}-results`}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') setActive((a) => Math.min(a + 1, results.length - 1));
          else if (e.key === 'ArrowUp') setActive((a) => Math.max(a - 1, 0));
          else if (e.key === 'Enter' && codeLike.test(query)) {
            setText('');
            onCode(query);
          } else if (e.key === 'Enter' && results[active]) pick(results[active]);
          else if (e.key === 'Enter') {
            // Nothing to pick: keep the form from submitting half-filled.
          } else return;
          e.preventDefault();
        }}
      />
      {results.length > 0 && (
        <ul id={`${id}-results`} className="sk-results" aria-label={t('stockDesk.found')}>
          {results.map((p, i) => (
            <li key={p.id}>
              <button type="button" className="sk-result" aria-current={i === active} onClick={() => pick(p)}>
                <span className="ellipsis">{p.name}</span>
                <span className="muted">{p.sku}</span>
                <span className="muted">{p.barcode ?? ''}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {query.length > 0 && results.length === 0 && !codeLike.test(query) && (
        <p className="muted">{t('stockDesk.nothingFound', { query })}</p>
      )}
    </div>
  );
}
