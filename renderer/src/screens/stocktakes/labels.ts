import { useTranslation } from 'react-i18next';
import type { Unit } from '../../../../shared/catalog.ts';
import type { Stocktake } from '../../../../shared/stocktake.ts';
import { useMoney } from '../../format.ts';

/** What a count covers, in words: "Everything", "Category: Dairy", "12 chosen products". */
export function useScopeLabel(): (st: Stocktake) => string {
  const { t } = useTranslation();
  return (st) => {
    if (st.scope === 'category') return t('stocktake.scopes.category', { name: st.categoryName ?? '' });
    if (st.scope === 'products') return t('stocktake.scopes.products', { count: st.items });
    return t('stocktake.scopes.all');
  };
}

/** The name a count goes by: its own, or what it covers. */
export function useStocktakeTitle(): (st: Stocktake) => string {
  const scope = useScopeLabel();
  return (st) => st.name || scope(st);
}

/** A quantity in thousandths for people: "12", "0.375 kg". */
export function quantityText(thousandths: number, unit: Unit): string {
  const units = (thousandths / 1000).toLocaleString(undefined, { maximumFractionDigits: 3 });
  return unit === 'weight' ? `${units} kg` : units;
}

/** A variance with its sign, the minus a real minus: "+2", "−0.5 kg", "0". */
export function signedQuantity(thousandths: number, unit: Unit): string {
  const text = quantityText(Math.abs(thousandths), unit);
  if (thousandths > 0) return `+${text}`;
  return thousandths < 0 ? `−${text}` : text;
}

/** Date and time to the second in the screen's language: a line's variance depends on when it was counted. */
export function useDateTime(): (iso: string | null) => string {
  const { i18n } = useTranslation();
  return (iso) => (iso ? new Date(iso).toLocaleString(i18n.language, { dateStyle: 'short', timeStyle: 'medium' }) : '');
}

/** Money with its sign, the minus a real minus like the quantities': "+€4.00", "−€81.60". */
export function useSignedMoney(): (minor: number) => string {
  const money = useMoney();
  return (minor) => (minor > 0 ? `+${money(minor)}` : minor < 0 ? `−${money(-minor)}` : money(0));
}

/** A location's name; the shop floor every till has is named in the screen's language. */
export function useLocationName(): (st: Pick<Stocktake, 'locationId' | 'locationName'>) => string {
  const { t } = useTranslation();
  return (st) => (st.locationId === 'shop' ? t('stocktake.shopFloor') : st.locationName);
}
