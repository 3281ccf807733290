import i18next, { type i18n as I18n } from 'i18next';
import { initReactI18next } from 'react-i18next';
import type { ApiError } from '../../../shared/errors.ts';
import type { Language } from '../../../shared/settings.ts';
import { en } from './en.ts';
import { zhCN } from './zh-CN.ts';

export const i18n: I18n = i18next.createInstance();

void i18n.use(initReactI18next).init({
  resources: { en: { translation: en }, 'zh-CN': { translation: zhCN } },
  lng: 'en',
  fallbackLng: 'en',
  interpolation: { escapeValue: false }, // React escapes
  initAsync: false,
});

export function setLanguage(language: Language): void {
  void i18n.changeLanguage(language);
  document.documentElement.lang = language;
}

/** Error params that are money (minor units), shown in the shop's currency. */
const moneyParams = new Set(['short', 'max', 'amount']);

/** An error from the store, in the chosen language: its specific reason, else its code. */
export function errorText(error: ApiError, money?: (minor: number) => string): string {
  const details = error.issues?.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ') ?? '';
  const params: Record<string, string | number> = { ...error.params, details };
  if (money) for (const key of moneyParams) if (typeof params[key] === 'number') params[key] = money(params[key]);
  for (const key of [error.reason, error.code]) {
    if (i18n.exists(`errors.${key}`)) return i18n.t(`errors.${key}`, params);
  }
  return error.message;
}
