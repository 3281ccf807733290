import { create } from 'zustand';
import type { ApiError } from '../../shared/errors.ts';
import type { TillSettings } from '../../shared/settings.ts';
import type { StaffMember } from '../../shared/staff.ts';
import { bridge } from './bridge.ts';
import { setLanguage } from './i18n/index.ts';
import { useUi } from './ui-store.ts';

type Status = 'loading' | 'setup' | 'signedOut' | 'signedIn';

interface SessionState {
  status: Status;
  staff: StaffMember | null;
  settings: TillSettings | null;
  /** Re-reads settings and who is signed in (at start, after setup, after an idle lock). */
  refresh(): Promise<void>;
  signIn(staffId: string, pin: string): Promise<ApiError | null>;
  signOut(): Promise<void>;
  lock(): Promise<void>;
  /** Any call that came back `unauthorized` sends the till to the sign-in screen. */
  noteError(error: ApiError): void;
}

export const useSession = create<SessionState>((set, get) => ({
  status: 'loading',
  staff: null,
  settings: null,
  async refresh() {
    const settings = await bridge.call('settings.get', {});
    if (!settings.ok) return;
    setLanguage(settings.value.language);
    if (!settings.value.setupComplete) {
      set({ status: 'setup', settings: settings.value, staff: null });
      return;
    }
    const current = await bridge.call('staff.current', {});
    const staff = current.ok ? current.value : null;
    set({ settings: settings.value, staff, status: staff ? 'signedIn' : 'signedOut' });
  },
  async signIn(staffId, pin) {
    const result = await bridge.call('staff.signIn', { staffId, pin });
    if (!result.ok) return result.error;
    // Whoever signs in starts at the till, not on the last person's back-office screen.
    useUi.getState().go('till');
    set({ staff: result.value, status: 'signedIn' });
    return null;
  },
  async signOut() {
    await bridge.call('staff.signOut', {});
    set({ staff: null, status: 'signedOut' });
  },
  async lock() {
    await bridge.call('staff.lock', {});
    set({ staff: null, status: 'signedOut' });
  },
  noteError(error) {
    if (error.code === 'unauthorized' && get().status === 'signedIn') set({ staff: null, status: 'signedOut' });
  },
}));

/** Calls an operation; an `unauthorized` answer (idle lock, signed out elsewhere) locks the screen. */
export const call: typeof bridge.call = async (name, input) => {
  const result = await bridge.call(name, input);
  if (!result.ok) useSession.getState().noteError(result.error);
  return result;
};
