import { formatMoney } from '../../shared/money.ts';
import { useSession } from './session.ts';

/** Money in the shop's currency and locale, e.g. €12.34 or ¥1,200. */
export function useMoney(): (minor: number) => string {
  const settings = useSession((s) => s.settings);
  const currency = settings?.currency ?? 'EUR';
  const locale = settings?.locale ?? 'en-IE';
  return (minor) => formatMoney(minor, currency, locale);
}

/** A line quantity: whole units for each-items, kilograms for weighed goods. */
export function formatQuantity(quantity: number, unit: 'each' | 'weight'): string {
  return unit === 'weight' ? `${(quantity / 1000).toFixed(3)} kg` : String(quantity / 1000);
}
