import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ApiError } from '../../../../shared/errors.ts';
import type { StockHistoryEntry } from '../../../../shared/stock-list.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { useMoney } from '../../format.ts';
import { call } from '../../session.ts';
import { signedText, useWhen } from './units.ts';

const pageSize = 30;
const knownReasons = new Set(['damaged', 'theft', 'expired', 'found', 'correction', 'other']);

/** An adjustment's reason is stored as `reason` or `reason: note`: the reason in the reader's language, the note as typed. */
function useReason(): (entry: StockHistoryEntry) => string {
  const { t } = useTranslation();
  return (entry) => {
    if (!entry.reason) return '';
    if (entry.kind === 'adjustment') {
      const [code = '', ...note] = entry.reason.split(': ');
      if (knownReasons.has(code)) return [t(`stockDesk.reasons.${code}`), note.join(': ')].filter(Boolean).join(': ');
    }
    if (entry.kind === 'sale' && entry.reason === 'void') return t('stockDesk.voided');
    if (entry.kind === 'transfer') {
      const [dir, place] = entry.reason.split(' ');
      if ((dir === 'to' || dir === 'from') && place) return t(`stockDesk.transfer.${dir}`, { place });
    }
    return entry.reason;
  };
}

/** Who moved this product's stock, when, why and from which till: newest first, older on request. */
export function MovementHistory({ productId, unit, version }: { productId: string; unit: 'each' | 'weight'; version: number }) {
  const { t } = useTranslation();
  const money = useMoney();
  const when = useWhen();
  const reason = useReason();
  const [entries, setEntries] = useState<StockHistoryEntry[]>([]);
  const [more, setMore] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

  const load = useCallback(
    async (before: string | null) => {
      const result = await call('stockList.history', { productId, limit: pageSize, before });
      if (!result.ok) {
        setError(result.error);
        return;
      }
      setError(null);
      setEntries((old) => (before ? [...old, ...result.value] : result.value));
      setMore(result.value.length === pageSize);
    },
    [productId],
  );

  // biome-ignore lint/correctness/useExhaustiveDependencies: `version` reloads after a change
  useEffect(() => {
    void load(null);
  }, [load, version]);

  return (
    <section className="sk-history" aria-labelledby="sk-history-title">
      <h3 id="sk-history-title">{t('stockDesk.history')}</h3>
      <ErrorMessage error={error} />
      {entries.length === 0 ? (
        <p className="muted">{t('stockDesk.noMovements')}</p>
      ) : (
        <table className="sk-table sk-moves">
          <thead>
            <tr>
              <th>{t('stockDesk.historyColumns.movement')}</th>
              <th className="num">{t('stockDesk.historyColumns.quantity')}</th>
              <th>{t('stockDesk.historyColumns.when')}</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.id} data-kind={e.kind}>
                <td>
                  <strong>{t(`stockDesk.kinds.${e.kind}`)}</strong>
                  {e.locationId !== 'shop' && <span className="muted"> · {e.locationId}</span>}
                  <span className="sk-sub">
                    {reason(e)}
                    {e.orderNumber && ` ${e.orderNumber}`}
                    {e.kind === 'goods_in' && e.unitCost !== null && ` · ${t('stockDesk.atCost', { cost: money(e.unitCost) })}`}
                  </span>
                </td>
                <td className={`num strong${e.quantity < 0 ? ' negative' : ''}`}>{signedText(e.quantity, unit)}</td>
                <td>
                  <span className="nowrap">{when(e.occurredAt)}</span>
                  <span className="sk-sub">
                    {e.staffName ?? '—'}
                    {e.approvedBy && ` (${t('stockDesk.approvedBy', { name: e.approvedBy })})`}
                    {' · '}
                    {e.thisTill ? t('stockDesk.thisTill', { code: e.till }) : e.till}
                  </span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {more && (
        <button type="button" onClick={() => void load(entries.at(-1)?.hlc ?? null)}>
          {t('stockDesk.older')}
        </button>
      )}
    </section>
  );
}
