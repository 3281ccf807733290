import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type ApiError, TillError } from '../../../../shared/errors.ts';
import { parseMoney } from '../../../../shared/money.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { call, useSession } from '../../session.ts';

/** No shift open: count the float into the drawer and open one before the first sale. */
export function OpenShift({ onOpened }: { onOpened: () => void }) {
  const { t } = useTranslation();
  const currency = useSession((s) => s.settings?.currency ?? 'EUR');
  const [text, setText] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  async function open() {
    try {
      const result = await call('shift.open', { float: parseMoney(text, currency) });
      if (result.ok) onOpened();
      else setError(result.error);
    } catch (e) {
      if (e instanceof TillError) setError(e.toApiError());
      else throw e;
    }
  }
  return (
    <section className="screen open-shift" aria-labelledby="open-shift-title">
      <h1 id="open-shift-title">{t('shift.openTitle')}</h1>
      <p>{t('shift.openExplain')}</p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void open();
        }}
      >
        <div className="field">
          <label htmlFor="float">{t('shift.float')}</label>
          <input
            id="float"
            inputMode="decimal"
            autoComplete="off"
            value={text}
            onChange={(e) => setText(e.target.value)}
            // biome-ignore lint/a11y/noAutofocus: the float is the only input
            autoFocus
          />
        </div>
        <ErrorMessage error={error} />
        <button type="submit" className="primary">
          {t('shift.open')}
        </button>
      </form>
    </section>
  );
}
