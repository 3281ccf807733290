import { memo } from 'react';
import { useTranslation } from 'react-i18next';
import { formatQuantity, useMoney } from '../../format.ts';
import type { CartLine } from '../../pending.ts';
import { useCart } from './cart-store.ts';

/**
 * One line. Memoised on the line object, which the cart keeps the same while the line is
 * unchanged (pending.ts keepUnchanged), so a scan renders its own row and no other.
 */
const LineRow = memo(function LineRow({
  line,
  selected,
  faulted,
  onSelect,
}: {
  line: CartLine;
  selected: boolean;
  /** The store cannot save now: lines it has not got say so on screen, not only to screen readers. */
  faulted: boolean;
  onSelect: (position: number) => void;
}) {
  const { t } = useTranslation();
  const money = useMoney();
  return (
    <tr
      className={selected ? 'selected' : undefined}
      aria-selected={selected}
      aria-busy={!line.saved}
      data-saved={line.saved}
      onClick={() => onSelect(line.position)}
    >
      <td>
        <button type="button" className="line-name" onClick={() => onSelect(line.position)}>
          {line.name}
        </button>
        {line.lineDiscount > 0 && <span className="note">− {money(line.lineDiscount)}</span>}
        {line.priceOverridden && <span className="note">{t('till.priceChanged')}</span>}
        {/* Unsaved for a few milliseconds on every scan: shown only while the store cannot save. */}
        {!line.saved && <span className={faulted ? 'note' : 'visually-hidden'}>{t('till.notSaved')}</span>}
      </td>
      <td className="num">{formatQuantity(line.quantity, line.unit)}</td>
      <td className="num">
        {line.priced ? money(line.unitPrice) : '—'}
        {line.unit === 'weight' ? ' / kg' : ''}
      </td>
      <td className="num strong">{line.priced ? money(line.total) : '—'}</td>
    </tr>
  );
});

/** The sale's lines, newest at the bottom; the selected one is what line actions change. */
export const LineList = memo(function LineList() {
  const { t } = useTranslation();
  const lines = useCart((s) => s.order?.lines);
  const selected = useCart((s) => s.selected);
  const select = useCart((s) => s.select);
  const faulted = useCart((s) => s.fault !== null);
  if (!lines || lines.length === 0) {
    return <p className="empty-sale">{t('till.emptySale')}</p>;
  }
  const chosen = lines.some((l) => l.position === selected) ? selected : (lines.at(-1)?.position ?? null);
  return (
    <table className="lines" aria-label={t('till.lines')}>
      <thead>
        <tr>
          <th scope="col">{t('till.item')}</th>
          <th scope="col" className="num">
            {t('till.quantity')}
          </th>
          <th scope="col" className="num">
            {t('till.price')}
          </th>
          <th scope="col" className="num">
            {t('till.lineTotal')}
          </th>
        </tr>
      </thead>
      <tbody>
        {lines.map((line) => (
          // The position, not the id: a line keeps its row when the store names it.
          <LineRow key={line.position} line={line} selected={line.position === chosen} faulted={faulted} onSelect={select} />
        ))}
      </tbody>
    </table>
  );
});
