import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { tenderKinds } from '../../../../shared/cash.ts';
import type { ProductSummary } from '../../../../shared/catalog.ts';
import { fulfilmentStates } from '../../../../shared/fulfilment.ts';
import { majorString, parseMoney } from '../../../../shared/money.ts';
import type { StaffMember } from '../../../../shared/staff.ts';
import { Dialog } from '../../components/Dialog.tsx';
import { call, useSession } from '../../session.ts';
import { CustomerSearch } from '../customers/CustomerSearch.tsx';
import { type OrderFilter, useOrders } from './orders-store.ts';
import { endOfDay, startOfDay } from './use-date-time.ts';

/** What the filter form holds: text as typed, turned into a filter once it reads right. */
interface Draft {
  number: string;
  from: string;
  to: string;
  staffId: string;
  tender: string;
  kind: string;
  fulfilment: string;
  minAmount: string;
  maxAmount: string;
}

const emptyDraft: Draft = {
  number: '',
  from: '',
  to: '',
  staffId: '',
  tender: '',
  kind: '',
  fulfilment: '',
  minAmount: '',
  maxAmount: '',
};

/** YYYY-MM-DD of an instant, in the reader's own time zone (what a date input shows). */
function localDay(iso: string, shiftDays = 0): string {
  const d = new Date(iso);
  d.setDate(d.getDate() + shiftDays);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** The form for a filter already in force (coming back to the screen, or set from a customer's page). */
function draftOf(filter: OrderFilter, currency: string): Draft {
  return {
    number: filter.number ?? '',
    from: filter.from ? localDay(filter.from) : '',
    to: filter.to ? localDay(filter.to, -1) : '',
    staffId: filter.staffId ?? '',
    tender: filter.tender ?? '',
    kind: filter.kind ?? '',
    fulfilment: filter.fulfilment ?? '',
    minAmount: filter.minAmount === undefined ? '' : majorString(filter.minAmount, currency),
    maxAmount: filter.maxAmount === undefined ? '' : majorString(filter.maxAmount, currency),
  };
}

function ProductPicker({ onPick, onClose }: { onPick: (p: ProductSummary) => void; onClose: () => void }) {
  const { t } = useTranslation();
  const [query, setQuery] = useState('');
  const [hits, setHits] = useState<ProductSummary[]>([]);
  useEffect(() => {
    let live = true;
    const timer = setTimeout(() => {
      if (!query.trim()) {
        setHits([]);
        return;
      }
      void call('catalog.search', { query, limit: 20, includeInactive: true }).then((r) => live && r.ok && setHits(r.value));
    }, 150);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [query]);
  return (
    <Dialog title={t('orders.filters.pickProduct')} onClose={onClose}>
      <input
        type="search"
        className="search-box"
        aria-label={t('orders.filters.product')}
        placeholder={t('till.searchPlaceholder')}
        value={query}
        onChange={(e) => setQuery(e.target.value)}
      />
      <ul className="customer-hits">
        {hits.map((p) => (
          <li key={p.id}>
            <button type="button" onClick={() => onPick(p)}>
              <span className="customer-hit-name">{p.name}</span>
              <span className="muted">{p.sku}</span>
            </button>
          </li>
        ))}
      </ul>
      <div className="actions">
        <button type="button" onClick={onClose}>
          {t('common.cancel')}
        </button>
      </div>
    </Dialog>
  );
}

/**
 * The order filters. Text fields apply a moment after typing stops, lists at once; an amount
 * that does not read as money is flagged and left out rather than guessed.
 */
export function OrderFilters() {
  const { t } = useTranslation();
  const currency = useSession((s) => s.settings?.currency ?? 'EUR');
  const { filter, names, setFilter } = useOrders();
  const [draft, setDraft] = useState<Draft>(() => draftOf(filter, currency));
  const [staff, setStaff] = useState<StaffMember[]>([]);
  const [picking, setPicking] = useState<null | 'customer' | 'product'>(null);
  const [badAmount, setBadAmount] = useState(false);

  useEffect(() => {
    void call('staff.list', {}).then((r) => r.ok && setStaff(r.value));
  }, []);

  // The draft becomes the filter 300 ms after the last keystroke.
  useEffect(() => {
    const timer = setTimeout(() => {
      const money = (text: string): number | undefined | null => {
        if (!text.trim()) return undefined;
        try {
          const minor = parseMoney(text.trim(), currency);
          return minor >= 0 ? minor : null;
        } catch {
          return null;
        }
      };
      const minAmount = money(draft.minAmount);
      const maxAmount = money(draft.maxAmount);
      setBadAmount(minAmount === null || maxAmount === null);
      const current = useOrders.getState().filter;
      const next: OrderFilter = {
        ...(current.customerId ? { customerId: current.customerId } : {}),
        ...(current.productId ? { productId: current.productId } : {}),
        ...(/^[A-Za-z0-9-]+$/.test(draft.number.trim()) ? { number: draft.number.trim() } : {}),
        ...(startOfDay(draft.from) ? { from: startOfDay(draft.from) } : {}),
        ...(endOfDay(draft.to) ? { to: endOfDay(draft.to) } : {}),
        ...(draft.staffId ? { staffId: draft.staffId } : {}),
        ...(draft.tender ? { tender: draft.tender as OrderFilter['tender'] } : {}),
        ...(draft.kind ? { kind: draft.kind as OrderFilter['kind'] } : {}),
        ...(draft.fulfilment ? { fulfilment: draft.fulfilment as OrderFilter['fulfilment'] } : {}),
        ...(typeof minAmount === 'number' ? { minAmount } : {}),
        ...(typeof maxAmount === 'number' ? { maxAmount } : {}),
      };
      if (JSON.stringify(next) !== JSON.stringify(current)) setFilter(next, useOrders.getState().names);
    }, 300);
    return () => clearTimeout(timer);
  }, [draft, currency, setFilter]);

  const field = (key: keyof Draft) => ({
    value: draft[key],
    onChange: (e: { target: { value: string } }) => setDraft((d) => ({ ...d, [key]: e.target.value })),
  });
  const withoutKey = (key: 'customerId' | 'productId', nameKey: keyof typeof names) => {
    const { [key]: _dropped, ...rest } = filter;
    const { [nameKey]: _name, ...restNames } = names;
    setFilter(rest, restNames);
  };

  return (
    <form className="order-filters" aria-label={t('orders.filters.label')} onSubmit={(e) => e.preventDefault()}>
      <label className="filter">
        <span>{t('orders.filters.number')}</span>
        <input type="search" placeholder="T01-000123" {...field('number')} />
      </label>
      <label className="filter">
        <span>{t('orders.filters.from')}</span>
        <input type="date" {...field('from')} />
      </label>
      <label className="filter">
        <span>{t('orders.filters.to')}</span>
        <input type="date" {...field('to')} />
      </label>
      <label className="filter">
        <span>{t('orders.filters.cashier')}</span>
        <select {...field('staffId')}>
          <option value="">{t('orders.filters.anyone')}</option>
          {staff.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </select>
      </label>
      <label className="filter">
        <span>{t('orders.filters.tender')}</span>
        <select {...field('tender')}>
          <option value="">{t('orders.filters.any')}</option>
          {tenderKinds.map((k) => (
            <option key={k} value={k}>
              {t(`tenders.${k}`)}
            </option>
          ))}
        </select>
      </label>
      <label className="filter">
        <span>{t('orders.filters.kind')}</span>
        <select {...field('kind')}>
          <option value="">{t('orders.filters.any')}</option>
          <option value="sale">{t('orders.kinds.sale')}</option>
          <option value="refund">{t('orders.kinds.refund')}</option>
        </select>
      </label>
      <label className="filter">
        <span>{t('orders.filters.delivery')}</span>
        <select {...field('fulfilment')}>
          <option value="">{t('orders.filters.any')}</option>
          {fulfilmentStates.map((s) => (
            <option key={s} value={s}>
              {t(`orders.fulfilment.states.${s}`)}
            </option>
          ))}
        </select>
      </label>
      <label className="filter amount">
        <span>{t('orders.filters.minAmount')}</span>
        <input inputMode="decimal" {...field('minAmount')} aria-invalid={badAmount || undefined} />
      </label>
      <label className="filter amount">
        <span>{t('orders.filters.maxAmount')}</span>
        <input inputMode="decimal" {...field('maxAmount')} aria-invalid={badAmount || undefined} />
      </label>
      <div className="filter chips">
        <span>{t('orders.filters.customer')}</span>
        {filter.customerId ? (
          <button type="button" className="chip" onClick={() => withoutKey('customerId', 'customer')}>
            {names.customer ?? t('orders.filters.oneCustomer')} <span aria-hidden="true">×</span>
            <span className="visually-hidden">{t('orders.filters.remove')}</span>
          </button>
        ) : (
          <button type="button" onClick={() => setPicking('customer')}>
            {t('orders.filters.pick')}
          </button>
        )}
      </div>
      <div className="filter chips">
        <span>{t('orders.filters.product')}</span>
        {filter.productId ? (
          <button type="button" className="chip" onClick={() => withoutKey('productId', 'product')}>
            {names.product ?? t('orders.filters.oneProduct')} <span aria-hidden="true">×</span>
            <span className="visually-hidden">{t('orders.filters.remove')}</span>
          </button>
        ) : (
          <button type="button" onClick={() => setPicking('product')}>
            {t('orders.filters.pick')}
          </button>
        )}
      </div>
      <button
        type="button"
        className="filter-clear"
        onClick={() => {
          setDraft(emptyDraft);
          setFilter({}, {});
        }}
      >
        {t('orders.filters.clear')}
      </button>
      {badAmount && <p className="error filter-note">{t('orders.filters.badAmount')}</p>}
      {picking === 'customer' && (
        <Dialog title={t('orders.filters.pickCustomer')} onClose={() => setPicking(null)}>
          <CustomerSearch
            autoFocus
            onPick={(c) => {
              setPicking(null);
              setFilter({ ...useOrders.getState().filter, customerId: c.id }, { ...names, customer: c.name });
            }}
          />
          <div className="actions">
            <button type="button" onClick={() => setPicking(null)}>
              {t('common.cancel')}
            </button>
          </div>
        </Dialog>
      )}
      {picking === 'product' && (
        <ProductPicker
          onClose={() => setPicking(null)}
          onPick={(p) => {
            setPicking(null);
            setFilter({ ...useOrders.getState().filter, productId: p.id }, { ...names, product: p.name });
          }}
        />
      )}
    </form>
  );
}
