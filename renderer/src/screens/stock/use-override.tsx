import { type ReactNode, useState } from 'react';
import type { Result } from '../../../../shared/errors.ts';
import type { Override, Permission } from '../../../../shared/staff.ts';
import { ManagerOverride } from '../../components/ManagerOverride.tsx';

/**
 * The manager-approval flow for one action: try it as the signed-in staff member; if the
 * store answers `needs_manager`, a manager picks their name and PIN, and the same action
 * runs again with their override. `dialog` must be rendered by the caller.
 */
export function useOverride(): {
  run<T>(permission: Permission, attempt: (override?: Override) => Promise<Result<T>>): Promise<Result<T> | null>;
  dialog: ReactNode;
} {
  const [pending, setPending] = useState<{
    permission: Permission;
    approve: (override: Override) => void;
    cancel: () => void;
  } | null>(null);

  async function run<T>(permission: Permission, attempt: (override?: Override) => Promise<Result<T>>) {
    const first = await attempt();
    if (first.ok || first.error.reason !== 'needs_manager') return first;
    return new Promise<Result<T> | null>((resolve) => {
      setPending({
        permission,
        approve: (override) => {
          setPending(null);
          void attempt(override).then(resolve);
        },
        cancel: () => {
          setPending(null);
          resolve(null);
        },
      });
    });
  }

  const dialog = pending ? (
    <ManagerOverride permission={pending.permission} onApproved={pending.approve} onCancel={pending.cancel} />
  ) : null;
  return { run, dialog };
}
