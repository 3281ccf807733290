import { memo, useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type CustomerDetail, customerSaveSchema } from '../../../../shared/customer.ts';
import type { ApiError } from '../../../../shared/errors.ts';
import { Dialog } from '../../components/Dialog.tsx';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { call } from '../../session.ts';
import { CustomerSearch, OpenNotesFlag } from '../customers/CustomerSearch.tsx';
import { useCart } from './cart-store.ts';

/** The attached customer's record and open notes, read again whenever a different one is attached. */
function useAttachedCustomer(): CustomerDetail | null {
  const customerId = useCart((s) => s.order?.customerId ?? null);
  const [detail, setDetail] = useState<CustomerDetail | null>(null);
  useEffect(() => {
    if (!customerId) {
      setDetail(null);
      return;
    }
    let live = true;
    void call('customer.get', { id: customerId }).then((r) => live && setDetail(r.ok ? r.value : null));
    return () => {
      live = false;
    };
  }, [customerId]);
  return detail?.customer.id === customerId ? detail : null;
}

/** The till's Customer button (F4): the attached customer's name, flagged when they have open support notes. */
export const CustomerButton = memo(function CustomerButton({ onClick }: { onClick: () => void }) {
  const { t } = useTranslation();
  const detail = useAttachedCustomer();
  return (
    <div className="till-customer">
      <button type="button" className="customer-button" onClick={onClick} data-testid="till-customer">
        {detail ? detail.customer.name : t('customers.tillButton')} <kbd>F4</kbd>
      </button>
      {detail && <OpenNotesFlag count={detail.openNotes.length} />}
    </div>
  );
});

function QuickCreate({ onCreated, onCancel }: { onCreated: (id: string) => void; onCancel: () => void }) {
  const { t } = useTranslation();
  const nameId = useId();
  const phoneId = useId();
  const emailId = useId();
  const [form, setForm] = useState({ name: '', phone: '', email: '' });
  const [invalid, setInvalid] = useState<string[]>([]);
  const [error, setError] = useState<ApiError | null>(null);

  async function save() {
    const checked = customerSaveSchema.safeParse(form);
    if (!checked.success) {
      setInvalid(checked.error.issues.map((i) => String(i.path[0])));
      return;
    }
    setInvalid([]);
    const result = await call('customer.save', form);
    if (!result.ok) setError(result.error);
    else onCreated(result.value.id);
  }
  const input = (key: 'name' | 'phone' | 'email', id: string, type: string) => (
    <div className="form-field">
      <label htmlFor={id}>{t(`customers.${key}`)}</label>
      <input
        id={id}
        type={type}
        value={form[key]}
        aria-invalid={invalid.includes(key) || undefined}
        onChange={(e) => setForm((f) => ({ ...f, [key]: e.target.value }))}
      />
      {invalid.includes(key) && <span className="error field-error">{t(`customers.invalid.${key}`)}</span>}
    </div>
  );
  return (
    <form
      className="customer-form"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      {input('name', nameId, 'text')}
      {input('phone', phoneId, 'tel')}
      {input('email', emailId, 'email')}
      <ErrorMessage error={error} />
      <div className="actions">
        <button type="button" onClick={onCancel}>
          {t('common.back')}
        </button>
        <button type="submit" className="primary">
          {t('customers.createAndAttach')}
        </button>
      </div>
    </form>
  );
}

/**
 * Find a customer and attach them to the sale (or take them off it). A customer with open
 * support notes shows the notes here, so the cashier knows before they say hello.
 */
export function CustomerPicker({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const attach = useCart((s) => s.attachCustomer);
  const error = useCart((s) => s.error);
  const detail = useAttachedCustomer();
  const [creating, setCreating] = useState(false);

  // A customer with open notes stays on screen with the notes; anyone else, back to the sale.
  const pick = async (id: string | null, stay = false) => {
    await attach(id);
    if (!useCart.getState().error && !stay) onClose();
  };

  return (
    <Dialog title={t('customers.pickerTitle')} onClose={onClose} wide>
      {detail && (
        <div className="picker-attached">
          <p>
            {t('customers.attached', { name: detail.customer.name })} <OpenNotesFlag count={detail.openNotes.length} />
          </p>
          {detail.openNotes.length > 0 && (
            <div className="picker-notes" role="note">
              <strong>{t('customers.openNotesTitle')}</strong>
              <ul>
                {detail.openNotes.map((n) => (
                  <li key={n.id}>
                    <strong>{t(`notes.categories.${n.category}`)}:</strong> {n.body}
                  </li>
                ))}
              </ul>
            </div>
          )}
          <button type="button" className="danger" onClick={() => void pick(null)}>
            {t('customers.detach')}
          </button>
        </div>
      )}
      {creating ? (
        <QuickCreate onCancel={() => setCreating(false)} onCreated={(id) => void pick(id)} />
      ) : (
        <>
          <CustomerSearch autoFocus selectedId={detail?.customer.id ?? null} onPick={(c) => void pick(c.id, c.openNotes > 0)} />
          <ErrorMessage error={error} />
          <div className="actions">
            <button type="button" onClick={() => setCreating(true)}>
              {t('customers.new')}
            </button>
            <button type="button" onClick={onClose}>
              {t('common.close')}
            </button>
          </div>
        </>
      )}
    </Dialog>
  );
}
