import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { InputOf } from '../../../../shared/api.ts';
import { type NoteCategory, type NoteStatus, noteCategories, type SupportNote } from '../../../../shared/customer.ts';
import type { ApiError } from '../../../../shared/errors.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { call } from '../../session.ts';
import { showOrder } from '../orders/orders-store.ts';
import { endOfDay, startOfDay } from '../orders/use-date-time.ts';
import { showCustomer, useCustomers } from './customers-store.ts';
import { NoteCard } from './NoteCard.tsx';
import { ResolveDialog } from './NoteDialogs.tsx';

/** Every support note, newest first: open ones by default, filtered by status, category and date. */
export function NotesInbox() {
  const { t } = useTranslation();
  const { version, bump } = useCustomers();
  const [status, setStatus] = useState<NoteStatus | ''>('open');
  const [category, setCategory] = useState<NoteCategory | ''>('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [notes, setNotes] = useState<SupportNote[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [resolving, setResolving] = useState<SupportNote | null>(null);

  const filter = useCallback((): InputOf<'note.list'> => {
    const start = startOfDay(from);
    const end = endOfDay(to);
    return {
      ...(status ? { status } : {}),
      ...(category ? { category } : {}),
      ...(start ? { from: start } : {}),
      ...(end ? { to: end } : {}),
      limit: 50,
    };
  }, [status, category, from, to]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: read again after a save anywhere (version)
  useEffect(() => {
    let live = true;
    void call('note.list', filter()).then((r) => {
      if (!live) return;
      if (r.ok) {
        setNotes(r.value.notes);
        setNext(r.value.next);
        setError(null);
      } else setError(r.error);
    });
    return () => {
      live = false;
    };
  }, [filter, version]);

  async function more() {
    if (!next) return;
    const r = await call('note.list', { ...filter(), after: next });
    if (!r.ok) {
      setError(r.error);
      return;
    }
    setNotes((n) => [...n, ...r.value.notes]);
    setNext(r.value.next);
  }

  return (
    <div className="notes-inbox">
      <form className="order-filters" aria-label={t('notes.filters')} onSubmit={(e) => e.preventDefault()}>
        <fieldset className="segmented">
          <legend>{t('notes.status')}</legend>
          {(['open', 'resolved', ''] as const).map((s) => (
            <button key={s || 'all'} type="button" aria-pressed={status === s} onClick={() => setStatus(s)}>
              {s ? t(`notes.statuses.${s}`) : t('notes.all')}
            </button>
          ))}
        </fieldset>
        <label className="filter">
          <span>{t('notes.category')}</span>
          <select value={category} onChange={(e) => setCategory(e.target.value as NoteCategory | '')}>
            <option value="">{t('orders.filters.any')}</option>
            {noteCategories.map((c) => (
              <option key={c} value={c}>
                {t(`notes.categories.${c}`)}
              </option>
            ))}
          </select>
        </label>
        <label className="filter">
          <span>{t('orders.filters.from')}</span>
          <input type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
        </label>
        <label className="filter">
          <span>{t('orders.filters.to')}</span>
          <input type="date" value={to} onChange={(e) => setTo(e.target.value)} />
        </label>
      </form>
      <ErrorMessage error={error} />
      {notes.length === 0 && !error && <p className="muted inbox-empty">{t('notes.inboxEmpty')}</p>}
      <div className="note-list">
        {notes.map((n) => (
          <NoteCard key={n.id} note={n} onResolve={setResolving} onOpenOrder={showOrder} onOpenCustomer={showCustomer} />
        ))}
      </div>
      {next && (
        <button type="button" className="more" onClick={() => void more()}>
          {t('notes.more')}
        </button>
      )}
      {resolving && (
        <ResolveDialog
          note={resolving}
          onClose={() => setResolving(null)}
          onResolved={() => {
            setResolving(null);
            bump();
          }}
        />
      )}
    </div>
  );
}
