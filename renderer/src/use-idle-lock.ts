import { useEffect } from 'react';
import { bridge } from './bridge.ts';
import { useSession } from './session.ts';

/**
 * Locks the till after the shop's idle time without input. Input is reported to the store
 * at most every 15 s (staff.touch), which applies the same rule, so both sides agree.
 */
export function useIdleLock(): void {
  const seconds = useSession((s) => s.settings?.idleLockSeconds ?? 0);
  const lock = useSession((s) => s.lock);
  useEffect(() => {
    if (seconds === 0) return;
    let last = Date.now();
    let reported = 0;
    const activity = () => {
      last = Date.now();
      if (last - reported > 15_000) {
        reported = last;
        void bridge.call('staff.touch', {});
      }
    };
    const timer = setInterval(() => {
      if (Date.now() - last > seconds * 1000) void lock();
    }, 1000);
    for (const type of ['keydown', 'pointerdown'] as const) window.addEventListener(type, activity, true);
    return () => {
      clearInterval(timer);
      for (const type of ['keydown', 'pointerdown'] as const) window.removeEventListener(type, activity, true);
    };
  }, [seconds, lock]);
}
