import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Dialog } from '../../components/Dialog.tsx';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { ManagerOverride } from '../../components/ManagerOverride.tsx';
import { useMoney } from '../../format.ts';
import { call } from '../../session.ts';
import { useScanner } from '../../use-scanner.ts';
import { CustomerButton, CustomerPicker } from './CustomerPicker.tsx';
import { selectedLine, useCart } from './cart-store.ts';
import { LineDialog, type LineEdit } from './LineDialog.tsx';
import { LineList } from './LineList.tsx';
import { OpenShift } from './OpenShift.tsx';
import { ParkedDialog } from './ParkedDialog.tsx';
import { PaymentDialog } from './PaymentDialog.tsx';
import { ProductSearch } from './ProductSearch.tsx';
import { ReceiptDialog } from './ReceiptDialog.tsx';
import { ReturnDialog } from './ReturnDialog.tsx';
import { SaveBanner } from './SaveBanner.tsx';
import { ShiftDialog } from './ShiftDialog.tsx';
import { Suggestions } from './Suggestions.tsx';
import { prefetch } from './scan-lookup.ts';
import { Totals } from './Totals.tsx';
import { WeighDialog } from './WeighDialog.tsx';

type Open = null | 'pay' | 'parked' | 'confirmClear' | 'return' | 'shift' | 'customer' | LineEdit;

/** The checkout: scan or search, adjust lines, take payment. Every action has an F-key. */
export function TillScreen() {
  const { t } = useTranslation();
  const money = useMoney();
  // Narrow selectors: a scan changes lines and totals, which LineList and Totals read themselves;
  // this screen re-renders only when one of these flips.
  const hasLines = useCart((s) => (s.order?.lines.length ?? 0) > 0);
  const payable = useCart((s) => (s.order?.lines.length ?? 0) > 0 && s.order?.priced === true);
  // While the store refuses writes, what needs its answer first (resume, returns, the shift) waits.
  const blocked = useCart((s) => s.fault !== null);
  const completed = useCart((s) => s.completed);
  const weighing = useCart((s) => s.weighing);
  const pendingOverride = useCart((s) => s.pendingOverride);
  const error = useCart((s) => s.error);
  const { load, scan, park, removeLine, clear, approve, cancelOverride, showCompleted } = useCart.getState();
  const [open, setOpen] = useState<Open>(null);
  const [shiftOpen, setShiftOpen] = useState<boolean | null>(null);
  /** The completed sale whose receipt question has been answered. */
  const [receiptAnsweredFor, setReceiptAnsweredFor] = useState<string | null>(null);
  const search = useRef<HTMLInputElement>(null);
  const lineEdit: LineEdit | null =
    open === 'quantity' || open === 'discount' || open === 'price' || open === 'orderDiscount' ? open : null;
  const selected = useCart((s) => (lineEdit !== null ? selectedLine(s) : null));

  /** Parked sales, returns and the shift read the store: they open once it has every pending action. */
  const openWhenSaved = useCallback((what: 'parked' | 'return' | 'shift') => {
    void useCart
      .getState()
      .whenSaved()
      .then(() => setOpen(what));
  }, []);

  /**
   * Pay (F12 or the button): a line still waiting for its price opens payment as soon as the
   * store has priced it, so a fast cashier's F12 or tap is never swallowed.
   */
  const pay = useCallback(() => {
    const state = useCart.getState();
    const priced = (s: typeof state) => (s.order?.lines.length ?? 0) > 0 && s.order?.priced === true;
    if (priced(state)) setOpen('pay');
    else if ((state.order?.lines.length ?? 0) > 0 && state.fault === null) {
      void state.whenSaved().then(() => priced(useCart.getState()) && setOpen((now) => now ?? 'pay'));
    }
  }, []);

  const openCustomer = useCallback(() => setOpen('customer'), []);

  const checkShift = useCallback(() => {
    void call('shift.current', {}).then((r) => setShiftOpen(r.ok && r.value !== null));
  }, []);
  useEffect(() => {
    checkShift();
    void load();
  }, [checkShift, load]);

  useScanner((code) => void scan(code), open === null && !weighing && !pendingOverride && shiftOpen === true, prefetch);

  // Shortcuts read the cart as it is at the keypress, not as it was at the last render.
  useEffect(() => {
    const shortcut = (key: string): (() => void) | null => {
      const state = useCart.getState();
      const lines = state.order?.lines.length ?? 0;
      const blockedNow = state.fault !== null;
      switch (key) {
        case 'F2':
          return () => search.current?.focus();
        case 'F4':
          return () => setOpen('customer');
        case 'F6':
          return () => lines > 0 && setOpen('orderDiscount');
        case 'F7':
          return () => lines > 0 && setOpen('quantity');
        case 'F8':
          return () => lines > 0 && void state.park();
        case 'F9':
          return () => lines === 0 && !blockedNow && openWhenSaved('return');
        case 'F10':
          return () => !blockedNow && openWhenSaved('parked');
        case 'F11':
          return () => lines === 0 && !blockedNow && openWhenSaved('shift');
        case 'F12':
          return pay;
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
  }, [open, openWhenSaved, pay]);

  if (shiftOpen === null) return null;
  if (!shiftOpen) return <OpenShift onOpened={checkShift} />;

  return (
    <section className="till" aria-label={t('till.title')}>
      <div className="till-left">
        <ProductSearch ref={search} />
        <SaveBanner />
        <ErrorMessage error={error} />
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
        <LineList />
        <Suggestions />
      </div>
      <aside className="till-right">
        <CustomerButton onClick={openCustomer} />
        <Totals />
        <button type="button" className="primary pay-button" disabled={!payable && (!hasLines || blocked)} onClick={pay}>
          {t('till.pay')} <kbd>F12</kbd>
        </button>
        <div className="till-actions">
          <button type="button" disabled={!hasLines} onClick={() => setOpen('quantity')}>
            {t('till.quantityAction')} <kbd>F7</kbd>
          </button>
          <button type="button" disabled={!hasLines} onClick={() => setOpen('discount')}>
            {t('till.lineDiscount')}
          </button>
          <button type="button" disabled={!hasLines} onClick={() => setOpen('orderDiscount')}>
            {t('till.orderDiscount')} <kbd>F6</kbd>
          </button>
          <button type="button" disabled={!hasLines} onClick={() => setOpen('price')}>
            {t('till.changePrice')}
          </button>
          <button
            type="button"
            disabled={!hasLines}
            onClick={() => {
              const line = selectedLine(useCart.getState());
              if (line) void removeLine(line.id);
            }}
          >
            {t('till.removeLine')}
          </button>
          <button type="button" disabled={!hasLines} onClick={() => void park()}>
            {t('till.park')} <kbd>F8</kbd>
          </button>
          <button type="button" disabled={blocked} onClick={() => openWhenSaved('parked')}>
            {t('till.parked')} <kbd>F10</kbd>
          </button>
          <button type="button" disabled={hasLines || blocked} onClick={() => openWhenSaved('return')}>
            {t('till.return')} <kbd>F9</kbd>
          </button>
          <button type="button" disabled={hasLines || blocked} onClick={() => openWhenSaved('shift')}>
            {t('till.shift')} <kbd>F11</kbd>
          </button>
          <button type="button" className="danger" disabled={!hasLines} onClick={() => setOpen('confirmClear')}>
            {t('till.clear')}
          </button>
        </div>
      </aside>
      {open === 'pay' && <PaymentDialog onClose={() => setOpen(null)} />}
      {open === 'parked' && <ParkedDialog onClose={() => setOpen(null)} />}
      {open === 'customer' && <CustomerPicker onClose={() => setOpen(null)} />}
      {open === 'return' && (
        <ReturnDialog
          onClose={() => setOpen(null)}
          onDone={(refund) => {
            setOpen(null);
            showCompleted(refund);
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
      {lineEdit !== null && <LineDialog edit={lineEdit} line={selected} onClose={() => setOpen(null)} />}
      {open === 'confirmClear' && (
        <Dialog title={t('till.clearTitle')} onClose={() => setOpen(null)}>
          <p>{t('till.clearExplain')}</p>
          <div className="actions">
            <button type="button" onClick={() => setOpen(null)}>
              {t('common.cancel')}
            </button>
            <button type="button" className="danger" onClick={() => void clear().then(() => setOpen(null))}>
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
          onWeighed={(grams) => void useCart.getState().addWeighed(weighing, grams)}
          onCancel={() => useCart.setState({ weighing: null })}
        />
      )}
      {pendingOverride && (
        <ManagerOverride permission={pendingOverride.permission} onApproved={approve} onCancel={cancelOverride} />
      )}
    </section>
  );
}
