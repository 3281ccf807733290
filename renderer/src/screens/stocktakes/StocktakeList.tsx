import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ApiError } from '../../../../shared/errors.ts';
import type { Stocktake } from '../../../../shared/stocktake.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { call } from '../../session.ts';
import { useDateTime, useLocationName, useScopeLabel } from './labels.ts';
import { useStocktakeView } from './view-store.ts';

/** Every count, newest first: open ones to continue or review, applied ones to report on. */
export function StocktakeList() {
  const { t } = useTranslation();
  const show = useStocktakeView((s) => s.show);
  const scope = useScopeLabel();
  const when = useDateTime();
  const place = useLocationName();
  const [list, setList] = useState<Stocktake[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);

  useEffect(() => {
    void call('stocktake.list', {}).then((r) => (r.ok ? setList(r.value) : setError(r.error)));
  }, []);

  useEffect(() => {
    const listen = (event: KeyboardEvent) => {
      if (event.key !== 'F2') return;
      event.preventDefault();
      show({ kind: 'new' });
    };
    window.addEventListener('keydown', listen);
    return () => window.removeEventListener('keydown', listen);
  }, [show]);

  return (
    <section className="screen stocktakes" aria-labelledby="stocktakes-title">
      <div className="st-head">
        <h1 id="stocktakes-title">{t('stocktake.title')}</h1>
        <button type="button" className="primary big" onClick={() => show({ kind: 'new' })}>
          {t('stocktake.newCount')} <kbd>F2</kbd>
        </button>
      </div>
      <p className="muted st-intro">{t('stocktake.intro')}</p>
      <ErrorMessage error={error} />
      {list?.length === 0 && <p className="st-empty">{t('stocktake.none')}</p>}
      {list && list.length > 0 && (
        <table className="st-table" aria-label={t('stocktake.list')}>
          <thead>
            <tr>
              <th scope="col">{t('stocktake.count')}</th>
              <th scope="col">{t('stocktake.location')}</th>
              <th scope="col">{t('stocktake.started')}</th>
              <th scope="col" className="num">
                {t('stocktake.progress')}
              </th>
              <th scope="col">{t('stocktake.state')}</th>
              <th scope="col">
                <span className="visually-hidden">{t('stocktake.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.map((st) => (
              <tr key={st.id}>
                <td>
                  <strong>{st.name || scope(st)}</strong>
                  {st.name && <span className="muted st-sub">{scope(st)}</span>}
                </td>
                <td>{place(st)}</td>
                <td>
                  {when(st.startedAt)}
                  {st.startedBy && <span className="muted st-sub">{st.startedBy.name}</span>}
                </td>
                <td className="num">{t('stocktake.progressOf', { counted: st.counted, items: st.items })}</td>
                <td>
                  <span className={`st-state st-${st.state}`}>{t(`stocktake.states.${st.state}`)}</span>
                </td>
                <td className="st-actions-td">
                  <div className="st-row-actions">
                    {st.state === 'counting' && (
                      <>
                        <button type="button" className="primary" onClick={() => show({ kind: 'count', id: st.id })}>
                          {t('stocktake.continue')}
                        </button>
                        <button type="button" onClick={() => show({ kind: 'review', id: st.id })}>
                          {t('stocktake.review')}
                        </button>
                      </>
                    )}
                    {st.state === 'applied' && (
                      <button type="button" onClick={() => show({ kind: 'review', id: st.id })}>
                        {t('stocktake.review')}
                      </button>
                    )}
                    {st.state !== 'counting' && (
                      <button type="button" onClick={() => show({ kind: 'report', id: st.id })}>
                        {t('stocktake.report')}
                      </button>
                    )}
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
