import { useCallback, useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type CustomerDetail, customerSaveSchema, type SupportNote } from '../../../../shared/customer.ts';
import type { ApiError } from '../../../../shared/errors.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { useMoney } from '../../format.ts';
import { call } from '../../session.ts';
import { showOrder, showOrdersOf } from '../orders/orders-store.ts';
import { useDateTime } from '../orders/use-date-time.ts';
import { useCustomers } from './customers-store.ts';
import { NoteCard } from './NoteCard.tsx';
import { NoteDialog, ResolveDialog } from './NoteDialogs.tsx';

interface Form {
  name: string;
  phone: string;
  email: string;
  notes: string;
  marketingConsent: boolean;
}
const blank: Form = { name: '', phone: '', email: '', notes: '', marketingConsent: false };
type FieldName = 'name' | 'phone' | 'email' | 'notes';

function TextField({
  name,
  label,
  value,
  error,
  onChange,
  type = 'text',
  max,
}: {
  name: FieldName;
  label: string;
  value: string;
  error: string | undefined;
  onChange: (value: string) => void;
  type?: string;
  max: number;
}) {
  const id = useId();
  return (
    <div className="form-field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        name={name}
        type={type}
        value={value}
        maxLength={max}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        onChange={(e) => onChange(e.target.value)}
      />
      {error && (
        <span id={`${id}-error`} className="error field-error">
          {error}
        </span>
      )}
    </div>
  );
}

/** One customer: their details (with marketing consent), what they bought, and their support notes. */
export function CustomerEditor({ id }: { id: string | 'new' }) {
  const { t } = useTranslation();
  const money = useMoney();
  const { dateTime, date } = useDateTime();
  const { select, bump, version } = useCustomers();
  const notesId = useId();
  const [detail, setDetail] = useState<CustomerDetail | null>(null);
  const [form, setForm] = useState<Form>(blank);
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<FieldName, string>>>({});
  const [error, setError] = useState<ApiError | null>(null);
  const [saved, setSaved] = useState(false);
  const [notes, setNotes] = useState<SupportNote[]>([]);
  const [dialog, setDialog] = useState<null | 'note' | { resolve: SupportNote }>(null);

  const load = useCallback(() => {
    if (id === 'new') {
      setDetail(null);
      setForm(blank);
      setNotes([]);
      return;
    }
    void call('customer.get', { id }).then((r) => {
      if (!r.ok) {
        setError(r.error);
        return;
      }
      const c = r.value.customer;
      setDetail(r.value);
      setForm({
        name: c.name,
        phone: c.phone ?? '',
        email: c.email ?? '',
        notes: c.notes ?? '',
        marketingConsent: c.marketingConsent,
      });
    });
    void call('note.list', { customerId: id, limit: 100 }).then((r) => r.ok && setNotes(r.value.notes));
  }, [id]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: re-read when anything was saved elsewhere (version)
  useEffect(load, [load, version]);

  async function save() {
    setSaved(false);
    const input = { ...(id === 'new' ? {} : { id }), ...form };
    // The store's own rules, checked here first so each field says what is wrong in the reader's language.
    const checked = customerSaveSchema.safeParse(input);
    if (!checked.success) {
      const errors: Partial<Record<FieldName, string>> = {};
      for (const issue of checked.error.issues) {
        const field = issue.path[0];
        if (field === 'name' || field === 'phone' || field === 'email' || field === 'notes')
          errors[field] = t(`customers.invalid.${field}`);
      }
      setFieldErrors(errors);
      return;
    }
    setFieldErrors({});
    const result = await call('customer.save', input);
    if (!result.ok) {
      setError(result.error);
      return;
    }
    setError(null);
    setSaved(true);
    bump();
    if (id === 'new') select(result.value.id);
  }

  const set = (key: keyof Form) => (value: string) => setForm((f) => ({ ...f, [key]: value }));
  const customer = detail?.customer;
  return (
    <div className="customer-editor">
      <form
        className="panel customer-form"
        aria-label={customer ? customer.name : t('customers.new')}
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <h2>{customer ? customer.name : t('customers.new')}</h2>
        <TextField
          name="name"
          label={t('customers.name')}
          value={form.name}
          error={fieldErrors.name}
          onChange={set('name')}
          max={120}
        />
        <div className="row">
          <TextField
            name="phone"
            type="tel"
            label={t('customers.phone')}
            value={form.phone}
            error={fieldErrors.phone}
            onChange={set('phone')}
            max={32}
          />
          <TextField
            name="email"
            type="email"
            label={t('customers.email')}
            value={form.email}
            error={fieldErrors.email}
            onChange={set('email')}
            max={254}
          />
        </div>
        <div className="form-field">
          <label htmlFor={notesId}>{t('customers.notes')}</label>
          <textarea id={notesId} rows={3} maxLength={1000} value={form.notes} onChange={(e) => set('notes')(e.target.value)} />
          {fieldErrors.notes && <span className="error field-error">{fieldErrors.notes}</span>}
        </div>
        <label className="consent">
          <input
            type="checkbox"
            checked={form.marketingConsent}
            onChange={(e) => setForm((f) => ({ ...f, marketingConsent: e.target.checked }))}
          />
          <span>
            {t('customers.consent')}
            {customer?.marketingConsentAt && form.marketingConsent && (
              <span className="muted"> {t('customers.consentSince', { date: date(customer.marketingConsentAt) })}</span>
            )}
          </span>
        </label>
        <ErrorMessage error={error} />
        <div className="actions">
          {saved && (
            <output className="saved" aria-live="polite">
              {t('customers.saved')}
            </output>
          )}
          <button type="submit" className="primary">
            {id === 'new' ? t('customers.create') : t('common.save')}
          </button>
        </div>
      </form>

      {detail && customer && (
        <>
          <section className="panel customer-summary" aria-label={t('customers.history')}>
            <dl className="facts">
              <dt>{t('customers.orderCount')}</dt>
              <dd>{detail.orders.count}</dd>
              <dt>{t('customers.spent')}</dt>
              <dd>{money(detail.orders.spent)}</dd>
              <dt>{t('customers.lastOrder')}</dt>
              <dd>{detail.orders.lastAt ? dateTime(detail.orders.lastAt) : '—'}</dd>
            </dl>
            <div className="detail-actions">
              <button type="button" onClick={() => showOrdersOf(customer)}>
                {t('customers.seeOrders')}
              </button>
              <button type="button" onClick={() => setDialog('note')}>
                {t('notes.add')}
              </button>
            </div>
          </section>
          <section className="customer-notes" aria-labelledby="customer-notes-title">
            <h2 id="customer-notes-title">{t('notes.title')}</h2>
            {notes.length === 0 && <p className="muted">{t('notes.noneForCustomer')}</p>}
            <div className="note-list">
              {notes.map((n) => (
                <NoteCard key={n.id} note={n} onResolve={(note) => setDialog({ resolve: note })} onOpenOrder={showOrder} />
              ))}
            </div>
          </section>
        </>
      )}
      {dialog === 'note' && customer && (
        <NoteDialog
          customerId={customer.id}
          about={customer.name}
          onClose={() => setDialog(null)}
          onOpened={() => {
            setDialog(null);
            bump();
          }}
        />
      )}
      {dialog !== null && typeof dialog === 'object' && (
        <ResolveDialog
          note={dialog.resolve}
          onClose={() => setDialog(null)}
          onResolved={() => {
            setDialog(null);
            bump();
          }}
        />
      )}
    </div>
  );
}
