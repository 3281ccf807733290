import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ApiError } from '../../../shared/errors.ts';
import type { Override, Permission, StaffMember } from '../../../shared/staff.ts';
import { bridge } from '../bridge.ts';
import { Dialog } from './Dialog.tsx';
import { ErrorMessage } from './ErrorMessage.tsx';
import { Keypad } from './Keypad.tsx';

/**
 * A manager allows one restricted action: they pick their name and enter their PIN. The PIN
 * is checked first (staff.checkOverride) and then sent with the action itself.
 */
export function ManagerOverride({
  permission,
  onApproved,
  onCancel,
}: {
  permission: Permission;
  onApproved: (override: Override) => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  const [managers, setManagers] = useState<StaffMember[]>([]);
  const [staffId, setStaffId] = useState('');
  const [pin, setPin] = useState('');
  const [error, setError] = useState<ApiError | null>(null);

  useEffect(() => {
    void bridge.call('staff.list', {}).then((r) => {
      if (!r.ok) return;
      const list = r.value.filter((s) => s.role !== 'cashier');
      setManagers(list);
      setStaffId(list[0]?.id ?? '');
    });
  }, []);

  async function approve() {
    const override = { staffId, pin };
    const result = await bridge.call('staff.checkOverride', { permission, override });
    setPin('');
    if (result.ok) onApproved(override);
    else setError(result.error);
  }

  return (
    <Dialog title={t('override.title')} onClose={onCancel}>
      <p>{t('override.explain', { action: t(`permissions.${permission}`) })}</p>
      <div className="field">
        <label htmlFor="override-manager">{t('override.manager')}</label>
        <select id="override-manager" value={staffId} onChange={(e) => setStaffId(e.target.value)}>
          {managers.map((m) => (
            <option key={m.id} value={m.id}>
              {m.name}
            </option>
          ))}
        </select>
      </div>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void approve();
        }}
      >
        <div className="field">
          <label htmlFor="override-pin">{t('override.pin')}</label>
          <input
            id="override-pin"
            type="password"
            inputMode="numeric"
            autoComplete="off"
            value={pin}
            onChange={(e) => setPin(e.target.value.replace(/\D/g, ''))}
            autoFocus
          />
        </div>
        <Keypad value={pin} onChange={setPin} maxLength={8} />
        <ErrorMessage error={error} />
        <div className="actions">
          <button type="button" onClick={onCancel}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="primary" disabled={!staffId || pin.length < 4}>
            {t('override.approve')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
