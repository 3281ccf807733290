import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Unit } from '../../../../shared/catalog.ts';
import type { ApiError } from '../../../../shared/errors.ts';
import { type CountedLine, type CountResult, parseCountQuantity, type Stocktake } from '../../../../shared/stocktake.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { ProductFinder } from '../../components/ProductFinder.tsx';
import { call } from '../../session.ts';
import { useScanner } from '../../use-scanner.ts';
import { quantityText, useDateTime, useLocationName, useStocktakeTitle } from './labels.ts';
import { useStocktakeView } from './view-store.ts';

interface Picked {
  id: string;
  name: string;
  unit: Unit;
}

/**
 * Counting: scan (each scan adds 1, a weight label its weight), or find a product and type
 * what was counted. Each entry is in the store at once; the running list shows the latest.
 */
export function CountingView({ id }: { id: string }) {
  const { t } = useTranslation();
  const show = useStocktakeView((s) => s.show);
  const title = useStocktakeTitle();
  const when = useDateTime();
  const place = useLocationName();
  const [st, setSt] = useState<Stocktake | null>(null);
  const [lines, setLines] = useState<CountedLine[]>([]);
  const [picked, setPicked] = useState<Picked | null>(null);
  const [quantity, setQuantity] = useState('');
  const [feedback, setFeedback] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [badQuantity, setBadQuantity] = useState(false);
  const finder = useRef<HTMLInputElement>(null);
  const quantityBox = useRef<HTMLInputElement>(null);

  const load = useCallback(async () => {
    const [header, running] = await Promise.all([
      call('stocktake.get', { stocktakeId: id }),
      call('stocktake.lines', { stocktakeId: id, limit: 200 }),
    ]);
    if (header.ok) setSt(header.value);
    else setError(header.error);
    if (running.ok) setLines(running.value);
  }, [id]);

  useEffect(() => {
    void load();
  }, [load]);

  const counting = st?.state === 'counting';

  function counted(result: CountResult, replaced: boolean) {
    const { line } = result;
    setLines((list) => [line, ...list.filter((l) => l.productId !== line.productId)]);
    setFeedback(
      replaced
        ? t('stocktake.replaced', { name: line.name, total: quantityText(line.counted, line.unit) })
        : t('stocktake.added', {
            name: line.name,
            quantity: quantityText(result.added, line.unit),
            total: quantityText(line.counted, line.unit),
          }),
    );
    setError(null);
    void call('stocktake.get', { stocktakeId: id }).then((r) => r.ok && setSt(r.value));
  }

  async function scan(code: string) {
    const result = await call('stocktake.scan', { stocktakeId: id, code });
    if (result.ok) counted(result.value, false);
    else {
      setFeedback('');
      setError(result.error);
    }
  }

  useScanner((code) => void scan(code), counting);

  function pick(product: Picked) {
    setPicked(product);
    setQuantity('');
    setBadQuantity(false);
    setError(null);
    requestAnimationFrame(() => quantityBox.current?.focus());
  }

  async function submit(replace: boolean) {
    if (!picked) return;
    const value = parseCountQuantity(quantity, picked.unit);
    if (value === null) {
      setBadQuantity(true);
      return;
    }
    const result = await call('stocktake.count', { stocktakeId: id, productId: picked.id, quantity: value, replace });
    if (!result.ok) {
      setError(result.error);
      return;
    }
    counted(result.value, replace);
    setPicked(null);
    setQuantity('');
    finder.current?.focus();
  }

  useEffect(() => {
    const listen = (event: KeyboardEvent) => {
      if (event.key === 'F2') finder.current?.focus();
      else if (event.key === 'F9') show({ kind: 'review', id });
      else return;
      event.preventDefault();
    };
    window.addEventListener('keydown', listen);
    return () => window.removeEventListener('keydown', listen);
  }, [show, id]);

  if (!st) return <ErrorMessage error={error} />;

  return (
    <section className="screen stocktakes" aria-labelledby="counting-title">
      <div className="st-head">
        <div>
          <h1 id="counting-title">{t('stocktake.countingTitle', { name: title(st) })}</h1>
          <p className="muted st-sub">
            {place(st)} · {t('stocktake.progressOf', { counted: st.counted, items: st.items })}
          </p>
        </div>
        <div className="st-head-actions">
          <button type="button" onClick={() => show({ kind: 'list' })}>
            {t('stocktake.backToList')}
          </button>
          <button type="button" className="primary big" onClick={() => show({ kind: 'review', id })}>
            {t('stocktake.review')} <kbd>F9</kbd>
          </button>
        </div>
      </div>
      {!counting && <p className="st-notice">{t('stocktake.notCounting', { state: t(`stocktake.states.${st.state}`) })}</p>}
      {counting && (
        <div className="st-entry panel">
          <p className="st-scan-hint">
            <span className="st-scan-icon" aria-hidden="true">
              ▮▯▮▮▯▮
            </span>
            {t('stocktake.scanHint')}
          </p>
          <ProductFinder
            includeInactive
            id="st-find"
            label={t('stocktake.find')}
            placeholder={t('stocktake.findPlaceholder')}
            categoryId={st.scope === 'category' ? st.categoryId : null}
            inputRef={finder}
            onPick={(p) => pick({ id: p.id, name: p.name, unit: p.unit })}
            onCode={(code) => void scan(code)}
          />
          {picked && (
            <form
              className="st-quantity"
              onSubmit={(e) => {
                e.preventDefault();
                void submit(false);
              }}
            >
              <div className="field">
                <label htmlFor="st-quantity">
                  {picked.unit === 'weight'
                    ? t('stocktake.quantityKg', { name: picked.name })
                    : t('stocktake.quantityFor', { name: picked.name })}
                </label>
                <input
                  id="st-quantity"
                  ref={quantityBox}
                  inputMode={picked.unit === 'weight' ? 'decimal' : 'numeric'}
                  autoComplete="off"
                  value={quantity}
                  aria-invalid={badQuantity}
                  onChange={(e) => {
                    setQuantity(e.target.value);
                    setBadQuantity(false);
                  }}
                  onKeyDown={(e) => {
                    if (e.key !== 'Escape') return;
                    e.preventDefault();
                    setPicked(null);
                    finder.current?.focus();
                  }}
                />
              </div>
              <button type="submit" className="primary">
                {t('stocktake.add')} <kbd>Enter</kbd>
              </button>
              <button type="button" onClick={() => void submit(true)}>
                {t('stocktake.recount')}
              </button>
              <button type="button" onClick={() => setPicked(null)}>
                {t('common.cancel')}
              </button>
            </form>
          )}
          {badQuantity && (
            <p role="alert" className="error">
              {t('stocktake.badQuantity')}
            </p>
          )}
          <ErrorMessage error={error} />
          <output className="st-feedback" aria-live="polite" data-testid="count-feedback">
            {feedback}
          </output>
        </div>
      )}
      <h2 className="st-h2">{t('stocktake.running', { count: lines.length })}</h2>
      {lines.length === 0 ? (
        <p className="st-empty">{t('stocktake.nothingYet')}</p>
      ) : (
        <table className="st-table" aria-label={t('stocktake.runningLabel')}>
          <thead>
            <tr>
              <th scope="col">{t('stocktake.product')}</th>
              <th scope="col" className="num">
                {t('stocktake.counted')}
              </th>
              <th scope="col" className="num">
                {t('stocktake.entries')}
              </th>
              <th scope="col" className="num">
                {t('stocktake.tills')}
              </th>
              <th scope="col">{t('stocktake.countedAt')}</th>
            </tr>
          </thead>
          <tbody>
            {lines.map((line) => (
              <tr key={line.productId}>
                <td>
                  {counting ? (
                    <button
                      type="button"
                      className="line-name"
                      onClick={() => pick({ id: line.productId, name: line.name, unit: line.unit })}
                    >
                      {line.name}
                    </button>
                  ) : (
                    line.name
                  )}
                  <span className="muted st-sku">{line.sku}</span>
                </td>
                <td className="num strong">{quantityText(line.counted, line.unit)}</td>
                <td className="num">{line.entries}</td>
                <td className="num">{line.devices}</td>
                <td className="st-when">{when(line.countedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
