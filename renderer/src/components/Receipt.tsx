import JsBarcode from 'jsbarcode';
import { useEffect, useRef } from 'react';
import { createPortal } from 'react-dom';
import { type Receipt as ReceiptModel, type ReceiptRow, receiptLayout } from '../../../shared/receipt.ts';
import './receipt.css';

/** The order number as CODE128, drawn into an <svg> (no inline styles, so the strict CSP holds). */
function OrderBarcode({ value }: { value: string }) {
  const ref = useRef<SVGSVGElement>(null);
  useEffect(() => {
    if (!ref.current) return;
    JsBarcode(ref.current, value, {
      format: 'CODE128',
      width: 1.6,
      height: 44,
      margin: 0,
      displayValue: true,
      font: 'monospace',
      fontSize: 13,
      textMargin: 3,
      background: '#ffffff',
      lineColor: '#000000',
    });
  }, [value]);
  return <svg ref={ref} className="receipt-barcode" role="img" aria-label={value} data-testid="receipt-barcode" />;
}

function Rows({ rows, className }: { rows: ReceiptRow[]; className?: string }) {
  return (
    <dl className={className ? `receipt-rows ${className}` : 'receipt-rows'}>
      {rows.map((row, index) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: two tenders of one kind share a label
        <div key={index} className={row.strong ? 'strong' : undefined}>
          <dt>{row.label}</dt>
          <dd>{row.value}</dd>
        </div>
      ))}
    </dl>
  );
}

/**
 * A till receipt as the customer gets it: an 80 mm roll, shop header, lines, discounts,
 * totals, tenders and change, tax by rate, footer and the order number's barcode for returns.
 * Its text comes from the same layout the ESC/POS printer uses.
 */
export function Receipt({ receipt }: { receipt: ReceiptModel }) {
  const layout = receiptLayout(receipt);
  const [shopName, ...address] = layout.header;
  return (
    <article className="receipt" lang={receipt.language} data-testid="receipt" aria-label={`${layout.title} ${receipt.number}`}>
      <header className="receipt-head">
        <h3 className="receipt-shop">{shopName}</h3>
        {address.map((line, index) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: address lines are fixed text
          <p key={index}>{line}</p>
        ))}
        <p className="receipt-title">{layout.title}</p>
        {layout.marks.map((mark) => (
          <p key={mark} className="receipt-mark">
            *** {mark} ***
          </p>
        ))}
      </header>
      <Rows rows={layout.meta} className="receipt-meta" />
      <ul className="receipt-items">
        {layout.items.map((item, index) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: lines of a finished receipt never move
          <li key={index}>
            <span className="receipt-item-name">{item.name}</span>
            <span className="receipt-amount">
              {item.amount} <span className="receipt-code">{item.taxCode}</span>
            </span>
            {item.detail && <span className="receipt-detail">{item.detail}</span>}
            {item.discount && (
              <>
                <span className="receipt-detail">{item.discount.label}</span>
                <span className="receipt-amount receipt-discount">{item.discount.value}</span>
              </>
            )}
          </li>
        ))}
      </ul>
      <Rows rows={layout.totals} className="receipt-totals" />
      <Rows rows={layout.tenders} className="receipt-tenders" />
      <table className="receipt-taxes">
        <thead>
          <tr>
            {layout.taxHead.map((head, index) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: two columns may share a word ("Tax")
              <th key={index} scope="col">
                {head}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {layout.taxRows.map((row) => (
            <tr key={row[0]}>
              {row.map((cell, index) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: fixed columns
                <td key={index}>{cell}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      <footer className="receipt-foot">
        {layout.footer.map((line, index) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: footer lines are fixed text
          <p key={index}>{line}</p>
        ))}
        <OrderBarcode value={layout.barcode} />
      </footer>
    </article>
  );
}

/**
 * The copy `window.print()` (or Electron's silent print) puts on paper: mounted straight under
 * <body>, hidden on screen, and the only thing the print stylesheet shows.
 */
export function PrintableReceipt({ receipt }: { receipt: ReceiptModel }) {
  return createPortal(
    <div className="receipt-print-area" aria-hidden="true">
      <Receipt receipt={receipt} />
    </div>,
    document.body,
  );
}
