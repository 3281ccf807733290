import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ApiError } from '../../../../shared/errors.ts';
import type { StaffMember } from '../../../../shared/staff.ts';
import { bridge } from '../../bridge.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { Keypad } from '../../components/Keypad.tsx';
import { useSession } from '../../session.ts';

/** Who is at the till: tap your name, enter your PIN (keypad or keyboard). */
export function SignInScreen() {
  const { t } = useTranslation();
  const signIn = useSession((s) => s.signIn);
  const shopName = useSession((s) => s.settings?.shopName);
  const [staff, setStaff] = useState<StaffMember[]>([]);
  const [chosen, setChosen] = useState<StaffMember | null>(null);
  const [pin, setPin] = useState('');
  const [error, setError] = useState<ApiError | null>(null);

  useEffect(() => {
    void bridge.call('staff.list', {}).then((r) => r.ok && setStaff(r.value));
  }, []);

  async function submit() {
    if (!chosen) return;
    const failure = await signIn(chosen.id, pin);
    setPin('');
    setError(failure);
  }

  return (
    <main className="signin">
      <h1>{shopName}</h1>
      <h2>{t('signin.who')}</h2>
      <div className="staff-tiles">
        {staff.map((s) => (
          <button
            key={s.id}
            type="button"
            className="tile"
            aria-pressed={chosen?.id === s.id}
            onClick={() => {
              setChosen(s);
              setError(null);
            }}
          >
            <span className="tile-name">{s.name}</span>
            <span className="tile-role">{t(`roles.${s.role}`)}</span>
          </button>
        ))}
      </div>
      {chosen && (
        <form
          className="pin-form"
          onSubmit={(e) => {
            e.preventDefault();
            void submit();
          }}
        >
          <label htmlFor="pin">{t('signin.pinFor', { name: chosen.name })}</label>
          <input
            id="pin"
            type="password"
            inputMode="numeric"
            autoComplete="off"
            value={pin}
            onChange={(e) => setPin(e.target.value.replace(/\D/g, ''))}
            // biome-ignore lint/a11y/noAutofocus: the PIN is the only thing to type on this screen
            autoFocus
          />
          <Keypad value={pin} onChange={setPin} maxLength={8} />
          <ErrorMessage error={error} />
          <button type="submit" className="primary" disabled={pin.length < 4}>
            {t('signin.signIn')}
          </button>
        </form>
      )}
    </main>
  );
}
