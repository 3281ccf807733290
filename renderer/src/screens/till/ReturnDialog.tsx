import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ProductSummary } from '../../../../shared/catalog.ts';
import type { ApiError } from '../../../../shared/errors.ts';
import type { Order } from '../../../../shared/sale.ts';
import type { Override } from '../../../../shared/staff.ts';
import { Dialog } from '../../components/Dialog.tsx';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { ManagerOverride } from '../../components/ManagerOverride.tsx';
import { formatQuantity, useMoney } from '../../format.ts';
import { call } from '../../session.ts';
import { useScanner } from '../../use-scanner.ts';

interface Want {
  quantity: number;
  restock: boolean;
}

/**
 * Returns: scan or type the receipt's order number, pick lines and how many come back
 * (never more than is left), restock or write off, refund to the original tenders or as
 * store credit. With no receipt, a manager approves and today's price applies.
 */
export function ReturnDialog({
  onClose,
  onDone,
  initialNumber,
}: {
  onClose: () => void;
  onDone: (refund: Order) => void;
  /** Opened from an order's detail: the sale to return from, already found. */
  initialNumber?: string;
}) {
  const { t } = useTranslation();
  const money = useMoney();
  const [number, setNumber] = useState('');
  const [sale, setSale] = useState<Order | null>(null);
  const [wanted, setWanted] = useState<Record<string, Want>>({});
  const [refundTo, setRefundTo] = useState<'original' | 'store_credit'>('original');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [needsOverride, setNeedsOverride] = useState<'refund' | 'return_without_receipt' | null>(null);
  const [noReceipt, setNoReceipt] = useState(false);
  const [query, setQuery] = useState('');
  const [found, setFound] = useState<ProductSummary[]>([]);
  const [loose, setLoose] = useState<{ product: ProductSummary; want: Want }[]>([]);

  async function lookUp(code: string) {
    const result = await call('sale.byNumber', { number: code.trim() });
    if (!result.ok) {
      setError(result.error);
      return;
    }
    setError(null);
    setSale(result.value);
    setNumber(result.value.number ?? code);
    setWanted({});
  }
  useScanner((code) => void lookUp(code), !sale && !noReceipt && !needsOverride);
  // biome-ignore lint/correctness/useExhaustiveDependencies: look the given sale up once, when the dialog opens
  useEffect(() => {
    if (initialNumber) void lookUp(initialNumber);
  }, []);

  async function submit(override?: Override) {
    const result = noReceipt
      ? await call('sale.returnWithoutReceipt', {
          lines: loose.map((l) => ({ productId: l.product.id, quantity: l.want.quantity, restock: l.want.restock })),
          refundTo: 'store_credit',
          reason,
          ...(override ? { override } : {}),
        })
      : await call('sale.refund', {
          orderId: sale?.id ?? '',
          lines: Object.entries(wanted)
            .filter(([, w]) => w.quantity > 0)
            .map(([lineId, w]) => ({ lineId, quantity: w.quantity, restock: w.restock })),
          refundTo,
          reason,
          ...(override ? { override } : {}),
        });
    if (result.ok) {
      onDone(result.value);
      return;
    }
    if (result.error.reason === 'needs_manager') setNeedsOverride(noReceipt ? 'return_without_receipt' : 'refund');
    else setError(result.error);
  }

  async function search(text: string) {
    setQuery(text);
    if (text.trim().length < 2) return setFound([]);
    const result = await call('catalog.search', { query: text, limit: 6 });
    if (result.ok) setFound(result.value);
  }

  const chosen = Object.values(wanted).some((w) => w.quantity > 0) || (noReceipt && loose.length > 0);

  return (
    <Dialog title={t('returns.title')} onClose={onClose} wide>
      {!sale && !noReceipt && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void lookUp(number);
          }}
        >
          <div className="field">
            <label htmlFor="receipt-number">{t('returns.receiptNumber')}</label>
            <input id="receipt-number" autoComplete="off" value={number} onChange={(e) => setNumber(e.target.value)} autoFocus />
            <p className="help">{t('returns.scanHint')}</p>
          </div>
          <div className="actions">
            <button type="button" onClick={() => setNoReceipt(true)}>
              {t('returns.noReceipt')}
            </button>
            <button type="submit" className="primary">
              {t('returns.find')}
            </button>
          </div>
        </form>
      )}
      {sale && (
        <table className="lines" aria-label={t('returns.lines', { number: sale.number })}>
          <thead>
            <tr>
              <th scope="col">{t('till.item')}</th>
              <th scope="col" className="num">
                {t('returns.sold')}
              </th>
              <th scope="col" className="num">
                {t('returns.left')}
              </th>
              <th scope="col" className="num">
                {t('returns.back')}
              </th>
              <th scope="col">{t('returns.restock')}</th>
            </tr>
          </thead>
          <tbody>
            {sale.lines.map((line) => {
              const left = line.quantity - line.refundedQuantity;
              const want = wanted[line.id] ?? { quantity: 0, restock: true };
              const step = line.unit === 'each' ? 1 : 0.001;
              return (
                <tr key={line.id}>
                  <td>
                    {line.name} <span className="muted">{money(line.total)}</span>
                  </td>
                  <td className="num">{formatQuantity(line.quantity, line.unit)}</td>
                  <td className="num">{formatQuantity(left, line.unit)}</td>
                  <td className="num">
                    <input
                      type="number"
                      aria-label={t('returns.quantityFor', { name: line.name })}
                      min={0}
                      max={left / 1000}
                      step={step}
                      disabled={left === 0}
                      value={want.quantity / 1000}
                      onChange={(e) =>
                        setWanted({ ...wanted, [line.id]: { ...want, quantity: Math.round(Number(e.target.value) * 1000) || 0 } })
                      }
                    />
                  </td>
                  <td>
                    <input
                      type="checkbox"
                      aria-label={t('returns.restockFor', { name: line.name })}
                      checked={want.restock}
                      onChange={(e) => setWanted({ ...wanted, [line.id]: { ...want, restock: e.target.checked } })}
                    />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {noReceipt && (
        <div>
          <p>{t('returns.noReceiptExplain')}</p>
          <div className="field">
            <label htmlFor="return-search">{t('till.findProduct')}</label>
            <input id="return-search" autoComplete="off" value={query} onChange={(e) => void search(e.target.value)} autoFocus />
          </div>
          <ul className="tenders">
            {found.map((p) => (
              <li key={p.id}>
                <span>{p.name}</span>
                <button
                  type="button"
                  onClick={() => {
                    // The same product twice is one line with more coming back.
                    const step = p.unit === 'each' ? 1000 : 0;
                    setLoose(
                      loose.some((l) => l.product.id === p.id)
                        ? loose.map((l) =>
                            l.product.id === p.id ? { ...l, want: { ...l.want, quantity: l.want.quantity + step } } : l,
                          )
                        : [...loose, { product: p, want: { quantity: step, restock: true } }],
                    );
                    setFound([]);
                    setQuery('');
                  }}
                >
                  {t('returns.add')}
                </button>
              </li>
            ))}
          </ul>
          <ul className="tenders" aria-label={t('returns.coming')}>
            {loose.map((l, i) => (
              <li key={l.product.id}>
                <span>{l.product.name}</span>
                <input
                  type="number"
                  aria-label={t('returns.quantityFor', { name: l.product.name })}
                  min={0}
                  step={l.product.unit === 'each' ? 1 : 0.001}
                  value={l.want.quantity / 1000}
                  onChange={(e) =>
                    setLoose(
                      loose.map((x, j) =>
                        j === i ? { ...x, want: { ...x.want, quantity: Math.round(Number(e.target.value) * 1000) || 0 } } : x,
                      ),
                    )
                  }
                />
              </li>
            ))}
          </ul>
        </div>
      )}
      {(sale || noReceipt) && (
        <>
          {sale && (
            <fieldset className="tender-kinds">
              <legend>{t('returns.refundTo')}</legend>
              <button type="button" aria-pressed={refundTo === 'original'} onClick={() => setRefundTo('original')}>
                {t('returns.original')}
              </button>
              <button type="button" aria-pressed={refundTo === 'store_credit'} onClick={() => setRefundTo('store_credit')}>
                {t('tenders.store_credit')}
              </button>
            </fieldset>
          )}
          <div className="field">
            <label htmlFor="return-reason">{t('returns.reason')}</label>
            <input id="return-reason" value={reason} onChange={(e) => setReason(e.target.value)} maxLength={200} />
          </div>
        </>
      )}
      <ErrorMessage error={error} />
      <div className="actions">
        <button type="button" onClick={onClose}>
          {t('common.cancel')}
        </button>
        {(sale || noReceipt) && (
          <button type="button" className="primary" disabled={!chosen || reason.trim() === ''} onClick={() => void submit()}>
            {t('returns.refund')}
          </button>
        )}
      </div>
      {needsOverride && (
        <ManagerOverride
          permission={needsOverride}
          onApproved={(override) => {
            setNeedsOverride(null);
            void submit(override);
          }}
          onCancel={() => setNeedsOverride(null)}
        />
      )}
    </Dialog>
  );
}
