import { TillError } from '../shared/errors.ts';
import { quietUpdateStatus, type updateOperations } from '../shared/update.ts';
import type { Runtime } from './app.ts';
import type { HandlersFor } from './dispatch.ts';
import { prepared } from './sql.ts';
import type { Till } from './till.ts';

/**
 * Is a sale being rung up at this till? An open order with lines is one; a parked sale is not
 * (it lives in the store and comes back after a restart), nor is an empty open order.
 */
export function saleInProgress(till: Till): boolean {
  return (
    prepared(
      till.db,
      `SELECT 1 FROM orders o WHERE o.state = 'open' AND EXISTS (SELECT 1 FROM order_line l WHERE l.order_id = o.id) LIMIT 1`,
    ).get() !== undefined
  );
}

/** Without the desktop app (browser mode, tests) nothing updates itself: the defaults say so. */
export function updateHandlers(runtime: Runtime): HandlersFor<typeof updateOperations> {
  const status = quietUpdateStatus('unsupported', runtime.version);
  const desktopOnly = () => {
    throw new TillError('unavailable', 'updates_desktop_only', 'Updates are installed by the desktop app.');
  };
  return {
    'update.status': () => status,
    'update.check': desktopOnly,
    'update.install': desktopOnly,
  };
}
