import { appHandlers, type Runtime } from './app.ts';
import { backupHandlers } from './backup.ts';
import { catalogHandlers } from './catalog.ts';
import { type Api, type ApiOptions, createApi } from './dispatch.ts';
import { saleHandlers } from './sale.ts';
import { settingsHandlers } from './settings.ts';
import { setupHandlers } from './setup.ts';
import { shiftHandlers } from './shift.ts';
import { staffHandlers } from './staff.ts';
import { checkAccess } from './staff-access.ts';
import { stockHandlers } from './stock.ts';
import type { Till } from './till.ts';

/** Every handler of the contract, over one open till. */
export function createTillApi(till: Till, runtime: Runtime, options?: ApiOptions): Api {
  return createApi(
    {
      ...appHandlers(till, runtime),
      ...settingsHandlers(till),
      ...setupHandlers(till),
      ...catalogHandlers(till),
      ...staffHandlers(till),
      ...shiftHandlers(till),
      ...saleHandlers(till),
      ...stockHandlers(till),
      ...backupHandlers(till),
    },
    till.events,
    { ...options, checkAccess: (access) => checkAccess(till, access) },
  );
}
