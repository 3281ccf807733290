import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Product, ProductSummary } from '../../../../shared/catalog.ts';
import type { ApiError } from '../../../../shared/errors.ts';
import { majorString, parseMoney } from '../../../../shared/money.ts';
import { Dialog } from '../../components/Dialog.tsx';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { ProductFinder } from '../../components/ProductFinder.tsx';
import { useMoney } from '../../format.ts';
import { call, useSession } from '../../session.ts';
import { useScanner } from '../../use-scanner.ts';
import { asApiError, badQuantity, parseUnits } from './units.ts';
import { useOverride } from './use-override.tsx';

interface Line {
  product: Pick<Product, 'id' | 'name' | 'sku' | 'unit'>;
  quantity: string;
  cost: string;
}

/**
 * A delivery received against a supplier: scan or pick each product, enter how many came
 * and what each cost, and receive them all in one transaction (stock.receive). Receiving
 * needs the receive_stock permission; a cashier gets a manager's PIN.
 */
export function GoodsIn({
  locationId,
  onDone,
  onClose,
}: {
  locationId: string;
  onDone: (message: string, productIds: string[]) => void;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const money = useMoney();
  const currency = useSession((s) => s.settings?.currency ?? 'EUR');
  const [supplier, setSupplier] = useState('');
  const [reference, setReference] = useState('');
  const [lines, setLines] = useState<Line[]>([]);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const picker = useRef<HTMLInputElement>(null);
  const override = useOverride();

  /** A product scanned again adds one more to its line. */
  function add(product: Product) {
    setError(null);
    setLines((old) => {
      const at = old.findIndex((l) => l.product.id === product.id);
      if (at >= 0) {
        return old.map((l, i) => {
          if (i !== at || product.unit !== 'each') return l;
          const n = parseUnits(l.quantity, 'each');
          return { ...l, quantity: n === null ? l.quantity : String(n / 1000 + 1) };
        });
      }
      return [
        ...old,
        {
          product: { id: product.id, name: product.name, sku: product.sku, unit: product.unit },
          quantity: product.unit === 'each' ? '1' : '',
          cost: product.cost === null ? '' : majorString(product.cost, currency),
        },
      ];
    });
  }

  async function addSummary(summary: ProductSummary) {
    const full = await call('catalog.product', { id: summary.id });
    if (full.ok) add(full.value);
    else setError(full.error);
  }

  async function addCode(code: string) {
    const found = await call('catalog.lookupBarcode', { code, includeInactive: true });
    if (found.ok) add(found.value.product);
    else setError(found.error);
  }

  useScanner((code) => void addCode(code));

  const parsed = lines.map((l) => {
    const quantity = parseUnits(l.quantity, l.product.unit);
    let cost: number | null = null;
    try {
      cost = l.cost.trim() === '' ? null : parseMoney(l.cost, currency);
    } catch {
      cost = null;
    }
    return { quantity, cost, value: quantity !== null && cost !== null ? Math.round((quantity * cost) / 1000) : null };
  });
  const total = parsed.reduce((sum, p) => sum + (p.value ?? 0), 0);

  async function receive() {
    const input: { productId: string; quantity: number; unitCost: number }[] = [];
    for (const [i, line] of lines.entries()) {
      const quantity = parseUnits(line.quantity, line.product.unit);
      if (!quantity) {
        setError({ ...badQuantity, params: { name: line.product.name } });
        return;
      }
      let unitCost: number;
      try {
        unitCost = parseMoney(line.cost, currency);
      } catch (e) {
        setError(asApiError(e));
        document.getElementById(`gi-cost-${i}`)?.focus();
        return;
      }
      input.push({ productId: line.product.id, quantity, unitCost });
    }
    setBusy(true);
    const ref = reference.trim();
    const result = await override.run('receive_stock', (o) =>
      call('stock.receive', {
        supplier,
        locationId,
        lines: input,
        ...(ref ? { reference: ref } : {}),
        ...(o ? { override: o } : {}),
      }),
    );
    setBusy(false);
    if (!result) return;
    if (!result.ok) {
      setError(result.error);
      return;
    }
    onDone(
      t('stockDesk.received', { count: lines.length, supplier: supplier.trim() }),
      lines.map((l) => l.product.id),
    );
  }

  const update = (i: number, patch: Partial<Line>) => setLines((old) => old.map((l, j) => (j === i ? { ...l, ...patch } : l)));

  return (
    <Dialog title={t('stockDesk.goodsInTitle')} onClose={onClose} wide>
      <form
        className="sk-form sk-goods-in"
        onSubmit={(e) => {
          e.preventDefault();
          void receive();
        }}
      >
        <div className="row">
          <div className="field">
            <label htmlFor="gi-supplier">{t('stockDesk.supplier')}</label>
            <input
              id="gi-supplier"
              value={supplier}
              maxLength={120}
              onChange={(e) => setSupplier(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter') {
                  e.preventDefault();
                  picker.current?.focus();
                }
              }}
              autoFocus
            />
          </div>
          <div className="field">
            <label htmlFor="gi-reference">{t('stockDesk.reference')}</label>
            <input id="gi-reference" value={reference} maxLength={120} onChange={(e) => setReference(e.target.value)} />
          </div>
        </div>
        <ProductFinder
          id="gi-find"
          label={t('stockDesk.scanOrPick')}
          placeholder={t('stockDesk.pickPlaceholder')}
          inputRef={picker}
          onPick={(p) => void addSummary(p)}
          onCode={(c) => void addCode(c)}
        />
        {lines.length === 0 ? (
          <p className="muted sk-empty-lines">{t('stockDesk.noLines')}</p>
        ) : (
          <table className="sk-table sk-lines">
            <thead>
              <tr>
                <th>{t('stockDesk.columns.product')}</th>
                <th className="num">{t('stockDesk.quantity')}</th>
                <th className="num">{t('stockDesk.unitCost', { currency })}</th>
                <th className="num">{t('stockDesk.lineValue')}</th>
                <th>
                  <span className="visually-hidden">{t('stockDesk.remove')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {lines.map((l, i) => (
                <tr key={l.product.id}>
                  <td>
                    {l.product.name}
                    <span className="muted"> {l.product.sku}</span>
                  </td>
                  <td className="num">
                    <input
                      id={`gi-qty-${i}`}
                      className="sk-num-input"
                      inputMode="decimal"
                      aria-label={t('stockDesk.quantityOf', { name: l.product.name })}
                      value={l.quantity}
                      onChange={(e) => update(i, { quantity: e.target.value })}
                    />
                    {l.product.unit === 'weight' && ' kg'}
                  </td>
                  <td className="num">
                    <input
                      id={`gi-cost-${i}`}
                      className="sk-num-input"
                      inputMode="decimal"
                      aria-label={t('stockDesk.costOf', { name: l.product.name })}
                      value={l.cost}
                      onChange={(e) => update(i, { cost: e.target.value })}
                    />
                  </td>
                  <td className="num">{parsed[i]?.value === null ? '—' : money(parsed[i]?.value ?? 0)}</td>
                  <td>
                    <button
                      type="button"
                      aria-label={t('stockDesk.removeLine', { name: l.product.name })}
                      onClick={() => setLines((old) => old.filter((_, j) => j !== i))}
                    >
                      ×
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <td colSpan={3}>{t('stockDesk.deliveryTotal', { count: lines.length })}</td>
                <td className="num strong">{money(total)}</td>
                <td />
              </tr>
            </tfoot>
          </table>
        )}
        <ErrorMessage error={error} />
        <div className="actions">
          <button type="button" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="primary" disabled={busy || lines.length === 0 || !supplier.trim()}>
            {t('stockDesk.receive')}
          </button>
        </div>
      </form>
      {override.dialog}
    </Dialog>
  );
}
