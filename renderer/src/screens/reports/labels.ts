import { useTranslation } from 'react-i18next';
import { minorDigits } from '../../../../shared/money.ts';
import { useSession } from '../../session.ts';

/** The reader's language tag for dates and numbers: zh-CN for Chinese, the shop's locale otherwise. */
export function useTag(): string {
  const { i18n } = useTranslation();
  const locale = useSession((s) => s.settings?.locale ?? 'en-IE');
  return i18n.language === 'zh-CN' ? 'zh-CN' : locale;
}

/** Short labels for charts: a day ("Mon 4"), a weekday (ISO 1–7), an hour ("09:00"), money in compact form (€1.2K). */
export function useChartLabels() {
  const tag = useTag();
  const currency = useSession((s) => s.settings?.currency ?? 'EUR');
  const digits = minorDigits(currency);
  const compact = new Intl.NumberFormat(tag, { style: 'currency', currency, notation: 'compact', maximumFractionDigits: 1 });
  const dayLabel = new Intl.DateTimeFormat(tag, { timeZone: 'UTC', weekday: 'short', day: 'numeric' });
  const monthDay = new Intl.DateTimeFormat(tag, { timeZone: 'UTC', month: 'short', day: 'numeric' });
  const weekday = new Intl.DateTimeFormat(tag, { timeZone: 'UTC', weekday: 'short' });
  return {
    day: (day: string, many: boolean) => (many ? monthDay : dayLabel).format(new Date(`${day}T00:00:00Z`)),
    /** 2024-01-01 was a Monday. */
    weekday: (iso: number) => weekday.format(new Date(Date.UTC(2024, 0, iso))),
    hour: (hour: number) => `${String(hour).padStart(2, '0')}:00`,
    compactMoney: (minor: number) => compact.format(minor / 10 ** digits),
  };
}

/** Basis points as a percentage for people: 2291 → "22.9%". */
export function usePercent(): (bp: number | null) => string {
  const tag = useTag();
  const format = new Intl.NumberFormat(tag, { style: 'percent', maximumFractionDigits: 1 });
  return (bp) => (bp === null ? '—' : format.format(bp / 10_000));
}

/** Thousandths of a unit: "12", "1.5". */
export function unitsLabel(value: number): string {
  return String(Math.round(value) / 1000);
}
