import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { call } from '../../session.ts';
import { CustomerEditor } from './CustomerEditor.tsx';
import { CustomerSearch } from './CustomerSearch.tsx';
import { useCustomers } from './customers-store.ts';
import { NotesInbox } from './NotesInbox.tsx';
import './customers.css';

/** Customers and their support notes: find and edit customers, or work through the notes inbox. */
export function CustomersScreen() {
  const { t } = useTranslation();
  const { tab, setTab, selected, select, version } = useCustomers();
  const [openNotes, setOpenNotes] = useState<number | null>(null);

  // The inbox tab says how many notes wait (up to a page's worth: "50+").
  // biome-ignore lint/correctness/useExhaustiveDependencies: read again after any save (version)
  useEffect(() => {
    void call('note.list', { status: 'open', limit: 50 }).then((r) => {
      if (r.ok) setOpenNotes(r.value.next ? -r.value.notes.length : r.value.notes.length);
    });
  }, [version]);

  const waiting = openNotes === null ? '' : openNotes < 0 ? `${-openNotes}+` : String(openNotes);
  return (
    <section className="screen customers-screen" aria-labelledby="customers-title">
      <h1 id="customers-title">{t('customers.title')}</h1>
      <div className="tabs" role="tablist" aria-label={t('customers.title')}>
        <button type="button" role="tab" aria-selected={tab === 'customers'} onClick={() => setTab('customers')}>
          {t('customers.tab')}
        </button>
        <button type="button" role="tab" aria-selected={tab === 'notes'} onClick={() => setTab('notes')}>
          {t('notes.inbox')}
          {waiting && waiting !== '0' && <span className="count-badge">{waiting}</span>}
        </button>
      </div>
      <div role="tabpanel" aria-label={tab === 'customers' ? t('customers.tab') : t('notes.inbox')}>
        {tab === 'customers' ? (
          <div className="customers-layout">
            <div className="customers-list">
              <button type="button" className="primary" onClick={() => select('new')}>
                {t('customers.new')}
              </button>
              <CustomerSearch selectedId={selected} version={version} onPick={(c) => select(c.id)} />
            </div>
            {selected ? (
              <CustomerEditor key={selected} id={selected} />
            ) : (
              <p className="muted customers-hint">{t('customers.pickHint')}</p>
            )}
          </div>
        ) : (
          <NotesInbox />
        )}
      </div>
    </section>
  );
}
