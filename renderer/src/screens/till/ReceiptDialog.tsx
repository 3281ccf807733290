import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ApiError } from '../../../../shared/errors.ts';
import { formatMoney } from '../../../../shared/money.ts';
import type { Receipt as ReceiptModel } from '../../../../shared/receipt.ts';
import { Dialog } from '../../components/Dialog.tsx';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { PrintableReceipt, Receipt } from '../../components/Receipt.tsx';
import { call } from '../../session.ts';

/**
 * After a sale (or for a reprint): the change to hand over, the receipt as it will print, and
 * Print receipt / No receipt. The sale is already committed, so a printer that fails costs
 * nothing but a retry. Enter prints, Escape skips, and the next scan or F-key simply moves on.
 */
export function ReceiptDialog({ orderId, copy = false, onClose }: { orderId: string; copy?: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const [receipt, setReceipt] = useState<ReceiptModel | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState(false);
  const [pdfPath, setPdfPath] = useState<string | null>(null);
  const printButton = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    let live = true;
    void call('receipt.get', { orderId, copy }).then((result) => {
      if (!live) return;
      if (!result.ok) {
        setError(result.error);
        return;
      }
      setReceipt(result.value);
      // Cash moves now: the drawer opens before anyone decides about paper.
      if (!copy && result.value.tenders.some((tender) => tender.kind === 'cash')) {
        void call('printer.kickDrawer', {}).then((kick) => {
          // Asked twice (React's development double effects) is refused the second time: nothing to show.
          if (live && !kick.ok && kick.error.reason !== 'drawer_needs_reason') setError(kick.error);
        });
      }
    });
    return () => {
      live = false;
    };
  }, [orderId, copy]);

  // An F-key means the cashier has moved on (return, shift, parked sales): no receipt, and the key still works.
  useEffect(() => {
    const moveOn = (event: KeyboardEvent) => {
      if (/^F\d{1,2}$/.test(event.key)) onClose();
    };
    window.addEventListener('keydown', moveOn);
    return () => window.removeEventListener('keydown', moveOn);
  }, [onClose]);

  // Enter prints: focus goes to Print as soon as there is something to print.
  useEffect(() => {
    if (receipt && !busy) printButton.current?.focus();
  }, [receipt, busy]);

  async function print() {
    setBusy(true);
    setError(null);
    const result = await call('receipt.print', { orderId, copy });
    setBusy(false);
    if (!result.ok) {
      setError(result.error);
      setFailed(true);
      return;
    }
    if (result.value.printed) {
      onClose();
    } else if (result.value.fallback === 'browser') {
      // Browser mode, or a system printer: the page prints its own receipt copy (see receipt.css).
      window.print();
      onClose();
    } else {
      setPdfPath(result.value.path);
    }
  }

  const money = (minor: number) => (receipt ? formatMoney(minor, receipt.currency, receipt.locale) : '');
  const cashBack = receipt ? -receipt.tenders.filter((x) => x.kind === 'cash').reduce((sum, x) => sum + x.amount, 0) : 0;
  const title = !receipt
    ? t('receipt.title')
    : copy
      ? t('receipt.copyTitle', { number: receipt.number })
      : t(receipt.kind === 'refund' ? 'receipt.refundDone' : 'receipt.saleDone', { number: receipt.number });

  return (
    <Dialog title={title} onClose={onClose} wide>
      <div className="receipt-dialog">
        <div className="receipt-dialog-side">
          {receipt && !copy && receipt.change > 0 && (
            <p className="receipt-change" data-testid="receipt-change">
              <span>{t('receipt.changeDue')}</span>
              <strong>{money(receipt.change)}</strong>
            </p>
          )}
          {receipt && !copy && receipt.kind === 'refund' && cashBack > 0 && (
            <p className="receipt-change">
              <span>{t('receipt.giveBack')}</span>
              <strong>{money(cashBack)}</strong>
            </p>
          )}
          {!receipt && !error && <p className="muted">{t('receipt.loading')}</p>}
          <ErrorMessage error={error} />
          {failed && <p>{t('receipt.saleKept')}</p>}
          {pdfPath && <p role="status">{t('receipt.savedAsPdf', { path: pdfPath })}</p>}
          <div className="actions">
            <button
              ref={printButton}
              type="button"
              className="primary big"
              disabled={!receipt || busy}
              onClick={() => void print()}
            >
              {busy ? t('receipt.printing') : failed ? t('receipt.tryAgain') : copy ? t('receipt.printCopy') : t('receipt.print')}
            </button>
            <button type="button" className="big" onClick={onClose}>
              {copy || pdfPath ? t('common.close') : t('receipt.noReceipt')}
            </button>
          </div>
        </div>
        {receipt && (
          <section className="receipt-paper" aria-label={t('receipt.preview')}>
            <Receipt receipt={receipt} />
          </section>
        )}
      </div>
      {receipt && <PrintableReceipt receipt={receipt} />}
    </Dialog>
  );
}
