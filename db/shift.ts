import Database from 'better-sqlite3';
import { TillError } from '../shared/errors.ts';
import { uuidv7 } from '../shared/ids.ts';
import type { CashMovement, ShiftListEntry, ShiftSummary, shiftOperations } from '../shared/shift.ts';
import { roleAtLeast } from '../shared/staff.ts';
import { writeAudit } from './audit.ts';
import type { HandlersFor } from './dispatch.ts';
import { appendOp } from './outbox.ts';
import { type ShiftRow, shiftReport, shiftRow } from './shift-report.ts';
import { authorize, requireRole, requireStaff } from './staff-access.ts';
import type { Till } from './till.ts';

/** The till's open shift, if any (the unique index shift_one_open allows one). */
export function openShift(till: Till): ShiftRow | undefined {
  return till.db.prepare('SELECT * FROM shift WHERE closed_at IS NULL').get() as ShiftRow | undefined;
}

/** The open shift, or a conflict: cash can only move inside a shift. */
export function requireOpenShift(till: Till): ShiftRow {
  const shift = openShift(till);
  if (!shift) throw new TillError('conflict', 'no_open_shift', 'Open a shift first');
  return shift;
}

function summary(till: Till, shift: ShiftRow): ShiftSummary {
  const report = shiftReport(till, shift.id);
  const blind = shift.blind === 1;
  return {
    id: shift.id,
    openedAt: shift.opened_at,
    openedBy: report.openedBy,
    float: shift.float,
    blind,
    sales: report.sales,
    refunds: report.refunds,
    cashIn: report.cashIn,
    cashOut: report.cashOut,
    noSales: report.noSales,
    expectedCash: blind ? null : report.expectedCash,
  };
}

function recordCash(till: Till, shiftId: string, staffId: string, kind: CashMovement['kind'], amount: number, reason: string) {
  const movement: CashMovement = {
    id: uuidv7(till.now().getTime()),
    shiftId,
    kind,
    amount,
    reason,
    staffId,
    at: till.now().toISOString(),
  };
  till.db
    .prepare('INSERT INTO cash_movement (id, shift_id, kind, amount, reason, staff_id, at) VALUES (?, ?, ?, ?, ?, ?, ?)')
    .run(movement.id, shiftId, kind, amount, reason, staffId, movement.at);
  return movement;
}

interface ShiftListRow extends ShiftRow {
  opener: string | null;
  closer: string | null;
}

export function shiftHandlers(till: Till): HandlersFor<typeof shiftOperations> {
  return {
    'shift.current': () => {
      requireStaff(till);
      const shift = openShift(till);
      return shift ? summary(till, shift) : null;
    },

    'shift.open': ({ float, blind = true }) => {
      const staff = requireStaff(till);
      // Showing expected cash during the shift weakens the count, so only a manager may choose it.
      if (!blind && !roleAtLeast(staff.role, 'manager')) {
        throw new TillError('forbidden', 'needs_role', 'Only a manager may open a shift without a blind count', {
          role: 'manager',
        });
      }
      const id = uuidv7(till.now().getTime());
      const openedAt = till.now().toISOString();
      try {
        till.db.transaction(() => {
          till.db
            .prepare('INSERT INTO shift (id, opened_by, opened_at, float, blind) VALUES (?, ?, ?, ?, ?)')
            .run(id, staff.id, openedAt, float, blind ? 1 : 0);
          writeAudit(till, { staffId: staff.id, action: 'shift.opened', subject: id, after: { float, blind } });
          appendOp(till, 'shift.opened', { shiftId: id, openedBy: staff.id, openedAt, float, blind });
        })();
      } catch (error) {
        if (error instanceof Database.SqliteError && error.code === 'SQLITE_CONSTRAINT_UNIQUE') {
          throw new TillError('conflict', 'shift_already_open', 'A shift is already open on this till');
        }
        throw error;
      }
      return summary(till, requireOpenShift(till));
    },

    'shift.cashMovement': ({ kind, amount, reason }) => {
      const staff = requireStaff(till);
      return till.db.transaction(() => {
        const shift = requireOpenShift(till);
        const movement = recordCash(till, shift.id, staff.id, kind, amount, reason);
        writeAudit(till, {
          staffId: staff.id,
          action: 'shift.cash_movement',
          subject: shift.id,
          after: { kind, amount, reason },
        });
        appendOp(till, 'shift.cash_movement', movement);
        return movement;
      })();
    },

    'shift.noSale': ({ reason, override }) => {
      requireOpenShift(till); // checked first so a manager's PIN is not asked for nothing
      const auth = authorize(till, 'no_sale', override);
      till.db.transaction(() => {
        const shift = requireOpenShift(till);
        const movement = recordCash(till, shift.id, auth.staffId, 'no_sale', 0, reason);
        writeAudit(till, {
          staffId: auth.staffId,
          approvedBy: auth.approvedBy,
          action: 'shift.no_sale',
          subject: shift.id,
          after: { reason },
        });
        appendOp(till, 'shift.no_sale', { ...movement, approvedBy: auth.approvedBy });
      })();
      return { openDrawer: true };
    },

    'shift.close': ({ counted, override }) => {
      requireOpenShift(till);
      const auth = authorize(till, 'close_shift', override);
      return till.db.transaction(() => {
        const shift = requireOpenShift(till);
        const expected = shiftReport(till, shift.id).expectedCash;
        const closedAt = till.now().toISOString();
        till.db
          .prepare('UPDATE shift SET closed_by = ?, closed_at = ?, counted_cash = ?, expected_cash = ? WHERE id = ?')
          .run(auth.staffId, closedAt, counted, expected, shift.id);
        const overShort = counted - expected;
        writeAudit(till, {
          staffId: auth.staffId,
          approvedBy: auth.approvedBy,
          action: 'shift.closed',
          subject: shift.id,
          before: { float: shift.float },
          after: { counted, expected, overShort },
        });
        appendOp(till, 'shift.closed', { shiftId: shift.id, closedBy: auth.staffId, closedAt, counted, expected, overShort });
        return { expected, counted, overShort, zReport: shiftReport(till, shift.id) };
      })();
    },

    'shift.xReport': () => {
      requireRole(till, 'manager');
      return shiftReport(till, requireOpenShift(till).id);
    },

    'shift.zReport': ({ shiftId }) => {
      requireRole(till, 'manager');
      const shift = shiftRow(till, shiftId);
      if (!shift) throw new TillError('not_found', 'unknown_shift', 'No such shift', { shiftId });
      if (!shift.closed_at) throw new TillError('conflict', 'shift_not_closed', 'This shift is still open: print an X report');
      return shiftReport(till, shiftId);
    },

    'shift.list': ({ limit, offset }) => {
      requireRole(till, 'manager');
      const rows = till.db
        .prepare(
          `SELECT s.*, o.name AS opener, c.name AS closer FROM shift s
           JOIN staff o ON o.id = s.opened_by LEFT JOIN staff c ON c.id = s.closed_by
           ORDER BY s.opened_at DESC, s.id DESC LIMIT ? OFFSET ?`,
        )
        .all(limit, offset) as ShiftListRow[];
      return rows.map(
        (r): ShiftListEntry => ({
          id: r.id,
          openedAt: r.opened_at,
          openedBy: { id: r.opened_by, name: r.opener ?? '' },
          closedAt: r.closed_at,
          closedBy: r.closed_by ? { id: r.closed_by, name: r.closer ?? '' } : null,
          float: r.float,
          expectedCash: r.expected_cash,
          countedCash: r.counted_cash,
        }),
      );
    },
  };
}
