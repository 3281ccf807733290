import { useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CustomerSummary } from '../../../../shared/customer.ts';
import type { ApiError } from '../../../../shared/errors.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { call } from '../../session.ts';
import './customers.css';

/** The flag a customer with open support notes carries wherever they are listed. */
export function OpenNotesFlag({ count }: { count: number }) {
  const { t } = useTranslation();
  if (count === 0) return null;
  return (
    <span className="flag" data-testid="open-notes-flag">
      {t('customers.openNotesFlag', { count })}
    </span>
  );
}

/**
 * Find a customer by name, phone or email as you type; each hit shows the open-notes flag.
 * `version` changes when a customer was saved elsewhere, so the list is read again.
 */
export function CustomerSearch({
  onPick,
  selectedId,
  autoFocus,
  version = 0,
}: {
  onPick: (customer: CustomerSummary) => void;
  selectedId?: string | null;
  autoFocus?: boolean;
  version?: number;
}) {
  const { t } = useTranslation();
  const inputId = useId();
  const [query, setQuery] = useState('');
  const [hits, setHits] = useState<CustomerSummary[]>([]);
  const [error, setError] = useState<ApiError | null>(null);

  // biome-ignore lint/correctness/useExhaustiveDependencies: read again after a save anywhere (version)
  useEffect(() => {
    let live = true;
    const timer = setTimeout(() => {
      void call('customer.search', { query, limit: 50 }).then((result) => {
        if (!live) return;
        if (result.ok) {
          setHits(result.value);
          setError(null);
        } else setError(result.error);
      });
    }, 150);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [query, version]);

  return (
    <div className="customer-search">
      <label htmlFor={inputId} className="visually-hidden">
        {t('customers.search')}
      </label>
      <input
        id={inputId}
        type="search"
        className="search-box"
        placeholder={t('customers.searchPlaceholder')}
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        // biome-ignore lint/a11y/noAutofocus: the picker opens to type a name straight away
        autoFocus={autoFocus}
      />
      <ErrorMessage error={error} />
      {hits.length === 0 && !error && <p className="muted">{query ? t('customers.noMatch', { query }) : t('customers.none')}</p>}
      <ul className="customer-hits" aria-label={t('customers.results')}>
        {hits.map((c) => (
          <li key={c.id}>
            <button type="button" aria-current={c.id === selectedId ? 'true' : undefined} onClick={() => onPick(c)}>
              <span className="customer-hit-name">{c.name}</span>
              <span className="muted">{[c.phone, c.email].filter(Boolean).join(' · ')}</span>
              <OpenNotesFlag count={c.openNotes} />
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
