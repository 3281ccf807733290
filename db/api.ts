import { appHandlers, type Runtime } from './app.ts';
import { backupHandlers } from './backup.ts';
import { catalogHandlers } from './catalog.ts';
import { customerHandlers } from './customer.ts';
import { diagnosticsHandlers } from './diagnostics.ts';
import { type Api, type ApiOptions, createApi, type Handlers } from './dispatch.ts';
import { orderHistoryHandlers } from './order-history.ts';
import { receiptHandlers } from './receipt.ts';
import { reportHandlers } from './reports.ts';
import { saleHandlers } from './sale.ts';
import { settingsHandlers } from './settings.ts';
import { setupHandlers } from './setup.ts';
import { shiftHandlers } from './shift.ts';
import { staffHandlers } from './staff.ts';
import { checkAccess } from './staff-access.ts';
import { stockHandlers } from './stock.ts';
import { stockListHandlers } from './stock-list.ts';
import { stocktakeHandlers } from './stocktake.ts';
import { syncHandlers } from './sync.ts';
import type { Till } from './till.ts';
import { updateHandlers } from './update.ts';

export interface TillApiOptions extends ApiOptions {
  /** Handlers the host replaces, given the defaults (Electron prints receipts to system printers itself). */
  overrides?: (defaults: Handlers, till: Till) => Partial<Handlers>;
}

/** Every handler of the contract, over one open till. */
export function createTillApi(till: Till, runtime: Runtime, options?: TillApiOptions): Api {
  const { overrides, ...apiOptions } = options ?? {};
  const handlers: Handlers = {
    ...appHandlers(till, runtime),
    ...settingsHandlers(till),
    ...setupHandlers(till),
    ...catalogHandlers(till),
    ...staffHandlers(till),
    ...shiftHandlers(till),
    ...saleHandlers(till),
    ...stockHandlers(till),
    ...stockListHandlers(till),
    ...reportHandlers(till),
    ...stocktakeHandlers(till),
    ...backupHandlers(till),
    ...customerHandlers(till),
    ...orderHistoryHandlers(till),
    ...receiptHandlers(till),
    ...syncHandlers(till),
    ...diagnosticsHandlers(till, runtime),
    ...updateHandlers(runtime),
  };
  return createApi({ ...handlers, ...overrides?.(handlers, till) }, till.events, {
    ...apiOptions,
    checkAccess: (access) => checkAccess(till, access),
  });
}
