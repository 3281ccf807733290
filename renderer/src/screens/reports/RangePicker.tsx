import { useTranslation } from 'react-i18next';
import { addDays } from '../../../../shared/reports.ts';
import { today, useReports } from './reports-store.ts';

const presets = ['today', 'yesterday', 'last7', 'last30', 'thisMonth', 'lastMonth'] as const;

function presetRange(preset: (typeof presets)[number]): [string, string] {
  const now = today();
  const monthStart = `${now.slice(0, 8)}01`;
  switch (preset) {
    case 'today':
      return [now, now];
    case 'yesterday':
      return [addDays(now, -1), addDays(now, -1)];
    case 'last7':
      return [addDays(now, -6), now];
    case 'last30':
      return [addDays(now, -29), now];
    case 'thisMonth':
      return [monthStart, now];
    case 'lastMonth': {
      const end = addDays(monthStart, -1);
      return [`${end.slice(0, 8)}01`, end];
    }
  }
}

const earlier = (a: string, b: string) => (a.localeCompare(b) <= 0 ? a : b);
const later = (a: string, b: string) => (a.localeCompare(b) >= 0 ? a : b);

/** From and to (the shop's days, both included), or one of the usual ranges in one press. */
export function RangePicker() {
  const { t } = useTranslation();
  const { from, to, setRange } = useReports();
  return (
    <div className="rp-range">
      <fieldset className="rp-presets">
        <legend className="visually-hidden">{t('reportsDesk.presetsLabel')}</legend>
        {presets.map((p) => {
          const [a, b] = presetRange(p);
          return (
            <button key={p} type="button" aria-pressed={a === from && b === to} onClick={() => setRange(a, b)}>
              {t(`reportsDesk.presets.${p}`)}
            </button>
          );
        })}
      </fieldset>
      <div className="rp-dates">
        <label htmlFor="rp-from">{t('reportsDesk.from')}</label>
        <input
          id="rp-from"
          type="date"
          value={from}
          max={to}
          onChange={(e) => e.target.value && setRange(e.target.value, later(to, e.target.value))}
        />
        <label htmlFor="rp-to">{t('reportsDesk.to')}</label>
        <input
          id="rp-to"
          type="date"
          value={to}
          min={from}
          onChange={(e) => e.target.value && setRange(earlier(from, e.target.value), e.target.value)}
        />
      </div>
    </div>
  );
}
