import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { SupportNote } from '../../../../shared/customer.ts';
import type { ApiError } from '../../../../shared/errors.ts';
import type { OrderDetail as Detail } from '../../../../shared/order-history.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { formatQuantity, useMoney } from '../../format.ts';
import { call } from '../../session.ts';
import { showCustomer } from '../customers/customers-store.ts';
import { NoteCard } from '../customers/NoteCard.tsx';
import { NoteDialog, ResolveDialog } from '../customers/NoteDialogs.tsx';
import { ReceiptDialog } from '../till/ReceiptDialog.tsx';
import { ReturnDialog } from '../till/ReturnDialog.tsx';
import { AuditTrail } from './AuditTrail.tsx';
import { AddressDialog } from './DeliveryDialogs.tsx';
import { FulfilmentPanel } from './FulfilmentPanel.tsx';
import { useOrders } from './orders-store.ts';
import { useDateTime } from './use-date-time.ts';

type Open = null | 'note' | 'deliver' | 'receipt' | 'return' | { resolve: SupportNote };

/** One order in full: lines, payments, the refunds linked to it both ways, delivery, notes, audit trail. */
export function OrderDetail({ id }: { id: string }) {
  const { t } = useTranslation();
  const money = useMoney();
  const { dateTime } = useDateTime();
  const open = useOrders((s) => s.open);
  const [detail, setDetail] = useState<Detail | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [dialog, setDialog] = useState<Open>(null);

  const load = useCallback(() => {
    void call('orders.detail', { id }).then((r) => {
      if (r.ok) {
        setDetail(r.value);
        setError(null);
      } else setError(r.error);
    });
  }, [id]);
  useEffect(load, [load]);
  const changed = () => {
    setDialog(null);
    load();
    void useOrders.getState().search(); // the list shows delivery states and refunds too
  };

  const back = (
    <button type="button" className="back" onClick={() => open(null)}>
      ← {t('orders.backToList')}
    </button>
  );
  if (!detail) {
    return (
      <section className="screen orders-screen" aria-labelledby="order-title">
        {back}
        <h1 id="order-title">{t('orders.title')}</h1>
        <ErrorMessage error={error} />
      </section>
    );
  }

  const { order, lineRefunds, fulfilment, notes, audit } = detail;
  const isSale = order.kind === 'sale';
  const refundable = isSale && (order.state === 'completed' || order.state === 'partially_refunded');
  const lineById = new Map(order.lines.map((l) => [l.id, l]));
  const refunds = order.related.filter((r) => r.kind === 'refund');
  const sale = order.related.find((r) => r.kind === 'sale');

  return (
    <section className="screen orders-screen order-detail" aria-labelledby="order-title">
      {back}
      <header className="detail-head">
        <h1 id="order-title">{t(isSale ? 'orders.saleTitle' : 'orders.refundTitle', { number: order.number ?? '' })}</h1>
        <span className={`state state-${order.state}`}>{t(`orders.states.${order.state}`)}</span>
        <div className="detail-actions">
          <button type="button" onClick={() => setDialog('receipt')}>
            {t('orders.reprint')}
          </button>
          {refundable && (
            <button type="button" onClick={() => setDialog('return')}>
              {t('orders.startReturn')}
            </button>
          )}
          {refundable && !fulfilment && (
            <button type="button" onClick={() => setDialog('deliver')}>
              {t('orders.fulfilment.takeForDelivery')}
            </button>
          )}
          <button type="button" onClick={() => setDialog('note')}>
            {t('notes.add')}
          </button>
        </div>
      </header>
      <ErrorMessage error={error} />

      <dl className="facts detail-facts">
        <dt>{t('orders.columns.date')}</dt>
        <dd>{order.completedAt ? dateTime(order.completedAt) : '—'}</dd>
        <dt>{t('orders.columns.cashier')}</dt>
        <dd>{order.staffName}</dd>
        <dt>{t('orders.columns.customer')}</dt>
        <dd>
          {order.customerId ? (
            <button type="button" className="link" onClick={() => showCustomer(order.customerId ?? '')}>
              {order.customerName}
            </button>
          ) : (
            '—'
          )}
        </dd>
        {sale && (
          <>
            <dt>{t('orders.refundOf')}</dt>
            <dd>
              <button type="button" className="link" onClick={() => open(sale.id)}>
                {sale.number}
              </button>
            </dd>
          </>
        )}
        {refunds.length > 0 && (
          <>
            <dt>{t('orders.refundedBy')}</dt>
            <dd className="links">
              {refunds.map((r) => (
                <button key={r.id} type="button" className="link" onClick={() => open(r.id)}>
                  {r.number} ({money(r.total)})
                </button>
              ))}
            </dd>
          </>
        )}
      </dl>

      <section className="panel detail-section" aria-labelledby="lines-title">
        <h2 id="lines-title">{t('orders.lines')}</h2>
        <table className="lines">
          <thead>
            <tr>
              <th>{t('till.item')}</th>
              <th className="num">{t('till.quantity')}</th>
              <th className="num">{t('till.price')}</th>
              <th className="num">{t('till.discounts')}</th>
              <th className="num">{t('till.lineTotal')}</th>
              <th>{isSale ? t('orders.returned') : t('orders.returnOf')}</th>
            </tr>
          </thead>
          <tbody>
            {order.lines.map((l) => {
              const links = lineRefunds.filter((r) => (isSale ? r.saleLineId === l.id : r.refundLineId === l.id));
              return (
                <tr key={l.id}>
                  <td>
                    {l.name} <span className="muted">{l.sku}</span>
                  </td>
                  <td className="num">{formatQuantity(l.quantity, l.unit)}</td>
                  <td className="num">{money(l.unitPrice)}</td>
                  <td className="num">{l.lineDiscount + l.orderDiscount ? money(-(l.lineDiscount + l.orderDiscount)) : ''}</td>
                  <td className="num strong">{money(l.total)}</td>
                  <td>
                    {links.map((r) => (
                      <button
                        key={r.refundLineId}
                        type="button"
                        className="link"
                        onClick={() => open(isSale ? r.refundOrderId : r.saleOrderId)}
                      >
                        {isSale
                          ? t('orders.returnedIn', {
                              quantity: formatQuantity(r.quantity, lineById.get(r.saleLineId)?.unit ?? 'each'),
                              number: r.refundNumber,
                            })
                          : r.saleNumber}
                      </button>
                    ))}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        <div className="detail-money">
          <dl className="totals">
            <dt>{t('till.subtotal')}</dt>
            <dd>{money(order.subtotal)}</dd>
            {order.discountTotal !== 0 && (
              <>
                <dt>{t('till.discounts')}</dt>
                <dd>{money(-order.discountTotal)}</dd>
              </>
            )}
            <dt>{t('orders.tax')}</dt>
            <dd>{money(order.taxTotal)}</dd>
            {order.cashRounding !== 0 && (
              <>
                <dt>{t('orders.rounding')}</dt>
                <dd>{money(order.cashRounding)}</dd>
              </>
            )}
            <dt className="grand">{t('till.total')}</dt>
            <dd className="grand">{money(order.total)}</dd>
          </dl>
          <div>
            <h3>{t('orders.payments')}</h3>
            <ul className="tenders">
              {order.tenders.map((x) => (
                <li key={x.id}>
                  <span>
                    {t(`tenders.${x.kind}`)}
                    {x.reference && <span className="muted"> · {x.reference}</span>}
                  </span>
                  <strong>{money(x.amount)}</strong>
                </li>
              ))}
            </ul>
          </div>
        </div>
      </section>

      {fulfilment && <FulfilmentPanel fulfilment={fulfilment} onChanged={changed} />}

      <section className="panel detail-section" aria-labelledby="notes-title">
        <h2 id="notes-title">{t('notes.title')}</h2>
        {notes.length === 0 && <p className="muted">{t('notes.noneForOrder')}</p>}
        <div className="note-list">
          {notes.map((n) => (
            <NoteCard key={n.id} note={n} onResolve={(note) => setDialog({ resolve: note })} />
          ))}
        </div>
      </section>

      <AuditTrail entries={audit} />

      {dialog === 'note' && (
        <NoteDialog orderId={order.id} about={order.number ?? ''} onClose={() => setDialog(null)} onOpened={changed} />
      )}
      {dialog !== null && typeof dialog === 'object' && (
        <ResolveDialog note={dialog.resolve} onClose={() => setDialog(null)} onResolved={changed} />
      )}
      {dialog === 'deliver' && (
        <AddressDialog
          orderId={order.id}
          suggestedRecipient={order.customerName}
          onClose={() => setDialog(null)}
          onSaved={changed}
        />
      )}
      {dialog === 'receipt' && <ReceiptDialog orderId={order.id} copy onClose={() => setDialog(null)} />}
      {dialog === 'return' && (
        <ReturnDialog
          initialNumber={order.number ?? undefined}
          onClose={() => setDialog(null)}
          onDone={(refund) => {
            changed();
            open(refund.id);
          }}
        />
      )}
    </section>
  );
}
