import { useTranslation } from 'react-i18next';
import { type Language, languages } from '../../../shared/settings.ts';

/** The language menu, labelled in the language on screen (setup, recovery, settings). */
export function LanguagePicker({
  id,
  value,
  onChange,
  className = 'field inline',
  children,
}: {
  id: string;
  value: string;
  onChange: (language: Language) => void;
  className?: string;
  children?: React.ReactNode;
}) {
  const { t } = useTranslation();
  return (
    <div className={className}>
      <label htmlFor={id}>{t('settings.language')}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value as Language)}>
        {languages.map((l) => (
          <option key={l} value={l}>
            {t(`languages.${l}`)}
          </option>
        ))}
      </select>
      {children}
    </div>
  );
}
