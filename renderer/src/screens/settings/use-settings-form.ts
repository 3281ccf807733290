import { useState } from 'react';
import type { ApiError } from '../../../../shared/errors.ts';
import type { TillSettings } from '../../../../shared/settings.ts';
import { call, useSession } from '../../session.ts';

/** Saves part of the till's settings and refreshes the session's copy; one error and "saved" flag per form. */
export function useSettingsForm() {
  const refresh = useSession((s) => s.refresh);
  const [error, setError] = useState<ApiError | null>(null);
  const [saved, setSaved] = useState(false);
  async function save(changes: Partial<TillSettings>): Promise<boolean> {
    setSaved(false);
    const result = await call('settings.update', changes);
    if (!result.ok) {
      setError(result.error);
      return false;
    }
    setError(null);
    setSaved(true);
    await refresh();
    return true;
  }
  return { save, error, saved };
}
