import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Category, Product, TaxClass, Unit } from '../../../../shared/catalog.ts';
import type { ApiError } from '../../../../shared/errors.ts';
import { majorString, parseMoney } from '../../../../shared/money.ts';
import { Dialog } from '../../components/Dialog.tsx';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { call, useSession } from '../../session.ts';
import { asApiError, badQuantity, parseUnits, unitsText } from './units.ts';

interface Draft {
  sku: string;
  name: string;
  barcodes: string[];
  categoryId: string;
  unit: Unit;
  price: string;
  taxClassId: string;
  cost: string;
  reorderPoint: string;
  active: boolean;
}

/**
 * A product's catalog record: barcodes, price, tax class, cost, reorder point and whether
 * it is sold. Saved through catalog.saveProduct (managers); the store checks SKUs and
 * barcodes (check digits, duplicates, codes owned by another product).
 */
export function ProductEditor({
  productId,
  categories,
  onSaved,
  onClose,
}: {
  /** null: a new product. */
  productId: string | null;
  categories: Category[];
  onSaved: (product: Product) => void;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const currency = useSession((s) => s.settings?.currency ?? 'EUR');
  const [taxClasses, setTaxClasses] = useState<TaxClass[]>([]);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [code, setCode] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    void (async () => {
      const classes = await call('catalog.taxClasses', {});
      if (classes.ok) setTaxClasses(classes.value);
      if (!productId) {
        setDraft({
          sku: '',
          name: '',
          barcodes: [],
          categoryId: '',
          unit: 'each',
          price: '',
          taxClassId: classes.ok ? (classes.value[0]?.id ?? '') : '',
          cost: '',
          reorderPoint: '0',
          active: true,
        });
        return;
      }
      const found = await call('catalog.product', { id: productId });
      if (!found.ok) {
        setError(found.error);
        return;
      }
      const p = found.value;
      setDraft({
        sku: p.sku,
        name: p.name,
        barcodes: p.barcodes,
        categoryId: p.categoryId ?? '',
        unit: p.unit,
        price: majorString(p.price, currency),
        taxClassId: p.taxClassId,
        cost: p.cost === null ? '' : majorString(p.cost, currency),
        reorderPoint: unitsText(p.reorderPoint),
        active: p.active,
      });
    })();
  }, [productId, currency]);

  const set = (patch: Partial<Draft>) => setDraft((d) => (d ? { ...d, ...patch } : d));

  function addCode() {
    const value = code.trim();
    if (!draft || !value) return;
    if (!draft.barcodes.includes(value)) set({ barcodes: [...draft.barcodes, value] });
    setCode('');
  }

  async function save() {
    if (!draft) return;
    let price: number;
    let cost: number | null;
    try {
      price = parseMoney(draft.price, currency);
      cost = draft.cost.trim() === '' ? null : parseMoney(draft.cost, currency);
    } catch (e) {
      setError(asApiError(e));
      return;
    }
    const reorderPoint = draft.reorderPoint.trim() === '' ? 0 : parseUnits(draft.reorderPoint, 'weight');
    if (reorderPoint === null) {
      setError(badQuantity);
      return;
    }
    setBusy(true);
    const result = await call('catalog.saveProduct', {
      ...(productId ? { id: productId } : {}),
      sku: draft.sku,
      name: draft.name,
      barcodes: draft.barcodes,
      categoryId: draft.categoryId || null,
      unit: draft.unit,
      price,
      taxClassId: draft.taxClassId,
      cost,
      reorderPoint,
      active: draft.active,
    });
    setBusy(false);
    if (!result.ok) {
      setError(result.error);
      return;
    }
    onSaved(result.value);
  }

  return (
    <Dialog title={productId ? t('stockDesk.editTitle') : t('stockDesk.newTitle')} onClose={onClose} wide>
      {!draft ? (
        <>
          <ErrorMessage error={error} />
          <p className="muted">{t('stockDesk.loading')}</p>
        </>
      ) : (
        <form
          className="sk-form sk-editor"
          onSubmit={(e) => {
            e.preventDefault();
            void save();
          }}
        >
          <div className="sk-grid">
            <div className="field">
              <label htmlFor="pe-name">{t('stockDesk.fields.name')}</label>
              <input id="pe-name" value={draft.name} maxLength={200} onChange={(e) => set({ name: e.target.value })} autoFocus />
            </div>
            <div className="field">
              <label htmlFor="pe-sku">{t('stockDesk.fields.sku')}</label>
              <input id="pe-sku" value={draft.sku} maxLength={64} onChange={(e) => set({ sku: e.target.value })} />
            </div>
            <div className="field">
              <label htmlFor="pe-price">{t('stockDesk.fields.price', { currency })}</label>
              <input id="pe-price" inputMode="decimal" value={draft.price} onChange={(e) => set({ price: e.target.value })} />
            </div>
            <div className="field">
              <label htmlFor="pe-cost">{t('stockDesk.fields.cost', { currency })}</label>
              <input id="pe-cost" inputMode="decimal" value={draft.cost} onChange={(e) => set({ cost: e.target.value })} />
            </div>
            <div className="field">
              <label htmlFor="pe-tax">{t('stockDesk.fields.taxClass')}</label>
              <select id="pe-tax" value={draft.taxClassId} onChange={(e) => set({ taxClassId: e.target.value })}>
                {taxClasses.map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.name} ({c.rateBp / 100}%)
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor="pe-category">{t('stockDesk.fields.category')}</label>
              <select id="pe-category" value={draft.categoryId} onChange={(e) => set({ categoryId: e.target.value })}>
                <option value="">{t('stockDesk.noCategory')}</option>
                {categories.map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.name}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor="pe-unit">{t('stockDesk.fields.unit')}</label>
              <select id="pe-unit" value={draft.unit} onChange={(e) => set({ unit: e.target.value as Unit })}>
                <option value="each">{t('stockDesk.units.each')}</option>
                <option value="weight">{t('stockDesk.units.weight')}</option>
              </select>
            </div>
            <div className="field">
              <label htmlFor="pe-reorder">{t('stockDesk.fields.reorderPoint')}</label>
              <input
                id="pe-reorder"
                inputMode="decimal"
                value={draft.reorderPoint}
                onChange={(e) => set({ reorderPoint: e.target.value })}
              />
            </div>
          </div>
          <div className="field sk-barcodes">
            <label htmlFor="pe-code">{t('stockDesk.fields.barcodes')}</label>
            <ul className="sk-chips" aria-label={t('stockDesk.fields.barcodes')}>
              {draft.barcodes.map((b) => (
                <li key={b}>
                  <span>{b}</span>
                  <button
                    type="button"
                    aria-label={t('stockDesk.removeBarcode', { code: b })}
                    onClick={() => set({ barcodes: draft.barcodes.filter((x) => x !== b) })}
                  >
                    ×
                  </button>
                </li>
              ))}
            </ul>
            <div className="sk-inline">
              <input
                id="pe-code"
                value={code}
                maxLength={48}
                autoComplete="off"
                placeholder={t('stockDesk.barcodePlaceholder')}
                onChange={(e) => setCode(e.target.value)}
                onKeyDown={(e) => {
                  if (e.key === 'Enter') {
                    e.preventDefault();
                    addCode();
                  }
                }}
              />
              <button type="button" onClick={addCode} disabled={!code.trim()}>
                {t('stockDesk.addBarcode')}
              </button>
            </div>
          </div>
          <label className="sk-check">
            <input type="checkbox" checked={draft.active} onChange={(e) => set({ active: e.target.checked })} />
            {t('stockDesk.fields.active')}
          </label>
          <ErrorMessage error={error} />
          <div className="actions">
            <button type="button" onClick={onClose}>
              {t('common.cancel')}
            </button>
            <button type="submit" className="primary" disabled={busy}>
              {t('common.save')}
            </button>
          </div>
        </form>
      )}
    </Dialog>
  );
}
