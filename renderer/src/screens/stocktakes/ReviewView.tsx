import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ApiError } from '../../../../shared/errors.ts';
import { type Override, roleAllows } from '../../../../shared/staff.ts';
import type { StocktakeReview, UncountedPolicy, VarianceLine } from '../../../../shared/stocktake.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { ManagerOverride } from '../../components/ManagerOverride.tsx';
import { useMoney } from '../../format.ts';
import { call, useSession } from '../../session.ts';
import { ConfirmDialog } from './ConfirmDialog.tsx';
import { quantityText, signedQuantity, useDateTime, useLocationName, useSignedMoney, useStocktakeTitle } from './labels.ts';
import { RecountDialog } from './RecountDialog.tsx';
import { Totals } from './Totals.tsx';
import { useStocktakeView } from './view-store.ts';

type Pending = null | 'apply' | 'cancel' | { recount: VarianceLine };
const pageSize = 200;

/** Saves text as a file the browser downloads (the CSV export). */
function download(text: string, fileName: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/**
 * The review: lines by the money at stake, totals in units and money, recount or exclude a
 * line, choose what happens to what nobody counted, then a manager applies the count.
 */
export function ReviewView({ id }: { id: string }) {
  const { t } = useTranslation();
  const money = useMoney();
  const signedMoney = useSignedMoney();
  const when = useDateTime();
  const place = useLocationName();
  const title = useStocktakeTitle();
  const show = useStocktakeView((s) => s.show);
  const staff = useSession((s) => s.staff);
  const [review, setReview] = useState<StocktakeReview | null>(null);
  const [limit, setLimit] = useState(pageSize);
  const [pending, setPending] = useState<Pending>(null);
  const [needsManager, setNeedsManager] = useState<'apply' | 'cancel' | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [notice, setNotice] = useState('');

  const load = useCallback(async () => {
    const result = await call('stocktake.review', { stocktakeId: id, limit });
    if (result.ok) setReview(result.value);
    else setError(result.error);
  }, [id, limit]);

  useEffect(() => {
    void load();
  }, [load]);

  const counting = review?.stocktake.state === 'counting';

  async function act(action: () => Promise<{ ok: true } | { ok: false; error: ApiError }>) {
    const result = await action();
    if (result.ok) setError(null);
    else setError(result.error);
    await load();
  }

  async function finish(kind: 'apply' | 'cancel', override?: Override) {
    setPending(null);
    setNeedsManager(null);
    // A cashier's role cannot apply or cancel: ask for the manager's PIN first, not after a refusal.
    if (!override && staff && !roleAllows(staff.role, 'apply_stocktake')) {
      setNeedsManager(kind);
      return;
    }
    const input = { stocktakeId: id, ...(override ? { override } : {}) };
    const result = kind === 'apply' ? await call('stocktake.apply', input) : await call('stocktake.cancel', input);
    if (!result.ok) {
      if (result.error.reason === 'needs_manager') setNeedsManager(kind);
      else setError(result.error);
      return;
    }
    setError(null);
    setNotice(
      kind === 'apply' && 'movements' in result.value
        ? t('stocktake.appliedNotice', { count: result.value.movements })
        : t('stocktake.cancelledNotice'),
    );
    await load();
  }

  async function exportCsv() {
    const result = await call('stocktake.exportCsv', { stocktakeId: id });
    if (result.ok) download(result.value.csv, result.value.fileName);
    else setError(result.error);
  }

  useEffect(() => {
    const listen = (event: KeyboardEvent) => {
      if (pending || needsManager) return;
      if (event.key === 'F12' && counting) setPending('apply');
      else if (event.key === 'F9' && counting) show({ kind: 'count', id });
      else return;
      event.preventDefault();
    };
    window.addEventListener('keydown', listen);
    return () => window.removeEventListener('keydown', listen);
  }, [pending, needsManager, counting, show, id]);

  if (!review) return <ErrorMessage error={error} />;
  const { stocktake: st, totals } = review;
  const setPolicy = (policy: UncountedPolicy) => {
    setReview({ ...review, stocktake: { ...st, uncounted: policy } }); // the choice shows at once; the lines follow
    void act(() => call('stocktake.setUncounted', { stocktakeId: id, policy }));
  };

  return (
    <section className="screen stocktakes" aria-labelledby="review-title">
      <div className="st-head">
        <div>
          <h1 id="review-title">{t('stocktake.reviewTitle', { name: title(st) })}</h1>
          <p className="muted st-sub">
            {place(st)} · {t(`stocktake.states.${st.state}`)} ·{' '}
            {t('stocktake.progressOf', { counted: st.counted, items: st.items })}
            {st.appliedAt && ` · ${t('stocktake.appliedBy', { at: when(st.appliedAt), name: st.appliedBy?.name ?? '' })}`}
            {st.approvedBy && ` · ${t('stocktake.approvedBy', { name: st.approvedBy.name })}`}
          </p>
        </div>
        <div className="st-head-actions">
          <button type="button" onClick={() => show({ kind: 'list' })}>
            {t('stocktake.backToList')}
          </button>
          {counting && (
            <button type="button" onClick={() => show({ kind: 'count', id })}>
              {t('stocktake.backToCounting')} <kbd>F9</kbd>
            </button>
          )}
        </div>
      </div>
      <p className="muted st-intro">{t('stocktake.reviewExplain')}</p>
      {notice && (
        <output className="st-done" data-testid="stocktake-notice">
          {notice}
        </output>
      )}
      <ErrorMessage error={error} />
      <div className="st-summary">
        <Totals totals={totals} />
        <div className="st-bar">
          <button type="button" onClick={() => void exportCsv()}>
            {t('stocktake.exportCsv')}
          </button>
          <button type="button" onClick={() => show({ kind: 'report', id })}>
            {t('stocktake.print')}
          </button>
          {counting && (
            <>
              <button type="button" className="danger" onClick={() => setPending('cancel')}>
                {t('stocktake.cancelCount')}
              </button>
              <button type="button" className="primary big" onClick={() => setPending('apply')}>
                {t('stocktake.apply')} <kbd>F12</kbd>
              </button>
            </>
          )}
        </div>
      </div>

      <h2 className="st-h2">{t('stocktake.lines', { count: review.lineCount })}</h2>
      {review.lines.length === 0 ? (
        <p className="st-empty">{t('stocktake.nothingYet')}</p>
      ) : (
        <table className="st-table st-variances" aria-label={t('stocktake.linesLabel')}>
          <thead>
            <tr>
              <th scope="col">{t('stocktake.product')}</th>
              <th scope="col" className="num">
                {t('stocktake.counted')}
              </th>
              <th scope="col" className="num">
                {t('stocktake.expected')}
              </th>
              <th scope="col" className="num">
                {t('stocktake.variance')}
              </th>
              <th scope="col" className="num">
                {t('stocktake.value')}
              </th>
              <th scope="col">{t('stocktake.countedAt')}</th>
              {counting && (
                <th scope="col">
                  <span className="visually-hidden">{t('stocktake.actions')}</span>
                </th>
              )}
            </tr>
          </thead>
          <tbody>
            {review.lines.map((line) => (
              <tr
                key={line.productId}
                className={line.excluded || line.superseded ? 'st-out' : undefined}
                data-product={line.productId}
              >
                <td>
                  <span className="st-name">{line.name}</span>
                  <span className="muted st-sku">{line.sku}</span>
                  {line.excluded && <span className="note">{t('stocktake.flags.excluded')}</span>}
                  {line.superseded && <span className="note">{t('stocktake.flags.superseded')}</span>}
                  {line.zeroed && <span className="note">{t('stocktake.flags.zeroed')}</span>}
                </td>
                <td className="num strong">{quantityText(line.counted, line.unit)}</td>
                <td className="num">{quantityText(line.expected, line.unit)}</td>
                <td className={`num strong ${line.variance < 0 ? 'st-short' : line.variance > 0 ? 'st-over' : ''}`}>
                  {signedQuantity(line.variance, line.unit)}
                </td>
                <td className="num">{line.unitCost === null ? '—' : signedMoney(line.value)}</td>
                <td className="st-when">{when(line.countedAt)}</td>
                {counting && (
                  <td className="st-actions-td">
                    <div className="st-row-actions">
                      {!line.zeroed && (
                        <button type="button" onClick={() => setPending({ recount: line })}>
                          {t('stocktake.recountAction')}
                        </button>
                      )}
                      <button
                        type="button"
                        aria-pressed={line.excluded}
                        onClick={() =>
                          void act(() =>
                            call('stocktake.exclude', { stocktakeId: id, productId: line.productId, excluded: !line.excluded }),
                          )
                        }
                      >
                        {t('stocktake.exclude')}
                      </button>
                    </div>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {review.lineCount > review.lines.length && (
        <p className="muted">
          {t('stocktake.shown', { shown: review.lines.length, total: review.lineCount })}{' '}
          <button type="button" onClick={() => setLimit(Math.max(review.lineCount, review.uncountedCount))}>
            {t('stocktake.showAll')}
          </button>
        </p>
      )}

      <h2 className="st-h2">{t('stocktake.uncounted', { count: review.uncountedCount })}</h2>
      {counting && (
        <fieldset className="st-policy">
          <legend>{t('stocktake.uncountedPolicy')}</legend>
          {(['leave', 'zero'] as const).map((p) => (
            <label key={p} className="st-choice">
              <input type="radio" name="uncounted" checked={st.uncounted === p} onChange={() => setPolicy(p)} />
              <span>{t(`stocktake.policies.${p}`)}</span>
            </label>
          ))}
        </fieldset>
      )}
      {!counting && <p className="muted">{t(`stocktake.policySentence.${st.uncounted}`)}</p>}
      {review.uncounted.length > 0 && (
        <table className="st-table" aria-label={t('stocktake.uncountedLabel')}>
          <thead>
            <tr>
              <th scope="col">{t('stocktake.product')}</th>
              <th scope="col" className="num">
                {t('stocktake.onHand')}
              </th>
              <th scope="col" className="num">
                {t('stocktake.stockValue')}
              </th>
              {counting && (
                <th scope="col">
                  <span className="visually-hidden">{t('stocktake.actions')}</span>
                </th>
              )}
            </tr>
          </thead>
          <tbody>
            {review.uncounted.map((item) => (
              <tr key={item.productId} className={item.excluded ? 'st-out' : undefined}>
                <td>
                  <span className="st-name">{item.name}</span>
                  <span className="muted st-sku">{item.sku}</span>
                  {item.excluded && <span className="note">{t('stocktake.flags.excluded')}</span>}
                </td>
                <td className="num">{quantityText(item.onHand, item.unit)}</td>
                <td className="num">{item.unitCost === null ? '—' : money(item.value)}</td>
                {counting && (
                  <td className="st-actions-td">
                    <div className="st-row-actions">
                      <button
                        type="button"
                        onClick={() =>
                          void act(() => call('stocktake.count', { stocktakeId: id, productId: item.productId, quantity: 0 }))
                        }
                      >
                        {t('stocktake.countZero')}
                      </button>
                      <button
                        type="button"
                        aria-pressed={item.excluded}
                        onClick={() =>
                          void act(() =>
                            call('stocktake.exclude', { stocktakeId: id, productId: item.productId, excluded: !item.excluded }),
                          )
                        }
                      >
                        {t('stocktake.exclude')}
                      </button>
                    </div>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}

      {pending === 'apply' && (
        <ConfirmDialog
          title={t('stocktake.applyTitle')}
          confirm={t('stocktake.apply')}
          onConfirm={() => void finish('apply')}
          onClose={() => setPending(null)}
        >
          <p>{t('stocktake.applyExplain', { count: totals.lines })}</p>
          <p className="strong">
            {t('stocktake.applyValue', { value: signedMoney(totals.valueNet), units: signedQuantity(totals.unitsNet, 'each') })}
          </p>
        </ConfirmDialog>
      )}
      {pending === 'cancel' && (
        <ConfirmDialog
          title={t('stocktake.cancelTitle')}
          confirm={t('stocktake.cancelCount')}
          danger
          onConfirm={() => void finish('cancel')}
          onClose={() => setPending(null)}
        >
          <p>{t('stocktake.cancelExplain')}</p>
        </ConfirmDialog>
      )}
      {pending !== null && typeof pending === 'object' && (
        <RecountDialog
          stocktakeId={id}
          product={pending.recount}
          onClose={() => setPending(null)}
          onDone={() => {
            setPending(null);
            void load();
          }}
        />
      )}
      {needsManager && (
        <ManagerOverride
          permission="apply_stocktake"
          onApproved={(override) => void finish(needsManager, override)}
          onCancel={() => setNeedsManager(null)}
        />
      )}
    </section>
  );
}
