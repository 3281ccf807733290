import { TillError } from '../shared/errors.ts';
import { buildReceipt, type PrintResult, type receiptOperations } from '../shared/receipt.ts';
import { writeAudit } from './audit.ts';
import type { HandlersFor } from './dispatch.ts';
import { drawerJob, receiptJob, send, testJob } from './escpos.ts';
import { loadOrder } from './order-read.ts';
import { prepared } from './sql.ts';
import { requireStaff } from './staff-access.ts';
import type { Till } from './till.ts';

/** How long after its reason the drawer may still be opened. */
const drawerWindowMs = 2 * 60_000;

/** The reason each till's drawer last opened for: one reason, one opening. */
const lastOpenedFor = new WeakMap<Till, string>();

interface DrawerReason {
  /** Sale, refund or void time, or cash movement time. */
  at: string;
  orderId: string | null;
  key: string;
}

/**
 * Why the drawer may open now: the latest cash sale, cash refund or void, or cash in/out or
 * no-sale (already permissioned and audited by shift.noSale) of the open shift, if it
 * happened a moment ago and has not opened the drawer yet. Nothing else opens it.
 */
function drawerReason(till: Till): DrawerReason | null {
  const shift = prepared(till.db, 'SELECT id FROM shift WHERE closed_at IS NULL').get() as { id: string } | undefined;
  if (!shift) return null;
  const order = prepared(
    till.db,
    `SELECT id, coalesce(voided_at, completed_at) AS at FROM orders o
     WHERE o.shift_id = ? AND o.completed_at IS NOT NULL
       AND EXISTS (SELECT 1 FROM tender t WHERE t.order_id = o.id AND t.kind = 'cash')
     ORDER BY at DESC LIMIT 1`,
  ).get(shift.id) as { id: string; at: string } | undefined;
  const movement = prepared(till.db, 'SELECT id, at FROM cash_movement WHERE shift_id = ? ORDER BY at DESC LIMIT 1').get(
    shift.id,
  ) as { id: string; at: string } | undefined;
  const latest =
    movement && (!order || movement.at > order.at)
      ? { at: movement.at, orderId: null, key: `movement:${movement.id}` }
      : order
        ? { at: order.at, orderId: order.id, key: `order:${order.id}:${order.at}` }
        : null;
  if (!latest || till.now().getTime() - Date.parse(latest.at) > drawerWindowMs) return null;
  return lastOpenedFor.get(till) === latest.key ? null : latest;
}

export function receiptHandlers(till: Till): HandlersFor<typeof receiptOperations> {
  return {
    'receipt.get': ({ orderId, copy }) => {
      requireStaff(till);
      return buildReceipt(loadOrder(till, orderId), till.settings(), { copy: copy ?? false });
    },
    'receipt.print': async ({ orderId, copy }): Promise<PrintResult> => {
      const staff = requireStaff(till);
      const settings = till.settings();
      const receipt = buildReceipt(loadOrder(till, orderId), settings, { copy: copy ?? false });
      // A second copy of a receipt is how a fake return starts: each one that leaves the till is
      // on record (after the printer took it, so a refused print leaves the store as it was).
      const recordCopy = () => {
        if (receipt.copy) {
          till.db.transaction(() => writeAudit(till, { staffId: staff.id, action: 'receipt.copy', subject: orderId }))();
        }
      };
      const { printer } = settings;
      if (printer.kind === 'system') {
        recordCopy(); // the page prints it now
        return { printed: false, fallback: 'browser' };
      }
      // The original receipt of the cash sale just taken opens the drawer with it (once).
      const reason = receipt.copy ? null : drawerReason(till);
      const kickDrawer = reason !== null && reason.orderId === orderId;
      await send(receiptJob(receipt, printer, { kickDrawer }), printer);
      recordCopy();
      if (kickDrawer) lastOpenedFor.set(till, reason.key);
      return { printed: true };
    },
    'printer.kickDrawer': async () => {
      requireStaff(till);
      const { printer } = till.settings();
      if (printer.kind !== 'escpos') return { opened: false };
      const reason = drawerReason(till);
      if (!reason) {
        throw new TillError(
          'rejected',
          'drawer_needs_reason',
          'The drawer opens after a cash sale, a cash refund or a no-sale; use No sale to open it now',
        );
      }
      await send(drawerJob(printer), printer);
      lastOpenedFor.set(till, reason.key);
      return { opened: true };
    },
    'printer.test': async (): Promise<PrintResult> => {
      requireStaff(till);
      const { printer, shopName } = till.settings();
      if (printer.kind === 'system') return { printed: false, fallback: 'browser' };
      await send(testJob(printer, shopName), printer);
      return { printed: true };
    },
  };
}
