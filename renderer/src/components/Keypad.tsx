import { useTranslation } from 'react-i18next';

const keys = ['1', '2', '3', '4', '5', '6', '7', '8', '9', 'clear', '0', 'back'] as const;

/** A touch keypad that types into a string; the physical keyboard works alongside it. */
export function Keypad({
  value,
  onChange,
  maxLength = 12,
}: {
  value: string;
  onChange: (v: string) => void;
  maxLength?: number;
}) {
  const { t } = useTranslation();
  return (
    <div className="keypad">
      {keys.map((k) => (
        <button
          key={k}
          type="button"
          className="key"
          aria-label={k === 'clear' ? t('keypad.clear') : k === 'back' ? t('keypad.back') : k}
          onClick={() => {
            if (k === 'clear') onChange('');
            else if (k === 'back') onChange(value.slice(0, -1));
            else if (value.length < maxLength) onChange(value + k);
          }}
        >
          {k === 'clear' ? 'C' : k === 'back' ? '⌫' : k}
        </button>
      ))}
    </div>
  );
}
