import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Category } from '../../../../shared/catalog.ts';
import type { ApiError } from '../../../../shared/errors.ts';
import { roleAtLeast } from '../../../../shared/staff.ts';
import type { StockListRow } from '../../../../shared/stock-list.ts';
import { bridge } from '../../bridge.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { call, useSession } from '../../session.ts';
import { AdjustDialog } from './AdjustDialog.tsx';
import { CsvImport } from './CsvImport.tsx';
import { GoodsIn } from './GoodsIn.tsx';
import { ProductEditor } from './ProductEditor.tsx';
import { ProductPanel } from './ProductPanel.tsx';
import { StockFilters } from './StockFilters.tsx';
import { StockList } from './StockList.tsx';
import { useStock } from './stock-store.ts';
import { download } from './units.ts';
import './stock.css';

type Open = { kind: 'goodsIn' } | { kind: 'adjust' } | { kind: 'edit'; id: string | null } | { kind: 'import' } | null;

const typing = (target: EventTarget | null) =>
  target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'SELECT', 'TEXTAREA'].includes(target.tagName));

/**
 * The stock desk: every product with its on-hand (a windowed list that stays quick at
 * 100,000 products), filters and search; one product's stock, movements, adjustments and
 * catalog record; goods in; catalog CSV import and export. Keys: / search, F2 goods in,
 * F3 adjust, F4 edit, Up/Down/Enter in the list.
 */
export function StockScreen() {
  const { t } = useTranslation();
  const role = useSession((s) => s.staff?.role ?? 'cashier');
  const manager = roleAtLeast(role, 'manager');
  const { rows, selectedId, filter, error, select, reload, refreshRows, loadLocations } = useStock();
  const [categories, setCategories] = useState<Category[]>([]);
  const [open, setOpen] = useState<Open>(null);
  const [panelRow, setPanelRow] = useState<StockListRow | null>(null);
  const [version, setVersion] = useState(0);
  const [notice, setNotice] = useState('');
  const [exportError, setExportError] = useState<ApiError | null>(null);
  const search = useRef<HTMLInputElement>(null);

  useEffect(() => {
    void call('catalog.categories', { includeInactive: true }).then((r) => r.ok && setCategories(r.value));
    void loadLocations();
    if (useStock.getState().rows.length === 0) void reload();
  }, [reload, loadLocations]);

  // Stock moved elsewhere (a sale, a pull from the server): the rows on screen catch up.
  useEffect(
    () =>
      bridge.subscribe('stock.changed', ({ productIds }) => {
        void refreshRows(productIds);
        if (productIds.includes(useStock.getState().selectedId ?? '')) setVersion((v) => v + 1);
      }),
    [refreshRows],
  );

  // The open product follows its row (after an edit or a movement).
  const selected = rows.find((r) => r.id === selectedId) ?? null;
  const shown = selected ?? panelRow;

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (open) return;
      if (event.key === '/' && !typing(event.target)) {
        event.preventDefault();
        search.current?.focus();
      } else if (event.key === 'F2') {
        event.preventDefault();
        setOpen({ kind: 'goodsIn' });
      } else if (event.key === 'F3' && shown) {
        event.preventDefault();
        setOpen({ kind: 'adjust' });
      } else if (event.key === 'F4' && shown && manager) {
        event.preventDefault();
        setOpen({ kind: 'edit', id: shown.id });
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [open, shown, manager]);

  async function changed(message: string, productIds: string[]) {
    setOpen(null);
    setNotice(message);
    await refreshRows(productIds);
    setVersion((v) => v + 1);
  }

  async function exportCsv() {
    const result = await call('catalog.exportCsv', {});
    if (!result.ok) {
      setExportError(result.error);
      return;
    }
    setExportError(null);
    download(`catalog-${new Date().toISOString().slice(0, 10)}.csv`, result.value.csv);
  }

  return (
    <section className="screen sk-screen" aria-labelledby="stock-title">
      <header className="sk-top">
        <h1 id="stock-title">{t('stockDesk.title')}</h1>
        <div className="sk-actions">
          <button type="button" className="primary" onClick={() => setOpen({ kind: 'goodsIn' })}>
            {t('stockDesk.goodsIn')} <kbd>F2</kbd>
          </button>
          {manager && (
            <button type="button" onClick={() => setOpen({ kind: 'edit', id: null })}>
              {t('stockDesk.newProduct')}
            </button>
          )}
          {manager && (
            <button type="button" onClick={() => setOpen({ kind: 'import' })}>
              {t('stockDesk.importCsv')}
            </button>
          )}
          <button type="button" onClick={() => void exportCsv()}>
            {t('stockDesk.exportCsv')}
          </button>
        </div>
      </header>
      <StockFilters categories={categories} searchRef={search} />
      <p className="sk-notice" role="status">
        {notice}
      </p>
      <ErrorMessage error={error ?? exportError} />
      <div className={shown ? 'sk-body with-panel' : 'sk-body'}>
        <StockList
          narrow={shown !== null}
          onOpen={(row) => {
            setPanelRow(row);
            setNotice('');
          }}
        />
        {shown && (
          <ProductPanel
            key={shown.id}
            row={shown}
            categories={categories}
            canEdit={manager}
            version={version}
            onAdjust={() => setOpen({ kind: 'adjust' })}
            onEdit={() => setOpen({ kind: 'edit', id: shown.id })}
            onClose={() => {
              select(null);
              setPanelRow(null);
            }}
          />
        )}
      </div>
      {open?.kind === 'goodsIn' && (
        <GoodsIn locationId={filter.locationId} onDone={(m, ids) => void changed(m, ids)} onClose={() => setOpen(null)} />
      )}
      {open?.kind === 'adjust' && shown && (
        <AdjustDialog
          row={shown}
          locationId={filter.locationId}
          onDone={(m) => void changed(m, [shown.id])}
          onClose={() => setOpen(null)}
        />
      )}
      {open?.kind === 'edit' && (
        <ProductEditor
          productId={open.id}
          categories={categories}
          onClose={() => setOpen(null)}
          onSaved={(p) => {
            if (open.id) void changed(t('stockDesk.saved', { name: p.name }), [p.id]);
            else {
              setOpen(null);
              setNotice(t('stockDesk.created', { name: p.name }));
              void reload();
            }
          }}
        />
      )}
      {open?.kind === 'import' && (
        <CsvImport
          onImported={() => {
            void reload();
          }}
          onClose={() => setOpen(null)}
        />
      )}
    </section>
  );
}
