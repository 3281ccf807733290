import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import type { AuditRecord } from '../../../../shared/staff.ts';
import { useMoney } from '../../format.ts';
import { useDateTime } from './use-date-time.ts';

/** Keys whose values are money (minor units) in the entries the till writes. */
const moneyKeys = new Set(['total', 'amount', 'discount', 'unitPrice']);
/** Ids and times say nothing to a reader here: the row already has the when and the who. */
const hiddenKeys = new Set(['note', 'at', 'line']);

/** The entry's own facts (reason, refund number, carrier…) as short "key: value" pairs in the reader's language. */
function details(entry: AuditRecord, t: TFunction, money: (minor: number) => string): string {
  const after = entry.after;
  if (typeof after !== 'object' || after === null) return '';
  return Object.entries(after as Record<string, unknown>)
    .filter(([k, v]) => !hiddenKeys.has(k) && (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'))
    .map(([k, v]) => {
      let value = String(v);
      if (moneyKeys.has(k) && typeof v === 'number') value = money(v);
      else if (k === 'state')
        value = t(`orders.fulfilment.states.${value}`, { defaultValue: t(`orders.states.${value}`, { defaultValue: value }) });
      else if (k === 'category') value = t(`notes.categories.${value}`, { defaultValue: value });
      return `${t(`orders.audit.keys.${k}`, { defaultValue: k })}: ${value}`;
    })
    .join(' · ');
}

/** Who did what to this order and the orders linked to it, oldest first. */
export function AuditTrail({ entries }: { entries: AuditRecord[] }) {
  const { t } = useTranslation();
  const money = useMoney();
  const { dateTime } = useDateTime();
  return (
    <section className="panel detail-section" aria-labelledby="audit-title">
      <h2 id="audit-title">{t('orders.audit.title')}</h2>
      {entries.length === 0 ? (
        <p className="muted">{t('orders.audit.none')}</p>
      ) : (
        <table className="lines audit">
          <thead>
            <tr>
              <th>{t('orders.audit.when')}</th>
              <th>{t('orders.audit.what')}</th>
              <th>{t('orders.audit.who')}</th>
              <th>{t('orders.audit.details')}</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.id}>
                <td className="nowrap">{dateTime(e.at)}</td>
                <td className="nowrap">{t(`orders.audit.actions.${e.action}`, { defaultValue: e.action })}</td>
                <td className="nowrap">
                  {e.staff?.name ?? '—'}
                  {e.approvedBy && <div className="muted">{t('orders.audit.approvedBy', { name: e.approvedBy.name })}</div>}
                </td>
                <td className="muted">{details(e, t, money)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
