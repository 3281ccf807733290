import { useTranslation } from 'react-i18next';
import type { ApiError } from '../../../../shared/errors.ts';
import { TillError } from '../../../../shared/errors.ts';
import { useSession } from '../../session.ts';

/** Typed units → thousandths, exactly: "2.5" → 2500; items sold each take whole units only. */
export function parseUnits(text: string, unit: 'each' | 'weight'): number | null {
  const match = /^(\d{1,9})(?:[.,](\d{0,3}))?$/.exec(text.trim());
  if (!match) return null;
  const value = Number(match[1]) * 1000 + Number((match[2] ?? '').padEnd(3, '0'));
  if (unit === 'each' && value % 1000 !== 0) return null;
  return value;
}

/** Thousandths as typed back: 2500 → "2.5". */
export function unitsText(value: number): string {
  const sign = value < 0 ? '-' : '';
  const abs = Math.abs(value);
  const fraction = String(abs % 1000)
    .padStart(3, '0')
    .replace(/0+$/, '');
  return `${sign}${Math.trunc(abs / 1000)}${fraction ? `.${fraction}` : ''}`;
}

/** A stock figure for people: "12", "−3", "1.250 kg" (a real minus sign). */
export function stockText(value: number, unit: 'each' | 'weight'): string {
  const text = unit === 'weight' ? `${(Math.abs(value) / 1000).toFixed(3)} kg` : String(Math.abs(value) / 1000);
  return value < 0 ? `−${text}` : text;
}

/** A signed movement: "+24", "−2". */
export function signedText(value: number, unit: 'each' | 'weight'): string {
  return value > 0 ? `+${stockText(value, unit)}` : stockText(value, unit);
}

/** Turns a thrown TillError (money parsing) into the ApiError the error line shows. */
export function asApiError(error: unknown): ApiError {
  if (error instanceof TillError) return error.toApiError();
  return { code: 'invalid_input', reason: 'invalid_input', message: String(error) };
}

/** The error shown when a quantity cannot be read. */
export const badQuantity: ApiError = { code: 'invalid_input', reason: 'bad_quantity', message: 'Enter a quantity' };

/** Dates in the reader's language: zh-CN for Chinese screens, the shop's locale for English ones. */
export function useWhen(): (iso: string) => string {
  const { i18n } = useTranslation();
  const locale = useSession((s) => s.settings?.locale ?? 'en-IE');
  const tag = i18n.language === 'zh-CN' ? 'zh-CN' : locale;
  return (iso) => new Date(iso).toLocaleString(tag, { dateStyle: 'short', timeStyle: 'short' });
}

/** Saves text as a file the browser (or Electron's download handler) offers to keep. */
export function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
