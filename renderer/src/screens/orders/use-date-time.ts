import { useTranslation } from 'react-i18next';
import { useSession } from '../../session.ts';

/**
 * Dates and times as the reader expects them: Chinese screens in zh-CN, English ones in
 * the shop's own locale (en-IE writes 03/05/2025, en-US 5/3/2025).
 */
export function useDateTime(): { dateTime(iso: string): string; date(iso: string): string; short(iso: string): string } {
  const { i18n } = useTranslation();
  const locale = useSession((s) => s.settings?.locale ?? 'en-IE');
  const tag = i18n.language === 'zh-CN' ? 'zh-CN' : locale;
  return {
    dateTime: (iso) => new Date(iso).toLocaleString(tag, { dateStyle: 'medium', timeStyle: 'short' }),
    date: (iso) => new Date(iso).toLocaleDateString(tag, { dateStyle: 'medium' }),
    /** For list rows: 21/11/2026, 22:27 or 2026/11/21 22:27. */
    short: (iso) => new Date(iso).toLocaleString(tag, { dateStyle: 'short', timeStyle: 'short' }),
  };
}

/** A date input's value (YYYY-MM-DD, the reader's own day) → the instant that day starts. */
export function startOfDay(value: string): string | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return undefined;
  return new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3])).toISOString();
}

/** The instant the day after `value` starts: "to 5 May" includes all of 5 May. */
export function endOfDay(value: string): string | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return undefined;
  return new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]) + 1).toISOString();
}
