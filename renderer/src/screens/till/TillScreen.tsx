import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Dialog } from '../../components/Dialog.tsx';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { ManagerOverride } from '../../components/ManagerOverride.tsx';
import { useMoney } from '../../format.ts';
import { call } from '../../session.ts';
import { useScanner } from '../../use-scanner.ts';
import { CustomerButton, CustomerPicker } from './CustomerPicker.tsx';
import { useCart } from './cart-store.ts';
import { LineDialog, type LineEdit } from './LineDialog.tsx';
import { LineList } from './LineList.tsx';
import { OpenShift } from './OpenShift.tsx';
import { ParkedDialog } from './ParkedDialog.tsx';
import { PaymentDialog } from './PaymentDialog.tsx';
import { ProductSearch } from './ProductSearch.tsx';
import { ReceiptDialog } from './ReceiptDialog.tsx';
import { ReturnDialog } from './ReturnDialog.tsx';
import { ShiftDialog } from './ShiftDialog.tsx';
import { Suggestions } from './Suggestions.tsx';
import { Totals } from './Totals.tsx';
import { WeighDialog } from './WeighDialog.tsx';

type Open = null | 'pay' | 'parked' | 'confirmClear' | 'return' | 'shift' | 'customer' | LineEdit;

/** The checkout: scan or search, adjust lines, take payment. Every action has an F-key. */
export function TillScreen() {
  const { t } = useTranslation();
  const money = useMoney();
  const cart = useCart();
  const { order, selectedLineId, weighing, pendingOverride, completed } = cart;
  const [open, setOpen] = useState<Open>(null);
  const [shiftOpen, setShiftOpen] = useState<boolean | null>(null);
  /** The completed sale whose receipt question has been answered. */
  const [receiptAnsweredFor, setReceiptAnsweredFor] = useState<string | null>(null);
  const search = useRef<HTMLInputElement>(null);
  const selected = order?.lines.find((l) => l.id === selectedLineId) ?? order?.lines.at(-1) ?? null;
  const hasLines = (order?.lines.length ?? 0) > 0;

  const checkShift = useCallback(() => {
    void call('shift.current', {}).then((r) => setShiftOpen(r.ok && r.value !== null));
  }, []);
  useEffect(() => {
    checkShift();
    void cart.load();
  }, [checkShift, cart.load]);

  useScanner((code) => void cart.scan(code), open === null && !weighing && !pendingOverride && shiftOpen === true);

  // Shortcuts read the cart as it is at the keypress, not as it was at the last render.
  useEffect(() => {
    const shortcut = (key: string): (() => void) | null => {
      const { order: current, selectedLineId: chosen, park } = useCart.getState();
      const lines = current?.lines.length ?? 0;
      switch (key) {
        case 'F2':
          return () => search.current?.focus();
        case 'F4':
          return () => setOpen('customer');
        case 'F6':
          return () => lines > 0 && setOpen('orderDiscount');
        case 'F7':
          return () => (chosen || lines > 0) && setOpen('quantity');
        case 'F8':
          return () => lines > 0 && void park();
        case 'F9':
          return () => lines === 0 && setOpen('return');
        case 'F10':
          return () => setOpen('parked');
        case 'F11':
          return () => lines === 0 && setOpen('shift');
        case 'F12':
          return () => lines > 0 && setOpen('pay');
        default:
          return null;
      }
    };
    const listen = (event: KeyboardEvent) => {
      const action = shortcut(event.key);
      if (!action || open !== null) return;
      event.preventDefault();
      action();
    };
    window.addEventListener('keydown', listen);
    return () => window.removeEventListener('keydown', listen);
  }, [open]);

  if (shiftOpen === null) return null;
  if (!shiftOpen) return <OpenShift onOpened={checkShift} />;

  return (
    <section className="till" aria-label={t('till.title')}>
      <div className="till-left">
        <ProductSearch ref={search} />
        <ErrorMessage error={cart.error} />
        {completed && !hasLines && (
          <output className="completed" data-testid="completed-sale">
            <span>{t('till.saleDone', { number: completed.number })}</span>
            {completed.tenders.some((x) => x.change > 0) && (
              <strong className="change">
                {t('pay.change', { amount: money(completed.tenders.reduce((s, x) => s + x.change, 0)) })}
              </strong>
            )}
            <button type="button" onClick={() => setReceiptAnsweredFor(null)}>
              {t('receipt.show')}
            </button>
          </output>
        )}
        <LineList order={order} />
        <Suggestions />
      </div>
      <aside className="till-right">
        <CustomerButton onClick={() => setOpen('customer')} />
        <Totals order={order} />
        <button type="button" className="primary pay-button" disabled={!hasLines} onClick={() => setOpen('pay')}>
          {t('till.pay')} <kbd>F12</kbd>
        </button>
        <div className="till-actions">
          <button type="button" disabled={!selected} onClick={() => setOpen('quantity')}>
            {t('till.quantityAction')} <kbd>F7</kbd>
          </button>
          <button type="button" disabled={!selected} onClick={() => setOpen('discount')}>
            {t('till.lineDiscount')}
          </button>
          <button type="button" disabled={!hasLines} onClick={() => setOpen('orderDiscount')}>
            {t('till.orderDiscount')} <kbd>F6</kbd>
          </button>
          <button type="button" disabled={!selected} onClick={() => setOpen('price')}>
            {t('till.changePrice')}
          </button>
          <button type="button" disabled={!selected} onClick={() => selected && void cart.removeLine(selected.id)}>
            {t('till.removeLine')}
          </button>
          <button type="button" disabled={!hasLines} onClick={() => void cart.park()}>
            {t('till.park')} <kbd>F8</kbd>
          </button>
          <button type="button" onClick={() => setOpen('parked')}>
            {t('till.parked')} <kbd>F10</kbd>
          </button>
          <button type="button" disabled={hasLines} onClick={() => setOpen('return')}>
            {t('till.return')} <kbd>F9</kbd>
          </button>
          <button type="button" disabled={hasLines} onClick={() => setOpen('shift')}>
            {t('till.shift')} <kbd>F11</kbd>
          </button>
          <button type="button" className="danger" disabled={!hasLines} onClick={() => setOpen('confirmClear')}>
            {t('till.clear')}
          </button>
        </div>
      </aside>
      {open === 'pay' && order && <PaymentDialog total={order.total} onClose={() => setOpen(null)} />}
      {open === 'parked' && <ParkedDialog onClose={() => setOpen(null)} />}
      {open === 'customer' && <CustomerPicker onClose={() => setOpen(null)} />}
      {open === 'return' && (
        <ReturnDialog
          onClose={() => setOpen(null)}
          onDone={(refund) => {
            setOpen(null);
            useCart.setState({ completed: refund });
          }}
        />
      )}
      {open === 'shift' && (
        <ShiftDialog
          onClose={() => setOpen(null)}
          onClosed={() => {
            setOpen(null);
            checkShift();
          }}
        />
      )}
      {(open === 'quantity' || open === 'discount' || open === 'price' || open === 'orderDiscount') && (
        <LineDialog edit={open} line={selected} onClose={() => setOpen(null)} />
      )}
      {open === 'confirmClear' && (
        <Dialog title={t('till.clearTitle')} onClose={() => setOpen(null)}>
          <p>{t('till.clearExplain')}</p>
          <div className="actions">
            <button type="button" onClick={() => setOpen(null)}>
              {t('common.cancel')}
            </button>
            <button type="button" className="danger" onClick={() => void cart.clear().then(() => setOpen(null))}>
              {t('till.clear')}
            </button>
          </div>
        </Dialog>
      )}
      {completed && !hasLines && receiptAnsweredFor !== completed.id && (
        <ReceiptDialog orderId={completed.id} onClose={() => setReceiptAnsweredFor(completed.id)} />
      )}
      {weighing && (
        <WeighDialog
          product={weighing}
          onWeighed={(grams) => void cart.addWeighed(weighing, grams)}
          onCancel={() => useCart.setState({ weighing: null })}
        />
      )}
      {pendingOverride && (
        <ManagerOverride
          permission={pendingOverride.permission}
          onApproved={(override) => void pendingOverride.retry(override)}
          onCancel={cart.cancelOverride}
        />
      )}
    </section>
  );
}
