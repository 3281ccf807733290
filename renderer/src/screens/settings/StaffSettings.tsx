import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ApiError } from '../../../../shared/errors.ts';
import { type Role, roles, type StaffMember } from '../../../../shared/staff.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { call } from '../../session.ts';

/** Who works here: add staff with a role and PIN, change a role, deactivate, reset a PIN. */
export function StaffSettings() {
  const { t } = useTranslation();
  const [staff, setStaff] = useState<StaffMember[]>([]);
  const [editing, setEditing] = useState<StaffMember | null>(null);
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('cashier');
  const [active, setActive] = useState(true);
  const [pin, setPin] = useState('');
  const [error, setError] = useState<ApiError | null>(null);

  const load = () => void call('staff.list', { includeInactive: true }).then((r) => r.ok && setStaff(r.value));
  useEffect(load, []);

  function edit(member: StaffMember | null) {
    setEditing(member);
    setName(member?.name ?? '');
    setRole(member?.role ?? 'cashier');
    setActive(member?.active ?? true);
    setPin('');
    setError(null);
  }

  async function save() {
    const result = await call('staff.save', {
      ...(editing ? { id: editing.id } : {}),
      name,
      role,
      active,
      ...(pin ? { pin } : {}),
    });
    if (!result.ok) return setError(result.error);
    edit(null);
    load();
  }

  return (
    <section className="panel settings-form" aria-labelledby="staff-settings">
      <h2 id="staff-settings">{t('settingsDesk.staff')}</h2>
      <table className="lines" aria-label={t('settingsDesk.staff')}>
        <tbody>
          {staff.map((s) => (
            <tr key={s.id} className={s.active ? undefined : 'muted'}>
              <td>{s.name}</td>
              <td>{t(`roles.${s.role}`)}</td>
              <td>{s.active ? '' : t('settingsDesk.inactive')}</td>
              <td className="num">
                <button type="button" onClick={() => edit(s)}>
                  {t('settingsDesk.edit', { name: s.name })}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <h3>{editing ? t('settingsDesk.editStaff', { name: editing.name }) : t('settingsDesk.addStaff')}</h3>
        <div className="row">
          <div className="field">
            <label htmlFor="st-name">{t('settingsDesk.staffName')}</label>
            <input id="st-name" value={name} onChange={(e) => setName(e.target.value)} maxLength={80} />
          </div>
          <div className="field">
            <label htmlFor="st-role">{t('settingsDesk.role')}</label>
            <select id="st-role" value={role} onChange={(e) => setRole(e.target.value as Role)}>
              {roles.map((r) => (
                <option key={r} value={r}>
                  {t(`roles.${r}`)}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="st-pin">{t(editing ? 'settingsDesk.newPin' : 'settingsDesk.pin')}</label>
            <input
              id="st-pin"
              type="password"
              inputMode="numeric"
              autoComplete="new-password"
              value={pin}
              onChange={(e) => setPin(e.target.value.replace(/\D/g, ''))}
            />
          </div>
        </div>
        {editing && (
          <label className="check">
            <input type="checkbox" checked={active} onChange={(e) => setActive(e.target.checked)} /> {t('settingsDesk.active')}
          </label>
        )}
        <ErrorMessage error={error} />
        <div className="actions">
          {editing && (
            <button type="button" onClick={() => edit(null)}>
              {t('common.cancel')}
            </button>
          )}
          <button type="submit" className="primary" disabled={!name.trim() || (!editing && pin.length < 4)}>
            {t('common.save')}
          </button>
        </div>
      </form>
    </section>
  );
}
